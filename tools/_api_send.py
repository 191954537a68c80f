"""Sending a generic read and shaping what comes back, bounded like the typed tools' answers.

* objects: the API's object, as sent;
* pages: one page, or with ``all_pages`` every page up to the item cap and the size budget, saying so
  when it stopped early (the typed list tools' own loop, ``tools/_lists.py``: a repeating cursor or an empty
  page claiming more ends it); a report window keeps the report tools' reach and request budget;
* JSONL (batch results): lines up to the size budget;
* binary (downloads): text when it is text and small, base64 when small, refused otherwise;
* server-sent events (session streams): what arrives within ``SSE_SECONDS`` and ``SSE_EVENTS``, with a
  note that the stream was left open upstream.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any

import anyio
import httpx
from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.client.catalog import Operation
from claude_api_mcp.client.http import AnthropicAPI
from claude_api_mcp.client.sse import SSEParser
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.safety.deps import api, settings
from claude_api_mcp.safety.prepared import Prepared
from claude_api_mcp.tools._lists import _fit, walk
from claude_api_mcp.tools._reports_fetch import window_budget

SSE_SECONDS = 10.0
SSE_EVENTS = 100
MAX_BINARY = 5 * 2**20
# pagination style -> (query parameter of the next page, response field holding it)
_NEXT = {
    "cursor": ("after_id", "last_id"),
    "token": ("page", "next_page"),
    "bidirectional": ("page", "next_page"),
    "report": ("page", "next_page"),
    "page_token": ("page_token", "next_page"),
}


async def send(ctx: Ctx, op: Operation, req: Prepared, *, all_pages: bool) -> dict[str, Any]:
    client = api(ctx, req.key)
    kind = op.response_kind
    if kind == "page":
        return await _pages(ctx, client, op, req, all_pages)
    if kind in ("jsonl", "binary", "sse"):
        async with client.stream(
            req.method, req.path, key=req.key, params=req.query, headers=req.headers, json_body=req.body
        ) as response:
            try:
                if kind == "jsonl":
                    return await _jsonl(ctx, response)
                if kind == "sse":
                    return await _sse(ctx, response)
                return await _binary(ctx, response)
            except httpx.HTTPError as exc:
                raise ApiError(
                    message=type(exc).__name__, network="stream_cut", request_id=response.headers.get("request-id")
                ) from exc
    body = await client.request(
        req.method, req.path, key=req.key, params=req.query, headers=req.headers, json_body=req.body
    )
    return as_object(body)


def as_object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    return body if isinstance(body, dict) else {"data": body}


async def _pages(ctx: Ctx, client: AnthropicAPI, op: Operation, req: Prepared, all_pages: bool) -> dict[str, Any]:
    conf = settings(ctx)
    param, field = _NEXT.get(op.pagination or "", ("page", "next_page"))
    backward = op.pagination == "cursor" and (req.query or {}).get("before_id") is not None
    if backward:
        param, field = "before_id", "first_id"
    query = dict(req.query or {})
    # A report window keeps the typed report tools' policy: its reach back, and their request budget.
    budget = window_budget(ctx, op.properties, query, all_pages=all_pages, now=datetime.now(timezone.utc))

    async def fetch(cursor: str | None, _: int) -> Any:
        params = {**query, param: cursor} if cursor is not None else query
        return await client.request("GET", req.path, key=req.key, params=params, headers=req.headers)

    found = await walk(
        ctx,
        fetch,
        start=query.get(param),
        cursor_of=lambda page: page.get(field),
        all_pages=all_pages,
        cap=conf.list_item_cap,
        max_requests=budget,
        backward=backward,
        lenient=True,
    )
    collected, more = found.items, found.more and found.cursor is not None
    kept, why = _fit(collected, conf.list_item_cap if all_pages else len(collected), conf.output_char_budget)
    out = {**found.page}
    note = None
    if kept < len(collected):
        collected, more = collected[:kept], True
        if op.pagination == "cursor":
            ids = [x.get("id") for x in collected if isinstance(x, dict)]
            out["first_id"], out["last_id"] = (ids[0], ids[-1]) if ids else (None, None)
            note = f"Incomplete: {why}; more items exist. Call again with {param}={out[field]} to continue."
        else:  # a page token cannot resume mid-page
            out[field] = None
            note = f"Incomplete: {why}. Narrow the query (smaller limit, filters) to see the rest."
    elif found.stopped and not found.resumable:
        note = f"Incomplete: {found.stopped}. The rest, if any, could not be listed."
    elif all_pages and more:
        why = found.stopped or f"stopped at the {conf.list_item_cap}-item cap"
        note = f"Incomplete: {why}; more items exist. Call again with {param}={out.get(field)} to continue."
    out["data"] = list(reversed(collected)) if backward else collected
    if "has_more" in out or not all_pages:
        out["has_more"] = more
    if note:
        out["note"] = note
    return out


async def _jsonl(ctx: Ctx, response: httpx.Response) -> dict[str, Any]:
    """Whole lines up to the budget; bytes are read only as far as needed (a line never ends: stop there)."""
    budget = settings(ctx).output_char_budget
    lines: list[Any] = []
    buffer, used = b"", 0
    async for chunk in response.aiter_bytes():
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        for line in complete:
            if not line.strip():
                continue
            used += len(line) + 1
            if used > budget and lines:
                note = f"Stopped at {len(lines)} lines to stay under {budget} characters; more lines exist."
                return {"data": lines, "has_more": True, "note": note}
            lines.append(_json_line(line))
        if len(buffer) > budget:
            note = f"Stopped at {len(lines)} lines: the next line is longer than {budget} characters."
            return {"data": lines, "has_more": True, "note": note}
    if buffer.strip():
        lines.append(_json_line(buffer))
    return {"data": lines, "has_more": False}


def _json_line(line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        raise ApiError(message="a line was not valid JSON", network="truncated") from None


async def _binary(ctx: Ctx, response: httpx.Response) -> dict[str, Any]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BINARY:
            raise ToolError(f"The content is larger than {MAX_BINARY // 2**20} MB; download_file handles files.")
        chunks.append(chunk)
    data = b"".join(chunks)
    budget = settings(ctx).output_char_budget
    media = response.headers.get("content-type", "application/octet-stream").split(";")[0][:100]
    out: dict[str, Any] = {"media_type": media, "size_bytes": len(data)}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and len(text) <= budget:
        return {**out, "text": text}
    if len(data) * 4 // 3 <= budget:
        return {**out, "content_base64": base64.b64encode(data).decode()}
    raise ToolError(f"The content ({len(data)} bytes) does not fit in a result of {budget} characters.")


async def _sse(ctx: Ctx, response: httpx.Response) -> dict[str, Any]:
    parser, events = SSEParser(), list[Any]()
    budget, used, received = settings(ctx).output_char_budget, 0, 0
    why = f"{SSE_SECONDS:.0f} s passed"
    with anyio.move_on_after(SSE_SECONDS):
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            for event in parser.feed(chunk):
                try:
                    item: Any = json.loads(event.data)
                except ValueError:
                    item = {"event": event.event, "data": event.data}
                used += len(event.data)
                if used > budget and events:
                    why = f"the result reached {budget} characters"
                    break
                events.append(item)
                if len(events) >= SSE_EVENTS:
                    why = f"{SSE_EVENTS} events arrived"
                    break
            else:
                if received <= 2 * budget:
                    continue
                why = f"{received} bytes arrived"  # bytes that never complete an event still end the read
            break
        else:
            why = "the stream ended"
    note = f"Streamed events: {len(events)}; stopped because {why}."
    if why != "the stream ended":
        note += " The stream was left open upstream; call again for newer events."
    return {"data": events, "note": note}
