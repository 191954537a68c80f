r"""The Messages API's SSE event sequence for a complete simulated Message.

``message_start`` (empty content, ``output_tokens: 1``), a ``ping``, each content block as
``content_block_start`` / ``content_block_delta``\* / ``content_block_stop`` (text and thinking in small
pieces, tool input as ``input_json_delta`` fragments, a thinking block's ``signature_delta`` last), then
``message_delta`` with the stop reason and cumulative usage, and ``message_stop``. A fault can end the
stream early, with or without an ``error`` event, the way a real stream can fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def stream_events(message: dict[str, Any], fault: str | None) -> Iterator[bytes]:
    """The API's event sequence for ``message``: start, ping, blocks with deltas, delta with usage, stop."""
    usage = message["usage"]
    start = {
        **message,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {**usage, "output_tokens": 1},
    }
    yield sse("message_start", {"type": "message_start", "message": start})
    yield sse("ping", {"type": "ping"})
    for index, block in enumerate(message["content"]):
        yield from _block_events(index, block)
        if fault and fault.startswith("error:"):
            kind = fault.removeprefix("error:")
            yield sse("error", {"type": "error", "error": {"type": kind, "message": "Overloaded (sandbox fault)"}})
            return
        if fault == "end_early":
            return
    delta_usage = {k: usage[k] for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")}
    yield sse(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {
                "stop_reason": message["stop_reason"],
                "stop_sequence": message["stop_sequence"],
                **({"container": message["container"]} if message.get("container") else {}),
            },
            "usage": {**delta_usage, "output_tokens": usage["output_tokens"]},
        },
    )
    yield sse("message_stop", {"type": "message_stop"})


def _block_events(index: int, block: dict[str, Any]) -> Iterator[bytes]:
    kind = block["type"]
    empty: dict[str, dict[str, Any]] = {
        "text": {"type": "text", "text": ""},
        "thinking": {"type": "thinking", "thinking": "", "signature": ""},
    }
    start = empty.get(kind) or {**block, "input": {}}
    yield sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": start})
    if kind == "text":
        deltas = [{"type": "text_delta", "text": piece} for piece in _pieces(block["text"])]
    elif kind == "thinking":
        deltas = [{"type": "thinking_delta", "thinking": piece} for piece in _pieces(block["thinking"])]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    else:
        raw = json.dumps(block["input"], separators=(",", ":"))
        deltas = [{"type": "input_json_delta", "partial_json": raw[i : i + 12]} for i in range(0, len(raw), 12)]
    for delta in deltas:
        yield sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
    yield sse("content_block_stop", {"type": "content_block_stop", "index": index})


def _pieces(text: str, words: int = 4) -> list[str]:
    """Text in small deltas of a few words, the way the API streams it."""
    parts = text.split(" ")
    return [
        " ".join(parts[i : i + words]) + (" " if i + words < len(parts) else "") for i in range(0, len(parts), words)
    ]
