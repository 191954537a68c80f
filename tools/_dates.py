"""Report windows: UTC times from RFC 3339 or YYYY-MM-DD, snapped to bucket boundaries, checked before any call."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from mcp.server.mcpserver.exceptions import ToolError

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WIDTHS = {"1d": timedelta(days=1), "1h": timedelta(hours=1), "1m": timedelta(minutes=1)}
# How far back a report may start. The API reference does not state how long usage, cost and Claude Code
# reports are kept; its analytics endpoints accept starts "within the last 365 days", so that is the bound
# here too (docs/safety.md). Without one, starting_at 0001-01-01 meant ~24,000 sequential upstream calls.
REPORT_LOOKBACK = timedelta(days=365)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Python 3.10's fromisoformat takes neither "Z" nor fractions other than 3 or 6 digits: parse RFC 3339 here.
_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$")


def parse_time(value: str, name: str) -> datetime:
    """A UTC datetime; a bare date is 00:00 UTC, and a time without an offset is taken as UTC."""
    text = value.strip()
    try:
        if m := _DATE.match(text):
            return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=UTC)
        if m := _TIME.match(text):
            micro = int((m[7] or "0")[:6].ljust(6, "0"))
            moment = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0), micro)
            return moment.replace(tzinfo=_offset(m[8])).astimezone(UTC)
    except ValueError as exc:
        raise ToolError(f"{name}: {value!r} is not a valid date or time ({exc}).") from None
    raise ToolError(f"{name}: {value!r} is neither YYYY-MM-DD nor an RFC 3339 time like 2026-01-31T12:00:00Z.")


def _offset(text: str | None) -> timezone:
    if not text or text in "Zz":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def floor(moment: datetime, width: timedelta) -> datetime:
    return EPOCH + (moment - EPOCH) // width * width


def ceil(moment: datetime, width: timedelta) -> datetime:
    down = floor(moment, width)
    return down if down == moment else down + width


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    width: timedelta

    @property
    def buckets(self) -> int:
        return (self.end - self.start) // self.width

    def chunks(self, max_buckets: int) -> list[tuple[datetime, datetime]]:
        """Consecutive sub-windows of at most ``max_buckets`` buckets (one request each)."""
        step = self.width * max_buckets
        out, t = [], self.start
        while t < self.end:
            out.append((t, min(t + step, self.end)))
            t += step
        return out


def window(
    starting_at: str,
    ending_at: str | None,
    width: timedelta,
    *,
    now: datetime,
    max_span: timedelta | None = None,
    default_span: timedelta | None = None,
    unit: str = "",
    lookback: timedelta = REPORT_LOOKBACK,
) -> Window:
    """[starting_at, ending_at) snapped outward to whole buckets; ending_at defaults to now (or default_span)."""
    start = floor(parse_time(starting_at, "starting_at"), width)
    current_end = ceil(now, width)  # the end of the bucket that holds "now"
    if start >= current_end:
        raise ToolError(f"starting_at {stamp(start)} is in the future (now is {stamp(now)} UTC).")
    if ending_at is not None:
        end = ceil(parse_time(ending_at, "ending_at"), width)
        if end <= start:
            raise ToolError(
                f"ending_at must be after starting_at (got {stamp(end)} ≤ {stamp(start)}); ending_at is exclusive."
            )
    else:
        end = start + default_span if default_span else current_end
    end = min(end, current_end)  # later buckets have no data yet
    if max_span is not None and end - start > max_span:
        raise ToolError(
            f"The window is {_span(end - start)}; {unit} windows are limited to {_span(max_span)}. "
            "Narrow it or use a wider bucket_width."
        )
    check_reach(start, "starting_at", now=now, width=width, lookback=lookback)
    return Window(start, end, width)


def check_reach(
    start: datetime, name: str, *, now: datetime, width: timedelta = WIDTHS["1d"], lookback: timedelta = REPORT_LOOKBACK
) -> None:
    """Refuse a window that starts before the reports' reach (the typed report tools and read_api alike)."""
    earliest = floor(now - lookback, width)
    if start < earliest:
        raise ToolError(
            f"{name} {stamp(start)} is too far back: reports reach back {_span(lookback)}, to {stamp(earliest)} "
            f"UTC at the earliest. Choose a later {name}. Nothing was sent."
        )


def _span(delta: timedelta) -> str:
    days = delta / timedelta(days=1)
    return f"{days:.0f} days" if days == round(days) else f"{days:.1f} days"
