"""The one pagination helper behind every list tool.

With ``all_pages`` the server follows the API's cursor itself, up to an item cap and a size budget, and
a list that stopped early always says so: ``has_more`` stays true, the cursor to continue from is given,
and ``note`` explains why. A model must never mistake a capped list for a complete one.

A page that brings nothing new (no item not already seen, or a cursor seen before) while the API still
says more exist ends the walk there: an upstream that keeps claiming ``has_more`` / ``next_page`` would
otherwise be followed forever. The note says so. ``walk`` is that one loop, for the typed list tools and
read_api alike; a walk over a report window also stops at the report tools' request budget.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ValidationError

from claude_api_mcp.client.models import CursorPage, TokenPage
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.errors import describe_unexpected
from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.safety.deps import api, settings

T = TypeVar("T", bound=BaseModel)
API_MAX_LIMIT = 1000


def _stalled(page_number: int) -> str:
    return f"page {page_number} brought nothing new although the API said more exist (stopped to avoid a loop)"


def _data(page: Any) -> tuple[dict[str, Any], list[Any]]:
    """A list page and its items, or a ToolError naming the shape that came instead."""
    if not isinstance(page, dict):
        raise ToolError(f"The API returned a list page that is not an object ({type(page).__name__}); try again.")
    data = page.get("data") or []
    if not isinstance(data, list):
        raise ToolError(f"The API returned a list page whose data is not a list ({type(data).__name__}).")
    return page, data


def _fresh(data: list[Any], seen: set[str], id_field: str | None) -> list[Any]:
    """The items not seen before (items without an id count as new: the cursor check catches their loops)."""
    out = []
    for obj in data:
        ident = obj.get(id_field) if isinstance(obj, dict) and id_field else None
        if isinstance(ident, str):
            if ident in seen:
                continue
            seen.add(ident)
        out.append(obj)
    return out


def _lenient(page: Any) -> tuple[dict[str, Any], list[Any]]:
    """read_api's view of a page: a hostile or broken one has no items, never its keys as items."""
    body = page if isinstance(page, dict) else {"data": page}
    data = body.get("data")
    return body, list(data) if isinstance(data, list) else []


@dataclass
class Walk:
    items: list[Any]  # the new items, in the direction of travel
    page: dict[str, Any]  # the last page as the API sent it
    more: bool  # the last page said more exist
    cursor: str | None  # the last page's cursor to what follows
    stopped: str | None = None  # why the walk ended before the API's end: a loop, or the request budget
    resumable: bool = True  # False when it stopped at a loop: the cursor leads nowhere new
    requests: int = 0


async def walk(
    ctx: Ctx,
    fetch: Callable[[str | None, int], Awaitable[Any]],
    *,
    start: str | None,
    cursor_of: Callable[[dict[str, Any]], Any],
    all_pages: bool,
    cap: int,
    max_requests: int | None = None,
    id_field: str | None = "id",
    backward: bool = False,
    lenient: bool = False,
    on_page: Callable[[list[Any]], Awaitable[None]] | None = None,
) -> Walk:
    """The one paging loop: ``fetch(cursor, items so far)`` one page after the other, up to ``cap`` items and
    ``max_requests`` requests, stopping at the first page that brings nothing new or a cursor seen before.
    ``on_page`` (the reports' own progress) sees each page's new items; without it, progress is items so far."""
    found = Walk(items=[], page={}, more=False, cursor=start)
    seen: set[str] = set()
    cursors = {start} if start else set()
    while True:
        found.page, data = (_lenient if lenient else _data)(await fetch(found.cursor, len(found.items)))
        found.requests += 1
        fresh = _fresh(data, seen, id_field)
        found.items.extend(reversed(fresh) if backward else fresh)
        if on_page is not None:
            await on_page(fresh)
        raw = cursor_of(found.page)
        found.cursor = raw if isinstance(raw, str) and raw else None
        found.more = bool(found.page.get("has_more", found.cursor is not None))
        if not all_pages or not found.more or found.cursor is None or len(found.items) >= cap:
            return found
        if not fresh or found.cursor in cursors:
            found.stopped, found.resumable = _stalled(found.requests), False
            return found
        if max_requests is not None and found.requests >= max_requests:
            found.stopped = (
                f"stopped after {found.requests} requests, the most one call may make (--max-report-requests)"
            )
            return found
        cursors.add(found.cursor)
        if on_page is None:
            await ctx.report_progress(len(found.items), None, f"{len(found.items)} items so far")


def parse_items(raw: Any, item: type[T]) -> list[T]:
    try:
        return [item.model_validate(x) for x in raw]
    except (ValidationError, TypeError) as exc:
        raise ToolError(describe_unexpected(exc)) from exc  # one wording for every unexpected API shape


