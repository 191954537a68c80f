"""Fetching whole report windows: split into requests of at most one request's bucket limit, follow every page.

Independent requests (a long window's chunks, the Claude Code report's days) go out concurrently, a
bounded number at a time (``Settings.report_concurrency``), and are put back in order; the one client's
throttle (``server/client/throttle.py``) makes them all slow down together when the API rate-limits. Progress
goes to the client as MCP progress notifications (buckets or days done of the total), so a long window
shows movement instead of a silent wait.

One call makes at most ``Settings.max_report_requests`` upstream requests (``--max-report-requests``), the
typed report tools and read_api on a report operation alike (``window_budget``): a window that needs more is
refused before the first one, and pages beyond the budget stop the call with a
clear error (requests are counted as they are sent, so concurrency cannot overshoot it). Every request runs
in a task of the call's own task group, so a cancelled or disconnected call cancels them all.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.safety.deps import api, settings
from claude_api_mcp.tools._dates import WIDTHS, Window, ceil, check_reach, floor, parse_time, stamp
from claude_api_mcp.tools._gather import gather_bounded
from claude_api_mcp.tools._lists import Walk, walk
from claude_api_mcp.tools._ops import op

CLAUDE_CODE = op("organization.usage_report.claude_code")

KEY = KeyKind.ADMIN
CLAUDE_CODE_PAGE = 1000  # the API's maximum records per page
WINDOW_STARTS = ("starting_at", "starting_date", "date")  # the catalog's names for where a report window begins


def _budget(ctx: Ctx, planned: int, what: str) -> int:
    """The request budget of one call; refused up front when the plan alone exceeds it."""
    cap = settings(ctx).max_report_requests
    if planned > cap:
        raise ToolError(
            f"This {what} window needs {planned} requests; one call may make at most {cap} "
            "(--max-report-requests). Narrow the window or use a wider bucket_width. Nothing was sent."
        )
    return cap


def window_budget(
    ctx: Ctx, properties: Mapping[str, Any], query: Mapping[str, Any], *, all_pages: bool, now: datetime
) -> int | None:
    """The report tools' window policy for a catalog operation read through read_api: a start further back
    than reports reach is refused, a bucket window whose pages would pass the request budget is refused up
    front (when its page size is given), and the budget bounds the walk. None when it reads no window."""
    starts = [name for name in WINDOW_STARTS if name in properties]
    if not starts:
        return None
    for name in starts:
        if query.get(name) is not None:
            check_reach(parse_time(str(query[name]), name), name, now=now)
    width = WIDTHS.get(str(query.get("bucket_width") or ""))
    limit = query.get("limit")
    if all_pages and width is not None and isinstance(limit, int) and limit > 0 and query.get("starting_at"):
        start = floor(parse_time(str(query["starting_at"]), "starting_at"), width)
        given_end = query.get("ending_at")
        end = min(ceil(parse_time(str(given_end), "ending_at"), width) if given_end else now, ceil(now, width))
        buckets = max(0, (end - start) // width)
        return _budget(ctx, -(-buckets // limit), "report")
    return settings(ctx).max_report_requests


def _spend(requests: int, cap: int, what: str) -> None:
    if requests >= cap:
        raise ToolError(
            f"The {what} needed more than {cap} requests (--max-report-requests), counting its pages; "
            "stopped there. Narrow the window or the grouping."
        )


def _page(body: Any, what: str) -> dict[str, Any]:
    """A report page, or a ToolError when it has no data list."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ToolError(f"The {what} came back in an unexpected shape (no data list).")
    return body


async def _walk_report(ctx: Ctx, fetch: Any, max_requests: int, on_page: Any) -> Walk:
    """The list tools' one paging loop (``tools/_lists.py``) over a report's pages: every page, no item cap,
    no de-duplication by id (buckets and records have none)."""
    return await walk(
        ctx,
        fetch,
        start=None,
        cursor_of=lambda body: body.get("next_page"),
        all_pages=True,
        cap=sys.maxsize,
        max_requests=max_requests,
        id_field=None,
        on_page=on_page,
    )


