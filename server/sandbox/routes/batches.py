"""Message Batches: create, list (style A, newest first), get, cancel, delete, and the JSONL results."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.batches_state import BatchesState, BatchRecord
from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import SandboxError, invalid, json_body, ok, page_by_id

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_REQUESTS = 100_000
MAX_BODY_BYTES = 256 * 1024 * 1024
CHUNK = 64 * 1024


def state(request: Request) -> BatchesState:
    batches: BatchesState = sandbox(request).area("batches", BatchesState)
    return batches


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _record(request: Request) -> BatchRecord:
    return state(request).get(request.path_params["message_batch_id"])


async def create_batch(request: Request) -> Response:
    if len(await request.body()) > MAX_BODY_BYTES:
        raise SandboxError(413, "request_too_large", "Request exceeds the maximum allowed number of bytes.")
    body = await json_body(request)
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise invalid("requests: at least one request is required")
    if len(requests) > MAX_REQUESTS:
        raise invalid(f"requests: at most {MAX_REQUESTS} requests are allowed per batch")
    seen: set[str] = set()
    parsed: list[tuple[str, dict]] = []  # type: ignore[type-arg]
    for i, item in enumerate(requests):
        custom_id = item.get("custom_id") if isinstance(item, dict) else None
        if not isinstance(custom_id, str) or not CUSTOM_ID.match(custom_id):
            raise invalid(f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'")
        if custom_id in seen:
            raise invalid(f"requests.{i}.custom_id: duplicate custom_id {custom_id!r}; custom_ids must be unique")
        seen.add(custom_id)
        params = item.get("params")
        if not isinstance(params, dict) or "model" not in params or "messages" not in params:
            raise invalid(f"requests.{i}.params: a Messages request (model, max_tokens, messages) is required")
        if params.get("stream"):
            raise invalid(f"requests.{i}.params.stream: streaming is not supported in batches")
        parsed.append((custom_id, params))
    batches = state(request)
    record = batches.create(parsed, beta=request.headers.get("anthropic-beta"))
    return ok(batches.to_wire(record, _base(request)))


async def list_batches(request: Request) -> Response:
    batches = state(request)
    items = [batches.to_wire(r, _base(request)) for r in batches.newest_first()]
    return ok(page_by_id(request, items))


async def get_batch(request: Request) -> Response:
    return ok(state(request).to_wire(_record(request), _base(request)))


async def cancel_batch(request: Request) -> Response:
    record = _record(request)
    if record.ended_at is not None:
        raise invalid(f"Message batch {record.id} has already finished processing and cannot be canceled.")
    batches = state(request)
    if record.cancel_initiated_at is None:
        record.cancel_initiated_at = batches.box.clock()
    return ok(batches.to_wire(record, _base(request)))


async def delete_batch(request: Request) -> Response:
    record = _record(request)
    if record.ended_at is None:
        raise invalid(f"Message batch {record.id} is still processing; cancel it and wait for it to end first.")
    del state(request).batches[record.id]
    return ok({"id": record.id, "type": "message_batch_deleted"})


async def batch_results(request: Request) -> Response:
    record = _record(request)
    if record.ended_at is None:
        raise SandboxError(404, "not_found_error", f"Results for message batch {record.id} are not available yet.")
    lines = state(request).results(record)

    async def body() -> AsyncIterator[bytes]:
        for chunk in _chunks(lines):
            yield chunk

    return StreamingResponse(body(), media_type="application/binary")


def _chunks(lines: Iterator[bytes]) -> Iterator[bytes]:
    """Lines gathered into ~64 KB chunks: the size of a network read, and few enough to stream fast."""
    pending: list[bytes] = []
    size = 0
    for line in lines:
        pending.append(line)
        size += len(line)
        if size >= CHUNK:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


ROUTES: list[BaseRoute] = [
    Route("/v1/messages/batches", create_batch, methods=["POST"]),
    Route("/v1/messages/batches", list_batches, methods=["GET"]),
    Route("/v1/messages/batches/{message_batch_id}", get_batch, methods=["GET"]),
    Route("/v1/messages/batches/{message_batch_id}", delete_batch, methods=["DELETE"]),
    Route("/v1/messages/batches/{message_batch_id}/cancel", cancel_batch, methods=["POST"]),
    Route("/v1/messages/batches/{message_batch_id}/results", batch_results, methods=["GET"]),
]
