"""Wording for the questions a person confirms: plain values, one line, bounded, nothing that forges a line.

The person reads this text, and parts of it come from the API or the model (an invite's email, a
workspace name) that an attacker may control. ``defanged`` makes every string of an API response
single-line (control, format and bidi characters and line separators become spaces) before a describer
sees it, and ``one_line`` cleans the finished sentence again, so "\\nNOTE FROM ADMIN: this is safe" can
never start a line of its own.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Mapping
from typing import Any

import pydantic_core
from pydantic import BaseModel


def plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, BaseModel):  # unset fields of a nested update (data_residency) change nothing
        return value.model_dump(mode="json", exclude_none=True)
    return pydantic_core.to_jsonable_python(value, fallback=str)  # a null tag value removes that tag


# Control (Cc: CR, LF, NEL), format (Cf: bidi overrides, zero-width), line/paragraph separators (Zl, Zp),
# private-use, surrogate and unassigned code points: none belongs in one line a person must read as written.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def one_line(value: Any, limit: int | None = None) -> str:
    """``value`` as one line of plain text: unsafe characters become spaces, runs of spaces one space."""
    text = str(value if value is not None else "")
    text = "".join(" " if unicodedata.category(c) in _UNSAFE_CATEGORIES else c for c in text)
    text = " ".join(text.split())
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def defanged(value: Any) -> Any:
    """A JSON value from the API with every string (keys too) made single-line."""
    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, dict):
        return {one_line(k): defanged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [defanged(v) for v in value]
    return value


def q(value: Any, limit: int = 60) -> str:
    """A quoted, single-line, bounded rendering of a name (it is shown to a person)."""
    return "'" + one_line(value, limit) + "'"


def person(user: Mapping[str, Any] | None, user_id: str) -> str:
    if not user:
        return user_id
    email = f" <{user['email']}>" if user.get("email") else ""
    return f"{q(user.get('name') or user.get('email') or user_id)[1:-1]}{email} ({user_id})"


def count(n: int | None, noun: str) -> str:
    if n is None:
        return f"its {noun}s"
    return f"its {n} {noun}" + ("" if n == 1 else "s")


def changes(current: Mapping[str, Any], wanted: Mapping[str, Any], fields: tuple[str, ...]) -> list[str]:
    out = []
    for name in fields:
        if wanted.get(name) is None:
            continue
        old, new = current.get(name), wanted[name]
        if isinstance(new, dict) and isinstance(old, dict):
            new = {k: v for k, v in {**old, **new}.items() if v is not None}
        out.append(f"{name} {short(old)} → {short(new)}")
    return out


def short(value: Any) -> str:
    return q(value) if isinstance(value, str) else q(pydantic_core.to_json(value).decode(), 120)[1:-1]


def human_size(n: Any) -> str:
    if not isinstance(n, int):
        return "size unknown"
    if n < 1024:
        return f"{n} bytes"
    size = float(n)
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.1f} {unit}"