def _fit(items: list[dict[str, Any]], cap: int, budget: int) -> tuple[int, str | None]:
    """How many leading items fit in the item cap and the character budget, and why it stopped if it did."""
    used = 0
    for n, obj in enumerate(items):
        if n >= cap:
            return n, f"stopped at the {cap}-item cap"
        used += len(json.dumps(obj, separators=(",", ":"))) + 1
        if used > budget and n > 0:
            return n, f"stopped at {n} items to keep the result under {budget} characters"
    return len(items), None


async def list_cursor(
    ctx: Ctx,
    path: str,
    item: type[T],
    *,
    key: KeyKind,
    limit: int,
    after_id: str | None,
    before_id: str | None,
    all_pages: bool,
    params: Mapping[str, Any] | None = None,
    id_field: str = "id",
) -> CursorPage[T]:
    """An id-cursor list (``{data, has_more, first_id, last_id}``), one page or every page.

    ``id_field`` names the item field the cursors are made of (workspace members have no ``id``: ``user_id``).
    """
    if after_id and before_id:
        raise ToolError("Give after_id or before_id, not both.")
    client, conf = api(ctx, key), settings(ctx)
    backward = before_id is not None
    cap = conf.list_item_cap if all_pages else limit

    async def fetch(cursor: str | None, have: int) -> Any:
        page_size = min(API_MAX_LIMIT, cap - have) if all_pages else limit
        query = {**(params or {}), "limit": page_size, ("before_id" if backward else "after_id"): cursor}
        return await client.request("GET", path, key=key, params=query)

    found = await walk(
        ctx,
        fetch,
        start=before_id if backward else after_id,
        cursor_of=lambda page: page.get("first_id" if backward else "last_id"),
        all_pages=all_pages,
        cap=cap,
        id_field=id_field,
        backward=backward,
    )
    collected, has_more, stalled = found.items, found.more, found.stopped

    kept, why = _fit(collected, cap, conf.output_char_budget)
    if kept < len(collected):
        collected, has_more = collected[:kept], True
    elif stalled:
        why = stalled
    elif has_more and all_pages:
        why = f"stopped at the {cap}-item cap"
    ordered = list(reversed(collected)) if backward else collected
    first_id = ordered[0].get(id_field) if ordered else None
    last_id = ordered[-1].get(id_field) if ordered else None
    note = None
    if has_more and why:
        resume = f"before_id={first_id}" if backward else f"after_id={last_id}"
        note = f"Incomplete: {why}; more items exist. Call again with {resume} to continue."
        if stalled and why == stalled:
            note = f"Incomplete: {stalled}. The rest, if any, could not be listed."
    return CursorPage[item](  # type: ignore[valid-type]
        data=parse_items(ordered, item), has_more=has_more, first_id=first_id, last_id=last_id, note=note
    )


async def list_token(
    ctx: Ctx,
    path: str,
    item: type[T],
    *,
    key: KeyKind,
    limit: int | None,
    page: str | None,
    all_pages: bool,
    params: Mapping[str, Any] | None = None,
) -> TokenPage[T]:
    """A page-token list (``{data, next_page}``, sometimes with ``has_more``), one page or every page."""
    client, conf = api(ctx, key), settings(ctx)
    cap = conf.list_item_cap if all_pages else (limit or API_MAX_LIMIT)

    async def fetch(cursor: str | None, have: int) -> Any:
        size = min(API_MAX_LIMIT, cap - have) if all_pages and limit is not None else limit
        return await client.request("GET", path, key=key, params={**(params or {}), "limit": size, "page": cursor})

    found = await walk(
        ctx, fetch, start=page, cursor_of=lambda body: body.get("next_page"), all_pages=all_pages, cap=cap
    )
    collected, token, stalled = found.items, found.cursor, found.stopped
    more = found.more and token is not None

    kept, why = _fit(collected, cap, conf.output_char_budget)
    note = None
    if kept < len(collected):
        # A page token cannot resume mid-page: say so rather than hand out a token that skips items.
        collected, token = collected[:kept], None
        note = f"Incomplete: {why}. Narrow the query (smaller limit, filters) to see the rest."
        more = True
    elif stalled:
        note = f"Incomplete: {stalled}. The rest, if any, could not be listed."
    elif more and all_pages:
        note = f"Incomplete: stopped at the {cap}-item cap; more items exist. Call again with page={token}."
    return TokenPage[item](data=parse_items(collected, item), has_more=more, next_page=token, note=note)  # type: ignore[valid-type]
