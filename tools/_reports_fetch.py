"""Fetching whole report windows: split into requests of at most one request's bucket limit, follow every page.

Progress goes to the client as MCP progress notifications (buckets or days done of the total), so a long
window shows movement instead of a silent wait.

One call makes at most ``Settings.max_report_requests`` upstream requests (``--max-report-requests``): a
window that needs more is refused before the first one, and pages beyond the budget stop the call with a
clear error. Each request is awaited in the tool's own task, so a cancelled or disconnected call stops
here and sends nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from server.config import KeyKind
from tools._base import Ctx, api, settings
from tools._dates import Window, stamp

KEY = KeyKind.ADMIN
CLAUDE_CODE_PAGE = 1000  # the API's maximum records per page


def _budget(ctx: Ctx, planned: int, what: str) -> int:
    """The request budget of one call; refused up front when the plan alone exceeds it."""
    cap = settings(ctx).max_report_requests
    if planned > cap:
        raise ToolError(
            f"This {what} window needs {planned} requests; one call may make at most {cap} "
            "(--max-report-requests). Narrow the window or use a wider bucket_width. Nothing was sent."
        )
    return cap


def _spend(requests: int, cap: int, what: str) -> None:
    if requests >= cap:
        raise ToolError(
            f"The {what} needed more than {cap} requests (--max-report-requests), counting its pages; "
            "stopped there. Narrow the window or the grouping."
        )


def _page(body: Any, what: str) -> tuple[list[Any], str | None]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ToolError(f"The {what} came back in an unexpected shape (no data list).")
    token = body.get("next_page")
    more = body.get("has_more", token is not None)
    return body["data"], token if more and isinstance(token, str) and token else None


async def fetch_buckets(
    ctx: Ctx,
    path: str,
    win: Window,
    *,
    width_code: str,
    max_buckets: int,
    params: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    what: str = "report",
) -> tuple[list[dict[str, Any]], int]:
    """Every bucket of ``win`` (oldest first) and the number of requests it took."""
    client = api(ctx, KEY)
    buckets: list[dict[str, Any]] = []
    requests = 0
    chunks = win.chunks(max_buckets)
    cap = _budget(ctx, len(chunks), what)
    for start, end in chunks:
        size = (end - start) // win.width
        token: str | None = None
        for _ in range(size + 1):  # each page holds at least one bucket; more pages than that is a loop
            query = {
                "starting_at": stamp(start),
                "ending_at": stamp(end),
                "bucket_width": width_code,
                "limit": size,
                **params,
                "page": token,
            }
            _spend(requests, cap, what)
            body = await client.request("GET", path, key=KEY, params=query, headers=headers)
            requests += 1
            data, token = _page(body, what)
            buckets.extend(b for b in data if isinstance(b, dict))
            await ctx.report_progress(len(buckets), win.buckets, f"{len(buckets)} of {win.buckets} buckets")
            if token is None:
                break
        else:
            raise ToolError(f"The {what} kept returning pages past its window; stopped to avoid a loop.")
    return buckets, requests


async def fetch_claude_code(ctx: Ctx, first: date, days: int) -> tuple[list[dict[str, Any]], int]:
    """Every record of ``days`` UTC days from ``first``: one day per request, every page of each day."""
    client = api(ctx, KEY)
    records: list[dict[str, Any]] = []
    requests = 0
    cap = _budget(ctx, days, "Claude Code report")
    for n in range(days):
        day = (first + timedelta(days=n)).isoformat()
        token: str | None = None
        for _ in range(10_000):
            query = {"starting_at": day, "limit": CLAUDE_CODE_PAGE, "page": token}
            _spend(requests, cap, "Claude Code report")
            body = await client.request("GET", "/v1/organizations/usage_report/claude_code", key=KEY, params=query)
            requests += 1
            data, token = _page(body, "Claude Code report")
            records.extend(r for r in data if isinstance(r, dict))
            if token is None:
                break
            await ctx.report_progress(n, days, f"day {n + 1} of {days}: {len(records)} records so far")
        else:
            raise ToolError("The Claude Code report kept returning pages; stopped to avoid a loop.")
        await ctx.report_progress(n + 1, days, f"{n + 1} of {days} days, {len(records)} records")
    return records, requests
