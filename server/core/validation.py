"""Validation errors as plain sentences a person or a model can act on: one per problem, naming the argument,
what was wrong and what is allowed.

pydantic's own text names generated classes (``get_userArguments``), union branches
(``list[tagged-union[TextBlock,...]]``) and a documentation URL; none of that helps the caller, and the
rejected values are the caller's data, so they are not echoed either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails

_TYPE_LABELS = frozenset({"str", "int", "float", "bool", "bytes", "none", "dict", "list", "tuple", "set"})
_PREFIXES = ("Value error, ", "Assertion failed, ")
_ID_PATTERN = re.compile(r"^\^([a-z]+_)\[A-Za-z0-9_-\]\+\$$")  # id_arg's pattern: the API's prefix, then the id


def _is_branch_label(part: str | int) -> bool:
    """pydantic puts union branches into an error's location (``str``, ``list[...]``, a class name)."""
    if not isinstance(part, str):
        return False
    return "[" in part or part in _TYPE_LABELS or part[:1].isupper()


def where(loc: Iterable[str | int]) -> str:
    """``messages[0].content[1].type``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the arguments"


def _message(error: ErrorDetails) -> str:
    ctx = error.get("ctx") or {}
    if error["type"] == "union_tag_invalid":  # pydantic's wording names its discriminator machinery
        field = str(ctx.get("discriminator", "type")).strip("'")
        return f"{field} {ctx.get('tag')!r} is not one of {ctx.get('expected_tags')}"
    if error["type"] == "string_pattern_mismatch" and (prefixed := _ID_PATTERN.match(str(ctx.get("pattern")))):
        return f"should be an id starting with {prefixed.group(1)} (letters, digits, _ or - after it)"
    msg = str(error["msg"])
    for prefix in _PREFIXES:
        msg = msg.removeprefix(prefix)
    return msg.rstrip(".")


def _clean(errors: Sequence[ErrorDetails]) -> list[tuple[tuple[str | int, ...], str, str]]:
    """(location without union labels, error type, message); a branch's type mismatch is dropped when another
    branch got further (``content`` was a list, so "should be a valid string" is noise)."""
    rows: list[tuple[tuple[str | int, ...], str, str, bool]] = []
    for error in errors:
        loc = tuple(error["loc"])
        clean = tuple(p for p in loc if not _is_branch_label(p))
        rows.append((clean, error["type"], _message(error), clean != loc))
    kept: list[tuple[tuple[str | int, ...], str, str]] = []
    for clean, kind, msg, branched in rows:
        mismatch = branched and kind.endswith("_type")
        deeper = any(
            other[: len(clean)] == clean and (len(other) > len(clean) or not okind.endswith("_type"))
            for other, okind, _, _ in rows
        )
        if mismatch and deeper:
            continue
        kept.append((clean, kind, msg))
    return kept


def sentences(exc: ValidationError, *, tool: str | None = None, accepted: Sequence[str] = ()) -> list[str]:
    """One sentence per problem. ``tool`` and ``accepted`` name the top-level arguments for unknown ones."""
    unknown: list[str] = []
    by_loc: dict[tuple[str | int, ...], list[str]] = {}
    for loc, kind, msg in _clean(exc.errors(include_url=False)):
        if kind == "extra_forbidden" and len(loc) == 1 and tool is not None:
            unknown.append(str(loc[0]))
        elif kind == "extra_forbidden":
            by_loc.setdefault(loc, []).append("is not a field the API accepts here")
        elif kind == "missing":
            by_loc.setdefault(loc, []).append("is required")
        else:
            by_loc.setdefault(loc, []).append(msg)
    out: list[str] = []
    if unknown:
        names = ", ".join(unknown)
        noun = "argument" if len(unknown) == 1 else "arguments"
        takes = f"accepts only {', '.join(accepted)}" if accepted else "takes no arguments"
        out.append(f"Unknown {noun} {names}: {tool} {takes}.")
    for loc, msgs in by_loc.items():
        msgs = list(dict.fromkeys(msgs))
        if all(m.startswith("Input should be ") for m in msgs) and len(msgs) > 1:
            text = "Input should be " + " or ".join(m.removeprefix("Input should be ") for m in msgs)
        else:
            text = "; ".join(msgs)
        joiner = " " if text in ("is required", "is not a field the API accepts here") else ": "
        out.append(f"{where(loc)}{joiner}{text}.")
    return out or ["The arguments are not valid."]


def plain(exc: ValidationError, *, tool: str | None = None, accepted: Sequence[str] = ()) -> str:
    return " ".join(sentences(exc, tool=tool, accepted=accepted))


_NOISE = re.compile(r"errors\.pydantic\.dev|validation errors? for |Arguments\b")


def is_library_text(text: str) -> bool:
    """Whether ``text`` still carries pydantic's wording (tests scan every error text with this)."""
    return _NOISE.search(text) is not None


def replace_in(text: str, exc: ValidationError) -> str:
    """``text`` with pydantic's rendering of ``exc`` (embedded by an f-string) replaced by plain sentences."""
    raw = str(exc)
    return text.replace(raw, plain(exc)) if raw in text else text


__all__ = ["is_library_text", "plain", "replace_in", "sentences", "where"]
