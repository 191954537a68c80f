"""batches toolset: Message Batches, with results streamed line by line whatever their size."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from enum import Enum
from typing import Annotated, Any

import httpx
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from claude_api_mcp.client.bodies import body_chunks, lines
from claude_api_mcp.client.models import ApiObject, CursorPage
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety.deps import api, settings
from claude_api_mcp.safety.writes import DeletedResult, Writable, write
from claude_api_mcp.tools._args import AfterId, AllPages, BeforeId, DryRun, Limit, id_arg
from claude_api_mcp.tools._lists import list_cursor
from claude_api_mcp.tools._message_request import Betas, MessageParams, beta_header
from claude_api_mcp.tools._ops import op
from claude_api_mcp.tools._schema import compact, untitled

LIST, GET, CREATE = op("messages.batches.list"), op("messages.batches.retrieve"), op("messages.batches.create")
RESULTS, CANCEL = op("messages.batches.results"), op("messages.batches.cancel")
DELETE = op("messages.batches.delete")
KEY = KeyKind.API
NOT_FOUND = "Call list_batches to find valid batch ids."
MAX_REQUESTS = 100_000
MAX_BODY_BYTES = 256 * 1024 * 1024
BatchId = Annotated[str, id_arg("msgbatch_")]


class ResultType(str, Enum):
    succeeded = "succeeded"
    errored = "errored"
    canceled = "canceled"
    expired = "expired"


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=compact)

    custom_id: str = Field(pattern=r"^[a-zA-Z0-9_-]{1,64}$", description="Unique in the batch; matches results.")
    # Published as a plain object: the full Messages schema is send_message's, and repeating it here would
    # double its cost in every tools/list. Validation still uses the whole model, before anything is sent.
    params: Annotated[
        MessageParams,
        WithJsonSchema(
            {
                "type": "object",
                "description": "send_message's arguments but betas and dry_run.",
                "required": ["model", "max_tokens", "messages"],
            }
        ),
    ]


class RequestCounts(ApiObject):
    processing: int = 0
    succeeded: int = 0
    errored: int = 0
    canceled: int = 0
    expired: int = 0


class Batch(ApiObject):
    model_config = ConfigDict(extra="allow", json_schema_extra=untitled)

    id: str | None = None
    type: str | None = None
    processing_status: str | None = None
    request_counts: RequestCounts | None = None
    created_at: str | None = None
    expires_at: str | None = None
    ended_at: str | None = None
    cancel_initiated_at: str | None = None
    archived_at: str | None = None
    results_url: str | None = None


class BatchResult(Batch, Writable):
    pass


class BatchResults(BaseModel):
    message_batch_id: str
    counts: dict[str, int] = Field(description="Result lines per type, over the whole results file.")
    total: int = Field(description="Result lines in the file.")
    matched: int = Field(description="Lines matching the filters.")
    results: list[dict[str, Any]] = Field(description="Matching lines ({custom_id, result}), at most limit.")
    note: str | None = Field(None, description="Why fewer than the matching lines were returned, if so.")


async def _lines(response: httpx.Response, request_id: str | None, max_line: int) -> AsyncIterator[str]:
    """Non-blank lines, each at most ``max_line`` bytes; the file's total is unbounded (memory stays flat)."""
    try:
        async for raw in lines(body_chunks(response, 2**63, what="results file"), max_line, request_id=request_id):
            if raw.strip():
                yield raw.decode("utf-8", errors="replace")
    except httpx.HTTPError as exc:
        raise ApiError(message=type(exc).__name__, network="stream_cut", request_id=request_id) from exc


def _path(batch_id: str) -> str:
    return GET.path(message_batch_id=batch_id)


@tool("batches", KEY, title="Create message batch", op="messages.batches.create")
async def create_batch(
    ctx: Ctx,
    requests: Annotated[list[BatchRequest], Field(min_length=1, description="Messages requests.")],
    betas: Betas = None,
    dry_run: DryRun = False,
) -> BatchResult:
    """Create a Message Batch: up to 100,000 Messages requests, run asynchronously at half price."""
    if len(requests) > MAX_REQUESTS:
        raise ToolError(f"A batch holds at most {MAX_REQUESTS:,} requests; got {len(requests):,}. Split it.")
    dupes = sorted(cid for cid, n in Counter(r.custom_id for r in requests).items() if n > 1)
    if dupes:
        raise ToolError(f"custom_id must be unique in a batch; repeated: {', '.join(dupes[:10])}.")
    if not betas and (beta_only := [r.custom_id for r in requests if r.params.extra_body]):
        raise ToolError(f"extra_body holds beta-only fields ({', '.join(beta_only[:10])}): name their betas in betas.")
    body = {"requests": [{"custom_id": r.custom_id, "params": r.params.body()} for r in requests]}
    size = len(json.dumps(body, separators=(",", ":")).encode())
    if size > MAX_BODY_BYTES:
        raise ToolError(f"The batch is {size / 2**20:.0f} MB serialized; the API's limit is 256 MB. Split it.")
    req = CREATE.prepared(KEY, body=body, headers=beta_header(betas))
    return await write(ctx, req, BatchResult, dry_run=dry_run)


