"""Simulated Messages: request checks like the API's, deterministic replies, and the SSE event sequence.

No model runs. Every reply says so ("[sandbox] …") and echoes a summary of the request. When
``tool_choice`` forces a tool (``tool``, or ``any`` with tools given) the reply is one ``tool_use`` block
whose input fills the schema's required fields with placeholder values.

Token counts are an approximation, stated here so nobody mistakes them for real ones:
``ceil(characters / 4)`` over every string value in ``system``, ``messages`` and ``tools`` (object keys
are not counted), plus a flat 1,500 tokens per base64 image or document source, and the same rule over
the reply's text and tool inputs for ``output_tokens``.
"""

from __future__ import annotations

import math
import random
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from claude_api_mcp.sandbox.messages_fields import check_fields, container_of, json_reply
from claude_api_mcp.sandbox.models_state import resolve, thinking_supported
from claude_api_mcp.sandbox.wire import SandboxError, invalid

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.state import SandboxState as Sandbox

BLOCK_TYPES = frozenset(
    {
        "text",
        "image",
        "document",
        "search_result",
        "tool_use",
        "tool_result",
        "thinking",
        "redacted_thinking",
        "server_tool_use",
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result",
        "tool_search_tool_result",
        "container_upload",
    }
)
MAX_BODY_BYTES = 32 * 1024 * 1024
TOKENS_PER_MEDIA = 1500
_ALPHABET = string.ascii_letters + string.digits


@dataclass
class MessagesState:
    """Ids, and test hooks: a fault for the next stream, and a pause between events to watch them arrive."""

    rng: random.Random = field(default_factory=lambda: random.Random(11))
    next_stream_fault: str | None = None  # "error:<error type>" or "end_early"
    event_delay: float = 0.0
    streams_finished: int = 0

    def new_id(self, prefix: str) -> str:
        return prefix + "01" + "".join(self.rng.choice(_ALPHABET) for _ in range(22))


def messages_state(box: Sandbox) -> MessagesState:
    """The sandbox's messages area (tests set its hooks through this)."""
    state: MessagesState = box.area("messages", lambda _: MessagesState())
    return state


def estimate_tokens(value: Any) -> int:
    return math.ceil(_chars(value) / 4) + _media(value) * TOKENS_PER_MEDIA


