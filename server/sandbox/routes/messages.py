"""Messages: POST /v1/messages (JSON, or SSE when stream is true) and POST /v1/messages/count_tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.message_events import stream_events
from claude_api_mcp.sandbox.messages_state import MessagesState, check_request, input_tokens, messages_state, simulate
from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import json_body, ok


def state(request: Request) -> MessagesState:
    return messages_state(sandbox(request))


async def create_message(request: Request) -> Response:
    body = await json_body(request)
    model = check_request(body, len(await request.body()), betas=request.headers.get("anthropic-beta"))
    messages = state(request)
    message = simulate(messages, body, model)
    if not body.get("stream"):
        return ok(message)
    fault, messages.next_stream_fault = messages.next_stream_fault, None

    async def events() -> AsyncIterator[bytes]:
        for chunk in stream_events(message, fault):
            yield chunk
            if messages.event_delay:
                await anyio.sleep(messages.event_delay)
        messages.streams_finished += 1

    headers = {"cache-control": "no-cache"}
    return StreamingResponse(events(), media_type="text/event-stream; charset=utf-8", headers=headers)


async def count_tokens(request: Request) -> Response:
    body = await json_body(request)
    check_request(body, len(await request.body()), counting=True, betas=request.headers.get("anthropic-beta"))
    return ok({"input_tokens": input_tokens(body)})


ROUTES: list[BaseRoute] = [
    Route("/v1/messages", create_message, methods=["POST"]),
    Route("/v1/messages/count_tokens", count_tokens, methods=["POST"]),
]