def _stalled(what: str, requests: int) -> str:
    return (
        f"The {what} kept saying more pages exist, but request {requests} brought nothing new; stopped to avoid a "
        "loop. The upstream (or a proxy) is misbehaving: retry later."
    )


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
    """Every bucket of ``win`` (oldest first) and the number of requests it took.

    The window's chunks are independent requests, fetched concurrently (at most ``report_concurrency`` at
    a time); the pages of one chunk follow each other, since each needs the previous page's token."""
    client = api(ctx, KEY)
    requests = 0
    done = 0
    chunks = win.chunks(max_buckets)
    cap = _budget(ctx, len(chunks), what)

    async def chunk(start: datetime, end: datetime) -> list[dict[str, Any]]:
        size = (end - start) // win.width

        async def fetch(token: str | None, _: int) -> Any:
            nonlocal requests
            query = {
                "starting_at": stamp(start),
                "ending_at": stamp(end),
                "bucket_width": width_code,
                "limit": size,
                **params,
                "page": token,
            }
            _spend(requests, cap, what)
            requests += 1
            return _page(await client.request("GET", path, key=KEY, params=query, headers=headers), what)

        async def counted(page: list[Any]) -> None:
            nonlocal done
            done += sum(isinstance(b, dict) for b in page)
            await ctx.report_progress(done, win.buckets, f"{done} of {win.buckets} buckets")

        # Each page holds at least one bucket: more pages than buckets (+1) is a loop.
        found = await _walk_report(ctx, fetch, size + 1, counted)
        if found.stopped:
            if not found.resumable:
                raise ToolError(_stalled(what, requests))
            raise ToolError(f"The {what} kept returning pages past its window; stopped to avoid a loop.")
        return [b for b in found.items if isinstance(b, dict)]

    jobs = [functools.partial(chunk, start, end) for start, end in chunks]
    parts = await gather_bounded(jobs, settings(ctx).report_concurrency)
    return [bucket for part in parts for bucket in part], requests


async def fetch_claude_code(ctx: Ctx, first: date, days: int) -> tuple[list[dict[str, Any]], int]:
    """Every record of ``days`` UTC days from ``first``: one request chain per day, days fetched concurrently."""
    client = api(ctx, KEY)
    requests = 0
    days_done = 0
    records_done = 0
    cap = _budget(ctx, days, "Claude Code report")

    async def day(n: int) -> list[dict[str, Any]]:
        nonlocal days_done

        async def fetch(token: str | None, _: int) -> Any:
            nonlocal requests
            query = {"starting_at": (first + timedelta(days=n)).isoformat(), "limit": CLAUDE_CODE_PAGE, "page": token}
            _spend(requests, cap, "Claude Code report")
            requests += 1
            body = await client.request(CLAUDE_CODE.method, CLAUDE_CODE.path(), key=KEY, params=query)
            return _page(body, "Claude Code report")

        async def counted(page: list[Any]) -> None:
            nonlocal records_done
            records_done += sum(isinstance(r, dict) for r in page)
            await ctx.report_progress(days_done, days, f"{days_done} of {days} days, {records_done} records so far")

        found = await _walk_report(ctx, fetch, 10_000, counted)
        if found.stopped:
            if not found.resumable:
                raise ToolError(_stalled("Claude Code report", requests))
            raise ToolError("The Claude Code report kept returning pages; stopped to avoid a loop.")
        days_done += 1
        await ctx.report_progress(days_done, days, f"{days_done} of {days} days, {records_done} records")
        return [r for r in found.items if isinstance(r, dict)]

    parts = await gather_bounded([functools.partial(day, n) for n in range(days)], settings(ctx).report_concurrency)
    return [record for part in parts for record in part], requests
