"""What the report tools should answer, computed straight from the sandbox's hourly data (not from its routes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from claude_api_mcp.sandbox import SANDBOX_ADMIN_KEY, RecordedRequest, Sandbox
from claude_api_mcp.sandbox.report_data import Stream, day_hours
from claude_api_mcp.sandbox.report_state import reports

UTC = timezone.utc
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
FIELDS = (
    "uncached_input_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
    "output_tokens",
    "web_search_requests",
)


def today() -> datetime:
    now = datetime.now(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_usage(
    sandbox: Sandbox,
    start: datetime,
    end: datetime,
    group_by: Iterable[str] = (),
    keep: Callable[[Stream], bool] = lambda s: True,
) -> tuple[dict[str, int], dict[tuple[Any, ...], dict[str, int]]]:
    """Totals and per-group figures over the whole hours of [start, end), from the sandbox's hourly data."""
    state = reports(sandbox)
    groups = tuple(group_by)
    totals = dict.fromkeys(FIELDS, 0)
    rows: dict[tuple[Any, ...], dict[str, int]] = {}
    hour = start
    while hour < end:
        if hour + HOUR <= state.clock():
            for s in filter(keep, state.streams):
                u = day_hours(s, hour.date())[hour.hour]
                figures = (u[0], u[1] + u[2], u[3], u[4], u[5])
                if not any(figures):
                    continue
                row = rows.setdefault(tuple(s.dim(g) for g in groups), dict.fromkeys(FIELDS, 0))
                for name, value in zip(FIELDS, figures, strict=True):
                    totals[name] += value
                    row[name] += value
        hour += HOUR
    return totals, rows


def figures(row: dict[str, Any]) -> dict[str, int]:
    return {name: row[name] for name in FIELDS}


def group_key(row: dict[str, Any], group_by: Iterable[str]) -> tuple[Any, ...]:
    return tuple(row[g] for g in group_by)


async def replay(sandbox: Sandbox, requests: Iterable[RecordedRequest]) -> list[bytes]:
    """The raw pages the sandbox serves for these recorded requests, fetched straight from its transport."""
    bodies = []
    async with httpx.AsyncClient(
        transport=sandbox.transport(),
        base_url="https://api.anthropic.com",
        headers={"x-api-key": SANDBOX_ADMIN_KEY, "anthropic-version": "2023-06-01"},
    ) as client:
        for request in list(requests):
            response = await client.get(request.path, params=request.query)
            assert response.status_code == 200, response.text
            bodies.append(response.content)
    return bodies
