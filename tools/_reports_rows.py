"""Exact sums and bounded rows for the report tools.

Rows are sorted largest first; when they would not fit the output budget the smallest are folded into
one row that says how many it holds, so the rows still add up to the totals exactly. Money stays in
``Decimal`` from the API's strings to the dollars shown: no float ever touches it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_CENT = Decimal("0.01")


def count(value: Any, what: str) -> int:
    """A count from the API: an int (null counts zero); anything else is an unexpected shape."""
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ToolError(f"The report's {what} is not an integer: {value!r}.")


def cents(value: Any, what: str) -> Decimal:
    """An amount in cents, from a decimal string (cost report) or a JSON number (Claude Code report)."""
    try:
        if isinstance(value, str):
            return Decimal(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        if isinstance(value, float):
            return Decimal(repr(value))  # the shortest text that round-trips: the number as the API wrote it
    except InvalidOperation:
        pass
    if value is None:
        return Decimal(0)
    raise ToolError(f"The report's {what} is not a decimal amount: {value!r}.")


def usd(amount_cents: Decimal) -> str:
    """Cents → a dollar decimal string, exact, with at least two decimals (no exponent notation)."""
    dollars = amount_cents.scaleb(-2).normalize()
    exponent = dollars.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        dollars = dollars.quantize(_CENT)
    return format(dollars, "f")


def size(model: BaseModel) -> int:
    """Characters the row adds to the result's JSON text (compact, as the server writes it), with its comma."""
    return len(model.model_dump_json(by_alias=True)) + 1


def fit(rows: Sequence[M], budget: int, fold: Callable[[Sequence[M]], M]) -> tuple[list[M], int]:
    """The leading rows that fit ``budget`` characters, plus one folded row for the rest; and how many were folded."""
    if sum(size(r) for r in rows) <= budget:
        return list(rows), 0
    reserve = size(fold(rows))  # the fold row's numbers only shrink as rows are kept
    kept: list[M] = []
    used = 0
    for row in rows:
        used += size(row)
        if used + reserve > budget:
            break
        kept.append(row)
    rest = rows[len(kept) :]
    return [*kept, fold(rest)], len(rest)


def cut(items: Sequence[M], budget: int) -> list[M]:
    """The leading items that fit ``budget`` characters."""
    kept: list[M] = []
    used = 0
    for item in items:
        used += size(item)
        if used > budget:
            break
        kept.append(item)
    return kept