def _chars(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        if value.get("type") == "base64" and "data" in value:
            return 0
        return sum(_chars(v) for v in value.values())
    if isinstance(value, list):
        return sum(_chars(v) for v in value)
    return 0


def _media(value: Any) -> int:
    if isinstance(value, dict):
        own = 1 if value.get("type") == "base64" and "data" in value else 0
        return own + sum(_media(v) for v in value.values())
    if isinstance(value, list):
        return sum(_media(v) for v in value)
    return 0


def input_tokens(body: dict[str, Any]) -> int:
    return max(1, estimate_tokens([body.get("system"), body.get("messages"), body.get("tools")]))


def check_request(
    body: dict[str, Any], raw_size: int, *, counting: bool = False, betas: str | None = None
) -> dict[str, Any]:
    """The API's request checks; returns the resolved model."""
    if raw_size > MAX_BODY_BYTES:
        raise SandboxError(413, "request_too_large", "Request exceeds the maximum allowed number of bytes.")
    check_fields(body, counting=counting, betas=betas)
    name = body.get("model")
    if not isinstance(name, str) or not name:
        raise invalid("model: Field required")
    model = resolve(name)
    if model is None or model["lifecycle"] == "retired":
        raise SandboxError(404, "not_found_error", f"model: {name}")
    max_tokens = body.get("max_tokens")
    if not counting:
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 0:
            raise invalid("max_tokens: Field required (a non-negative integer)")
        if max_tokens > model["max_tokens"]:
            raise invalid(
                f"max_tokens: {max_tokens} > {model['max_tokens']}, which is the maximum allowed number of output "
                f"tokens for {model['id']}"
            )
    _check_messages(body.get("messages"))
    _check_thinking(body.get("thinking"), model, None if counting else max_tokens)
    _check_tools(body.get("tools"), body.get("tool_choice"))
    for name in ("temperature", "top_p"):
        value = body.get(name)
        if value is not None and not (isinstance(value, int | float) and 0 <= value <= 1):
            raise invalid(f"{name}: Input should be between 0 and 1")
    return model


def _check_messages(messages: Any) -> None:
    if not isinstance(messages, list) or not messages:
        raise invalid("messages: at least one message is required")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise invalid(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        content = message.get("content")
        if isinstance(content, str):
            continue
        if not isinstance(content, list):
            raise invalid(f"messages.{i}.content: Input should be a string or a list of content blocks")
        for j, block in enumerate(content):
            kind = block.get("type") if isinstance(block, dict) else None
            if kind not in BLOCK_TYPES:
                raise invalid(f"messages.{i}.content.{j}.type: unknown content block type {kind!r}")


def _check_thinking(thinking: Any, model: dict[str, Any], max_tokens: int | None) -> None:
    if thinking is None:
        return
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    if kind not in ("enabled", "adaptive", "disabled", "between_tools"):
        raise invalid(f"thinking.type: unknown value {kind!r}")
    if not thinking_supported(model, kind):
        raise invalid(f"thinking.type: {kind!r} is not supported by {model['id']}")
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024:
            raise invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
        if max_tokens is not None and budget >= max_tokens:
            raise invalid("`max_tokens` must be greater than `thinking.budget_tokens`")


def _check_tools(tools: Any, choice: Any) -> None:
    names = [t.get("name") for t in tools or [] if isinstance(t, dict)]
    if isinstance(choice, dict) and choice.get("type") == "tool" and choice.get("name") not in names:
        raise invalid(f"tool_choice: tool {choice.get('name')!r} is not in tools")


# --- the reply ----------------------------------------------------------------------------------------------


def simulate(state: MessagesState, body: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    """The complete Message the sandbox answers ``body`` with."""
    blocks: list[dict[str, Any]] = []
    thinking = body.get("thinking") or {}
    if thinking.get("type") in ("enabled", "adaptive"):
        text = "" if thinking.get("display") == "omitted" else "[sandbox] Simulated thinking: nothing was reasoned."
        blocks.append({"type": "thinking", "thinking": text, "signature": "c2FuZGJveC1zaWduYXR1cmU="})
    forced = _forced_tool(body)
    stop_reason, stop_sequence = "end_turn", None
    if forced is not None:
        tool_input = _placeholder(forced.get("input_schema") or {})
        blocks.append({"type": "tool_use", "id": state.new_id("toolu_"), "name": forced["name"], "input": tool_input})
        stop_reason = "tool_use"
    else:
        reply = json_reply(body, _placeholder) or _reply_text(body, model)
        for seq in body.get("stop_sequences") or []:
            if seq and seq in reply:
                reply, stop_reason, stop_sequence = reply[: reply.index(seq)], "stop_sequence", seq
                break
        limit = body["max_tokens"] * 4
        if len(reply) > limit:
            reply, stop_reason, stop_sequence = reply[:limit], "max_tokens", None
        blocks.append({"type": "text", "text": reply})
    out = max(1, estimate_tokens([b.get("text") or b.get("thinking") or b.get("input") for b in blocks]))
    container = container_of(body, state.new_id("container_"))
    return {
        **({"container": container} if container else {}),
        "id": state.new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": model["id"],
        "content": blocks,
        "stop_reason": stop_reason,
        "stop_sequence": stop_sequence,
        "stop_details": None,
        "usage": {
            "input_tokens": input_tokens(body),
            "output_tokens": out,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
            "service_tier": "standard",
        },
    }


def _forced_tool(body: dict[str, Any]) -> dict[str, Any] | None:
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    choice = body.get("tool_choice") or {}
    if choice.get("type") == "tool":
        return next(t for t in tools if t.get("name") == choice.get("name"))
    if choice.get("type") == "any":
        return next((t for t in tools if "input_schema" in t), None)
    return None


def _placeholder(schema: dict[str, Any]) -> Any:
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return {name: _placeholder(props.get(name) or {}) for name in schema.get("required") or []}
    return {"string": "sandbox", "integer": 1, "number": 1.0, "boolean": True, "array": []}.get(str(kind), "sandbox")


def _reply_text(body: dict[str, Any], model: dict[str, Any]) -> str:
    messages = body["messages"]
    last_user = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    said = _text_of(last_user.get("content")) if last_user else ""
    snippet = " ".join(said.split())[:120] or "(no text)"
    tools = ", ".join(str(t.get("name")) for t in body.get("tools") or [])
    return (
        f"[sandbox] Simulated reply from {model['id']}; no model was run. The request had {len(messages)} "
        f"message(s) and about {input_tokens(body)} input tokens by the sandbox's estimate"
        + (f", with tools: {tools}" if tools else "")
        + f'. The last user turn begins: "{snippet}".'
    )


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    return " ".join(b.get("text", "") for b in content or [] if isinstance(b, dict) and b.get("type") == "text")
