"""messages toolset, end to end through the in-memory MCP client against the sandbox's SSE stream."""

from __future__ import annotations

import json
from typing import Any

import pytest

from claude_api_mcp import tools
from claude_api_mcp.sandbox import Fault, Sandbox
from claude_api_mcp.sandbox.messages_state import messages_state
from claude_api_mcp.tools import messages as _messages  # noqa: F401  (loads tools.messages)
from claude_api_mcp.tools._message_stream import MalformedStream, MessageAssembler
from tests.conftest import Connect
from tests.helpers import call_error, call_ok, text_of

pytestmark = pytest.mark.anyio

MODEL = "claude-sonnet-4-6"
HELLO = [{"role": "user", "content": "Hello there, please say something long enough to stream in pieces."}]
WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer"},
            "unit": {"enum": ["celsius", "fahrenheit"]},
            "note": {"type": "string"},
        },
        "required": ["city", "days", "unit"],
    },
}


def sent_messages(sandbox: Sandbox) -> list[Any]:
    return [r for r in sandbox.requests if r.path == "/v1/messages"]


async def test_send_message_streams_upstream_and_returns_the_final_message_with_usage(
    connect: Connect, sandbox: Sandbox
) -> None:
    async with connect() as client:
        result = await client.call_tool(
            "send_message", {"model": MODEL, "max_tokens": 300, "messages": HELLO, "system": "Be brief."}
        )
    assert not result.is_error, text_of(result)
    message = result.structured_content
    assert message is not None
    assert message["id"].startswith("msg_") and message["role"] == "assistant" and message["model"] == MODEL
    assert message["stop_reason"] == "end_turn"
    assert message["usage"]["input_tokens"] > 0 and message["usage"]["output_tokens"] > 1  # cumulative, not the start
    text = message["content"][0]["text"]
    assert text.startswith("[sandbox]") and "Hello there" in text
    assert result.content[0].text == text and "stop_reason: end_turn" in result.content[1].text  # type: ignore[union-attr]
    (request,) = sent_messages(sandbox)
    body = request.json()
    assert body["stream"] is True and body["system"] == "Be brief." and body["messages"] == HELLO


async def test_progress_notifications_arrive_while_the_reply_is_still_streaming(
    connect: Connect, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tools.messages, "PROGRESS_EVERY_S", 0.0)
    state = messages_state(sandbox)
    state.event_delay = 0.01
    seen: list[tuple[float, float | None, str | None, int]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message, state.streams_finished))

    async with connect() as client:
        result = await client.call_tool(
            "send_message", {"model": MODEL, "max_tokens": 300, "messages": HELLO}, progress_callback=on_progress
        )
    assert not result.is_error
    assert len(seen) >= 5
    assert seen[0][3] == 0, "the first progress notification came only after the stream had ended"
    counts = [p for p, *_ in seen]
    assert counts == sorted(counts) and counts[0] > 0
    assert "[sandbox]" in (seen[0][2] or "") and (seen[-1][2] or "").startswith("done: end_turn")


async def test_a_forced_tool_returns_a_tool_use_block_whose_input_was_streamed_as_json(
    connect: Connect, sandbox: Sandbox
) -> None:
    args = {
        "model": MODEL,
        "max_tokens": 2048,
        "messages": [{"role": "user", "content": "Weather in Lyon?"}],
        "tools": [WEATHER],
        "tool_choice": {"type": "tool", "name": "get_weather"},
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    }
    async with connect() as client:
        message = await call_ok(client, "send_message", args)
        result = await client.call_tool("send_message", args)
    thinking, tool_use = message["content"]
    assert thinking["type"] == "thinking" and thinking["signature"] and thinking["thinking"].startswith("[sandbox]")
    assert tool_use["type"] == "tool_use" and tool_use["id"].startswith("toolu_") and tool_use["name"] == "get_weather"
    assert tool_use["input"] == {"city": "sandbox", "days": 1, "unit": "celsius"}
    assert message["stop_reason"] == "tool_use"
    assert "[tool_use get_weather id=toolu_" in text_of(result) and '"unit":"celsius"' in text_of(result)
    assert sent_messages(sandbox)[0].json()["thinking"] == {"type": "enabled", "budget_tokens": 1024}


