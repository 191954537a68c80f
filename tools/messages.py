"""messages toolset: send a message (always streamed upstream) and count tokens."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import httpx
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from claude_api_mcp.client.bodies import body_chunks
from claude_api_mcp.client.platforms.base import anthropic_model_problem
from claude_api_mcp.client.sse import aiter_sse
from claude_api_mcp.core import scrub
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.errors import ApiError, describe, describe_unexpected
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety import audit
from claude_api_mcp.safety.deps import api, settings
from claude_api_mcp.safety.writes import write
from claude_api_mcp.tools._args import DryRun
from claude_api_mcp.tools._message_request import (
    Betas,
    CacheControlArg,
    ContainerArg,
    DiagnosticsArg,
    ExtraBody,
    InferenceGeo,
    MaxTokens,
    Messages,
    MetadataArg,
    ModelArg,
    OutputConfigArg,
    ServiceTier,
    Speed,
    StopSequences,
    System,
    Temperature,
    ThinkingArg,
    ToolChoiceArg,
    Tools,
    TopK,
    TopP,
    beta_header,
    check_extra_body,
    check_thinking,
    request_body,
)
from claude_api_mcp.tools._message_stream import MalformedStream, MessageAssembler, OutranMaxTokens, StreamFailed
from claude_api_mcp.tools._message_types import Message, TokenCount
from claude_api_mcp.tools._ops import op

CREATE, COUNT = op("messages.create"), op("messages.count_tokens")
KEY = KeyKind.API
NOT_FOUND = "Check the model id with list_models."
PROGRESS_EVERY_S = 0.25  # report progress at most this often while text streams in
_ERROR_STATUS = {  # mid-stream error types → the HTTP status that error type has, for the one error table
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


@tool("messages", KEY, title="Send message", not_found_hint=NOT_FOUND, op="messages.create")
async def send_message(
    ctx: Ctx,
    model: ModelArg,
    max_tokens: MaxTokens,
    messages: Messages,
    system: System = None,
    stop_sequences: StopSequences = None,
    temperature: Temperature = None,
    top_p: TopP = None,
    top_k: TopK = None,
    tools: Tools = None,
    tool_choice: ToolChoiceArg = None,
    thinking: ThinkingArg = None,
    metadata: MetadataArg = None,
    service_tier: ServiceTier = None,
    output_config: OutputConfigArg = None,
    container: ContainerArg = None,
    inference_geo: InferenceGeo = None,
    speed: Speed = None,
    cache_control: CacheControlArg = None,
    diagnostics: DiagnosticsArg = None,
    betas: Betas = None,
    extra_body: ExtraBody = None,
    dry_run: DryRun = False,
) -> Annotated[CallToolResult, Message]:
    """Call Claude (Messages API, streamed) and return the reply: content blocks, stop_reason, usage. Billed."""
    try:
        check_thinking(thinking, max_tokens)
    except ValueError as exc:
        raise ToolError(f"{exc}.") from None
    check_extra_body(extra_body, betas)
    body = request_body(
        extra_body,
        model=model,
        max_tokens=max_tokens,
        messages=messages,
        system=system,
        stop_sequences=stop_sequences,
        temperature=temperature,
        top_p=top_p,
        top_k=top_k,
        tools=tools,
        tool_choice=tool_choice,
        thinking=thinking,
        metadata=metadata,
        service_tier=service_tier,
        output_config=output_config,
        container=container,
        inference_geo=inference_geo,
        speed=speed,
        cache_control=cache_control,
        diagnostics=diagnostics,
        stream=True,
    )
    headers = beta_header(betas)
    if dry_run:
        req = CREATE.prepared(KEY, body=body, headers=headers)
        plan = await write(ctx, req, Message, dry_run=True)
        data = plan.model_dump(mode="json", exclude_none=True)
        return CallToolResult(content=[TextContent(type="text", text=json.dumps(data))], structured_content=data)
    message = await stream_message(ctx, body, headers)
    try:
        Message.model_validate(message)  # the API's shape, checked before it is handed on
    except ValidationError as exc:
        raise ToolError(describe_unexpected(exc)) from None
    return CallToolResult(content=render(message), structured_content=message)


@tool("messages", KEY, title="Count tokens", read_only=True, not_found_hint=NOT_FOUND, op="messages.count_tokens")
async def count_tokens(
    ctx: Ctx,
    model: ModelArg,
    messages: Messages,
    system: System = None,
    tools: Tools = None,
    tool_choice: ToolChoiceArg = None,
    thinking: ThinkingArg = None,
    output_config: OutputConfigArg = None,
    speed: Speed = None,
    cache_control: CacheControlArg = None,
    betas: Betas = None,
) -> TokenCount:
    """Count a Messages request's input tokens without running it."""
    check_model(ctx, model)
    body = request_body(
        model=model,
        messages=messages,
        system=system,
        tools=tools,
        tool_choice=tool_choice,
        thinking=thinking,
        output_config=output_config,
        speed=speed,
        cache_control=cache_control,
    )
    raw = await api(ctx, KEY).request(
        COUNT.method,
        COUNT.path(),
        key=KEY,
        json_body=body,
        headers=beta_header(betas),
        idempotent=True,
        read=True,  # counting changes nothing: a cut answer is asked for again
    )
    return TokenCount.model_validate(raw)