@tool("batches", KEY, title="List message batches", read_only=True, op="messages.batches.list")
async def list_batches(
    ctx: Ctx,
    limit: Limit = 20,
    after_id: AfterId = None,
    before_id: BeforeId = None,
    all_pages: AllPages = False,
) -> CursorPage[Batch]:
    """List Message Batches in the key's workspace, newest first."""
    return await list_cursor(
        ctx,
        LIST.path(),
        Batch,
        key=KEY,
        limit=limit,
        after_id=after_id,
        before_id=before_id,
        all_pages=all_pages,
    )


@tool(
    "batches", KEY, title="Get message batch", read_only=True, not_found_hint=NOT_FOUND, op="messages.batches.retrieve"
)
async def get_batch(ctx: Ctx, message_batch_id: BatchId) -> Batch:
    """A batch's processing status and request counts (poll until ended)."""
    return Batch.model_validate(await api(ctx, KEY).request("GET", _path(message_batch_id), key=KEY))


@tool(
    "batches",
    KEY,
    title="Get message batch results",
    read_only=True,
    not_found_hint=NOT_FOUND,
    op="messages.batches.results",
)
async def get_batch_results(
    ctx: Ctx,
    message_batch_id: BatchId,
    result_types: Annotated[list[ResultType] | None, Field(description="Only these result types.")] = None,
    custom_ids: Annotated[list[str] | None, Field(description="Only these custom_ids.")] = None,
    limit: Annotated[int, Field(ge=1, le=1000, description="Most lines to return.")] = 20,
) -> BatchResults:
    """An ended batch's results: counts per type and up to limit matching lines."""
    client = api(ctx, KEY)
    batch = await client.request("GET", _path(message_batch_id), key=KEY)
    if batch.get("processing_status") != "ended":
        pending = (batch.get("request_counts") or {}).get("processing", "?")
        raise ToolError(
            f"Batch {message_batch_id} is {batch.get('processing_status')} ({pending} requests "
            "processing): results exist once it has ended. Poll get_batch."
        )
    types = {t.value for t in result_types} if result_types else None
    ids = set(custom_ids) if custom_ids else None
    conf = settings(ctx)
    budget = conf.output_char_budget
    counts: dict[str, int] = {}
    kept: list[dict[str, Any]] = []
    total = matched = used = 0
    note = None
    # The file may be hundreds of MB: read it a line at a time and keep only what is returned.
    async with client.stream(RESULTS.method, RESULTS.path(message_batch_id=message_batch_id), key=KEY) as response:
        request_id = response.headers.get("request-id")
        async for line in _lines(response, request_id, conf.max_line_bytes):
            try:
                entry = json.loads(line)
            except ValueError:
                raise ToolError(f"Result line {total + 1} is not valid JSON (request id: {request_id}).") from None
            if not isinstance(entry, dict):
                raise ToolError(f"Result line {total + 1} is not a JSON object (request id: {request_id}).")
            result = entry.get("result")
            kind = str(result.get("type") if isinstance(result, dict) else None)
            total += 1
            counts[kind] = counts.get(kind, 0) + 1
            if (types is None or kind in types) and (ids is None or entry.get("custom_id") in ids):
                matched += 1
                if len(kept) < limit and note is None:
                    used += len(line)
                    if used > budget and kept:
                        note = f"Stopped at {len(kept)} lines to stay under {budget} characters; narrow the filters."
                    else:
                        kept.append(entry)
            if total % 10_000 == 0:
                await ctx.report_progress(total, None, f"{total} result lines read")
    if note is None and matched > len(kept):
        note = f"{matched - len(kept)} more matching lines; filter by custom_ids or result_types, or raise limit."
    return BatchResults(
        message_batch_id=message_batch_id, counts=counts, total=total, matched=matched, results=kept, note=note
    )


@tool(
    "batches",
    KEY,
    title="Cancel message batch",
    destructive=True,
    idempotent=True,
    not_found_hint=NOT_FOUND,
    op="messages.batches.cancel",
)
async def cancel_batch(ctx: Ctx, message_batch_id: BatchId, dry_run: DryRun = False) -> BatchResult:
    """Cancel a batch that is still processing; requests not yet run end as canceled."""
    req = CANCEL.prepared(KEY, idempotent=True, current=GET, message_batch_id=message_batch_id)
    return await write(ctx, req, BatchResult, dry_run=dry_run)


@tool(
    "batches",
    KEY,
    title="Delete message batch",
    destructive=True,
    idempotent=True,
    not_found_hint=NOT_FOUND,
    op="messages.batches.delete",
)
async def delete_batch(ctx: Ctx, message_batch_id: BatchId, dry_run: DryRun = False) -> DeletedResult:
    """Delete an ended batch and its results (cancel a running one first)."""
    req = DELETE.prepared(KEY, idempotent=True, current=GET, message_batch_id=message_batch_id)
    return await write(ctx, req, DeletedResult, dry_run=dry_run)


TOOLS: list[ToolDef] = [create_batch, list_batches, get_batch, get_batch_results, cancel_batch, delete_batch]