async def test_a_conversation_with_tool_results_and_content_blocks_is_sent_as_given(
    connect: Connect, sandbox: Sandbox
) -> None:
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "Weather?", "cache_control": {"type": "ephemeral"}}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {}}]},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01A", "content": [{"type": "text", "text": "Sunny"}]},
                {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Notes"}},
            ],
        },
    ]
    async with connect() as client:
        await call_ok(
            client,
            "send_message",
            {
                "model": MODEL,
                "max_tokens": 100,
                "messages": messages,
                "tools": [WEATHER],
                "metadata": {"user_id": "u1"},
            },
        )
    body = sent_messages(sandbox)[0].json()
    assert body["messages"] == messages and body["metadata"] == {"user_id": "u1"} and body["tools"] == [WEATHER]


async def test_an_unknown_content_block_type_is_rejected_before_anything_is_sent(
    connect: Connect, sandbox: Sandbox
) -> None:
    bad = [{"role": "user", "content": [{"type": "video", "url": "https://example.com/v.mp4"}]}]
    async with connect() as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 100, "messages": bad})
        also = await call_error(client, "count_tokens", {"model": MODEL, "messages": bad})
    assert "'video'" in text and "'video'" in also
    assert sandbox.requests == type(sandbox.requests)(maxlen=sandbox.requests.maxlen)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"thinking": {"type": "enabled", "budget_tokens": 4096}}, "must be less than max_tokens"),
        ({"thinking": {"type": "enabled", "budget_tokens": 512}}, "greater than or equal to 1024"),
        ({"thinking": {"type": "adaptive", "budget_tokens": 2048}}, "only then"),
        ({"tool_choice": {"type": "tool"}}, "tool_choice.name is required"),
        ({"messages": [{"role": "system", "content": "x"}]}, "role"),
        ({"temperature": 1.5}, "less than or equal to 1"),
        ({"tools": [{"name": "no_schema"}]}, "input_schema is required"),
    ],
)
async def test_bad_parameters_are_refused_before_any_call(
    connect: Connect, sandbox: Sandbox, args: dict[str, Any], expected: str
) -> None:
    async with connect() as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 2048, "messages": HELLO, **args})
    assert expected in text
    assert not sent_messages(sandbox)


async def test_dry_run_returns_the_body_that_would_be_sent_and_sends_nothing(
    connect: Connect, sandbox: Sandbox
) -> None:
    async with connect() as client:
        plan = await call_ok(
            client, "send_message", {"model": MODEL, "max_tokens": 64, "messages": HELLO, "dry_run": True}
        )
    assert plan == {
        "dry_run": {
            "method": "POST",
            "path": "/v1/messages",
            "body": {"model": MODEL, "max_tokens": 64, "messages": HELLO, "stream": True},
            "sent": False,
        }
    }
    assert not sent_messages(sandbox)


async def test_a_mid_stream_error_event_becomes_a_clear_tool_error(connect: Connect, sandbox: Sandbox) -> None:
    messages_state(sandbox).next_stream_fault = "error:overloaded_error"
    async with connect() as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 300, "messages": HELLO})
    assert "mid-stream" in text and "overloaded" in text and "request id: req_" in text


async def test_a_stream_that_ends_without_message_stop_is_reported_incomplete(
    connect: Connect, sandbox: Sandbox
) -> None:
    messages_state(sandbox).next_stream_fault = "end_early"
    async with connect() as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 300, "messages": HELLO})
    assert "ended before message_stop" in text and "incomplete" in text


async def test_a_connection_cut_mid_stream_is_reported_and_not_retried(connect: Connect, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind="cut_stream", match="POST /v1/messages$", keep_bytes=400))
    async with connect() as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 300, "messages": HELLO})
    assert "stream ended before it was complete" in text
    assert len(sent_messages(sandbox)) == 1


async def test_an_unknown_model_names_the_tool_that_lists_models(connect: Connect) -> None:
    async with connect() as client:
        text = await call_error(client, "send_message", {"model": "claude-nope", "max_tokens": 10, "messages": HELLO})
    assert "Not found" in text and "list_models" in text


async def test_max_tokens_and_stop_sequences_stop_the_reply_as_the_api_reports(connect: Connect) -> None:
    async with connect() as client:
        short = await call_ok(client, "send_message", {"model": MODEL, "max_tokens": 5, "messages": HELLO})
        stopped = await call_ok(
            client,
            "send_message",
            {"model": MODEL, "max_tokens": 300, "messages": HELLO, "stop_sequences": ["no model"]},
        )
    assert short["stop_reason"] == "max_tokens" and len(short["content"][0]["text"]) == 20
    assert stopped["stop_reason"] == "stop_sequence" and stopped["stop_sequence"] == "no model"
    assert "no model" not in stopped["content"][0]["text"]


