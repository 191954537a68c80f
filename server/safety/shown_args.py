"""Every argument a write sends, as the person reads it in the question: nothing dropped, nothing forged.

A question that quotes only the start of the arguments hides whatever follows a long padding field (a
role ``admin``, an attacker's webhook). Here every leaf value is shown by its full name (``config.url``,
``tags[2]``); long values are shortened in the middle, visibly and saying how long they are, and when even
that cannot fit the question the call is refused: the person is never asked about less than is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.core.wording import one_line

MIN_VALUE = 24  # characters a value keeps however many there are: less says nothing to the person
MAX_NAME = 80


def leaves(value: Any, name: str = "") -> list[tuple[str, Any]]:
    """(dotted name, scalar) for every value inside ``value``; empty objects and lists are values too."""
    if isinstance(value, Mapping) and value:
        return [pair for k, v in value.items() for pair in leaves(v, f"{name}.{k}" if name else str(k))]
    if isinstance(value, list) and value:
        return [pair for i, v in enumerate(value) for pair in leaves(v, f"{name}[{i}]")]
    return [(name, value)]


def middle(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut in the middle with the full length said."""
    if len(text) <= limit:
        return text
    mark = f"…({len(text)} characters)…"
    keep = max(limit - len(mark), 8)
    return text[: keep - keep // 3] + mark + text[len(text) - keep // 3 :]


def _rendered(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)  # strings quoted; \n stays the two characters


def shown(args: Mapping[str, Any], room: int, *, what: str) -> str:
    """``name=value, …`` for every leaf of ``args`` in at most ``room`` characters; a ToolError if impossible."""
    pairs = [(one_line(middle(n, MAX_NAME)), one_line(_rendered(v))) for n, v in leaves(args)]
    if not pairs:
        return ""
    overhead = sum(len(n) + 3 for n, _ in pairs)  # "name=" and ", "
    budget = (room - overhead) // len(pairs)
    longest = max(len(v) for _, v in pairs)
    if budget < longest:  # share the room: short values whole, the long ones shortened in the middle
        spare = room - overhead - sum(len(v) for _, v in pairs if len(v) <= budget)
        many_long = sum(1 for _, v in pairs if len(v) > budget)
        budget = max(budget, spare // many_long if many_long else budget, MIN_VALUE)
    text = ", ".join(f"{n}={middle(v, budget)}" for n, v in pairs)
    if len(text) > room:
        raise ToolError(
            f"{what} has {len(pairs)} argument values, too many to show the person in one question; split it "
            "into smaller calls. Nothing was sent."
        )
    return text