async def stream_message(ctx: Ctx, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """POST with stream=true, report progress as text arrives, and return the assembled Message."""
    check_model(ctx, str(body.get("model")))
    conf = settings(ctx)
    max_tokens = body.get("max_tokens")
    assembler = MessageAssembler(max_tokens if isinstance(max_tokens, int) else None)
    last_report = 0.0
    client = api(ctx, KEY)
    if (attempt := audit.current()) is not None:
        attempt.sending(CREATE.method, CREATE.path())  # write-ahead: on disk before the request leaves
    async with client.stream(CREATE.method, CREATE.path(), key=KEY, json_body=body, headers=headers) as response:
        request_id = response.headers.get("request-id")
        chunks = body_chunks(response, conf.max_stream_bytes, what="event stream")
        if attempt is not None:
            attempt.sent(CREATE.method, CREATE.path(), response.status_code, request_id)
        try:
            async for event in aiter_sse(chunks, max_line=conf.max_line_bytes, idle_timeout=conf.stream_idle_timeout):
                grew = assembler.apply(event.event, event.data)
                now = time.monotonic()
                if grew and now - last_report >= PROGRESS_EVERY_S:
                    last_report = now
                    await ctx.report_progress(assembler.text_chars, None, _progress(assembler))
                if assembler.done:
                    break
        except httpx.HTTPError as exc:
            raise ApiError(message=type(exc).__name__, network="stream_cut", request_id=request_id) from exc
        except StreamFailed as failed:
            raise _mid_stream_error(failed, assembler, request_id) from None
        except MalformedStream as exc:
            raise ToolError(f"The API's event stream was malformed: {exc}. (request id: {request_id})") from None
        except OutranMaxTokens as exc:
            raise ToolError(
                f"The reply outran its max_tokens and was cut off after {assembler.text_chars} characters: {exc}. "
                f"The upstream (or a proxy) is misbehaving; the partial reply is not returned. (request id: "
                f"{request_id})"
            ) from None
        except ApiError as err:
            if err.request_id is None:
                err.request_id = request_id
            raise
    if not assembler.done:
        raise ToolError(
            f"The response stream ended before message_stop after {assembler.text_chars} characters: the reply "
            f"is incomplete. Retry the call. (request id: {request_id})"
        )
    message = assembler.result()
    await ctx.report_progress(assembler.text_chars, assembler.text_chars, f"done: {message.get('stop_reason')}")
    return message


def check_model(ctx: Ctx, model: str) -> None:
    """A model id in another platform's form is refused before any call, saying which form is wanted."""
    client = api(ctx, KEY)
    if client.platform is not None:
        problem = client.platform.model_problem(model)
    else:
        problem = anthropic_model_problem(model, client.settings)
    if problem:
        raise ToolError(problem)


def _progress(assembler: MessageAssembler) -> str:
    tail = scrub.text(" ".join(assembler.tail.split()))[-80:]  # progress is text the client shows
    return f"{assembler.text_chars} characters: …{tail}"


def _mid_stream_error(failed: StreamFailed, assembler: MessageAssembler, request_id: str | None) -> ToolError:
    kind = str(failed.error.get("type") or "api_error")
    err = ApiError(
        message=str(failed.error.get("message") or kind),
        status=_ERROR_STATUS.get(kind, 500),
        type=kind,
        request_id=failed.request_id or request_id,
    )
    text = describe(err, key=KEY)
    return ToolError(f"The API failed mid-stream after {assembler.text_chars} characters ({kind}). {text}")


def render(message: dict[str, Any]) -> list[TextContent]:
    """What a model reads: the reply's text (tool calls as one line each), then one line of metadata."""
    parts: list[str] = []
    for block in message.get("content") or []:
        kind = block.get("type")
        if kind == "text":
            parts.append(block.get("text", ""))
        elif kind in ("tool_use", "server_tool_use"):
            args = json.dumps(block.get("input"), separators=(",", ":"))
            parts.append(f"[{kind} {block.get('name')} id={block.get('id')}] {args}")
        elif kind != "thinking":  # thinking stays in the structured result only
            parts.append(f"[{kind} block]")
    usage = message.get("usage") or {}
    meta = (
        f"[id: {message.get('id')}; model: {message.get('model')}; stop_reason: {message.get('stop_reason')}; "
        f"input_tokens: {usage.get('input_tokens')}; output_tokens: {usage.get('output_tokens')}]"
    )
    return [TextContent(type="text", text="\n\n".join(parts)), TextContent(type="text", text=meta)]


TOOLS: list[ToolDef] = [send_message, count_tokens]