async def test_count_tokens_uses_the_same_message_types_and_is_read_only(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        counted = await call_ok(client, "count_tokens", {"model": MODEL, "messages": HELLO, "tools": [WEATHER]})
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert counted["input_tokens"] > 10
    request = sandbox.requests[-1]
    assert request.path == "/v1/messages/count_tokens" and "stream" not in request.json()
    assert tools["count_tokens"].annotations.read_only_hint is True  # type: ignore[union-attr]
    hints = tools["send_message"].annotations
    assert hints and (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint) == (False, False, False)


async def test_the_input_schema_stays_compact_and_advertises_the_message_output(connect: Connect) -> None:
    async with connect() as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "send_message")
    assert "anyOf" not in tool.input_schema and len(str(tool.input_schema)) < 8000
    assert tool.output_schema and {"content", "stop_reason", "usage"} <= set(tool.output_schema["properties"])


def _start(index: int, block: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return "content_block_start", {"type": "content_block_start", "index": index, "content_block": block}


def _delta(index: int, delta: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}


def _stop(index: int) -> tuple[str, dict[str, Any]]:
    return "content_block_stop", {"type": "content_block_stop", "index": index}


def _message_delta(output_tokens: int) -> tuple[str, dict[str, Any]]:
    usage = {"output_tokens": output_tokens}
    return "message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": usage}


def test_the_assembler_ignores_pings_and_unknown_events_and_keeps_usage_cumulative() -> None:
    citation = {"type": "char_location", "cited_text": "x", "document_index": 0, "start_char_index": 0}
    start = {"id": "msg_1", "content": [], "usage": {"input_tokens": 9, "output_tokens": 1}}
    events = [
        ("ping", {"type": "ping"}),
        ("message_start", {"type": "message_start", "message": start}),
        ("future_event", {"type": "future_event", "anything": True}),
        _start(0, {"type": "text", "text": ""}),
        _delta(0, {"type": "text_delta", "text": "Hi"}),
        _delta(0, {"type": "citations_delta", "citation": citation}),
        _delta(0, {"type": "a_future_delta", "x": 1}),
        _stop(0),
        _start(1, {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}),
        _delta(1, {"type": "input_json_delta", "partial_json": '{"a": [1, '}),
        _delta(1, {"type": "input_json_delta", "partial_json": "2]}"}),
        _stop(1),
        _message_delta(7),
        _message_delta(12),
        ("message_stop", {"type": "message_stop"}),
    ]
    assembler = MessageAssembler()
    for name, data in events:
        assembler.apply(name, json.dumps(data))
    message = assembler.result()
    assert assembler.done and message["stop_reason"] == "tool_use"
    assert message["content"] == [
        {"type": "text", "text": "Hi", "citations": [citation]},
        {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": [1, 2]}},
    ]
    assert message["usage"] == {"input_tokens": 9, "output_tokens": 12}  # the last cumulative count, not a sum


def test_the_assembler_rejects_a_delta_before_its_block_and_a_broken_tool_input() -> None:
    assembler = MessageAssembler()
    assembler.apply("message_start", json.dumps({"type": "message_start", "message": {"content": []}}))
    with pytest.raises(MalformedStream, match="before its content_block_start"):
        assembler.apply(*_encoded(_delta(0, {"type": "text_delta", "text": "x"})))
    assembler.apply(*_encoded(_start(0, {"type": "tool_use", "id": "t", "name": "f", "input": {}})))
    assembler.apply(*_encoded(_delta(0, {"type": "input_json_delta", "partial_json": '{"a": '})))
    with pytest.raises(MalformedStream, match="not valid JSON"):
        assembler.apply(*_encoded(_stop(0)))


def _encoded(event: tuple[str, dict[str, Any]]) -> tuple[str, str]:
    return event[0], json.dumps(event[1])


async def test_an_overloaded_answer_before_the_stream_starts_is_retried(
    connect: Connect, sandbox: Sandbox, sleeps: list[float]
) -> None:
    sandbox.inject(Fault(kind="status", status=529, error_type="overloaded_error", match="POST /v1/messages$"))
    async with connect() as client:
        message = await call_ok(client, "send_message", {"model": MODEL, "max_tokens": 50, "messages": HELLO})
    assert message["stop_reason"] and len(sleeps) == 1
    assert len(sent_messages(sandbox)) == 1  # the 529 was answered before the app saw the request
