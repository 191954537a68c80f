"""The one pagination helper behind every list tool.

With ``all_pages`` the server follows the API's cursor itself, up to an item cap and a size budget, and
a list that stopped early always says so: ``has_more`` stays true, the cursor to continue from is given,
and ``note`` explains why. A model must never mistake a capped list for a complete one.

A page that brings nothing new (no item not already seen, or the same cursor again) while the API still
says more exist ends the walk there: an upstream that keeps claiming ``has_more`` / ``next_page`` would
otherwise be followed forever. The note says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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


def _fresh(data: list[Any], seen: set[str], id_field: str) -> list[Any]:
    """The items not seen before (items without an id count as new: the cursor check catches their loops)."""
    out = []
    for obj in data:
        ident = obj.get(id_field) if isinstance(obj, dict) else None
        if isinstance(ident, str):
            if ident in seen:
                continue
            seen.add(ident)
        out.append(obj)
    return out


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
    cursor = before_id if backward else after_id
    cap = conf.list_item_cap if all_pages else limit
    collected: list[dict[str, Any]] = []  # in the direction of travel
    has_more = False
    seen: set[str] = set()
    pages = 0
    stalled: str | None = None
    while True:
        page_size = min(API_MAX_LIMIT, cap - len(collected)) if all_pages else limit
        query = {**(params or {}), "limit": page_size, ("before_id" if backward else "after_id"): cursor}
        page, data = _data(await client.request("GET", path, key=key, params=query))
        pages += 1
        fresh = _fresh(data, seen, id_field)
        collected.extend(reversed(fresh) if backward else fresh)
        has_more = bool(page.get("has_more"))
        previous, cursor = cursor, page.get("first_id") if backward else page.get("last_id")
        if all_pages and has_more and (not fresh or cursor == previous):
            stalled = _stalled(pages)
            break
        if all_pages and has_more:
            await ctx.report_progress(len(collected), None, f"{len(collected)} items so far")
        if not all_pages or not has_more or not cursor or len(collected) >= cap:
            break

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
    collected: list[dict[str, Any]] = []
    token = page
    seen: set[str] = set()
    tokens: set[str] = {page} if page else set()
    pages = 0
    stalled: str | None = None
    while True:
        size = min(API_MAX_LIMIT, cap - len(collected)) if all_pages and limit is not None else limit
        query = {**(params or {}), "limit": size, "page": token}
        body, data = _data(await client.request("GET", path, key=key, params=query))
        pages += 1
        fresh = _fresh(data, seen, "id")
        collected.extend(fresh)
        token = body.get("next_page")
        token = token if isinstance(token, str) and token else None
        more = bool(body.get("has_more", token is not None)) and token is not None
        if all_pages and more and (not fresh or token in tokens):
            stalled = _stalled(pages)
            break
        if token is not None:
            tokens.add(token)
        if all_pages and more:
            await ctx.report_progress(len(collected), None, f"{len(collected)} items so far")
        if not all_pages or not more or len(collected) >= cap:
            break

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
