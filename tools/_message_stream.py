"""Assemble the final Message from the Messages API's SSE events.

Event order (the API's streaming contract): ``message_start``; per content block ``content_block_start``,
``content_block_delta``\\*, ``content_block_stop``; ``message_delta`` (stop reason, cumulative usage);
``message_stop``. ``ping`` may appear anywhere and new event types may be added: both are ignored. An
``error`` event can arrive after HTTP 200 and is raised as ``StreamFailed``.

A stream that outruns its ``max_tokens`` (an upstream that never stops) raises ``OutranMaxTokens``. Every
delta that carries output is at least one token, so more than ``runaway_limit(max_tokens)`` of them, or a
usage count past that, cannot be an honest reply; the margin leaves room for deltas and counts that do not
map one to one onto tokens.
"""

from __future__ import annotations

import json
from typing import Any

_BLOCK_AND_DELTA_EVENTS = frozenset(
    {"content_block_start", "content_block_delta", "content_block_stop", "message_delta"}
)


class StreamFailed(Exception):
    """An ``error`` event arrived mid-stream."""

    def __init__(self, error: dict[str, Any], request_id: str | None) -> None:
        super().__init__(str(error.get("message") or error.get("type") or "stream error"))
        self.error, self.request_id = error, request_id


class MalformedStream(Exception):
    """The events did not follow the streaming contract (or a tool input was not valid JSON)."""


class OutranMaxTokens(Exception):
    """More output arrived than ``max_tokens`` allows: the stream was cut off here."""


MAX_INDEX_GAP = 64  # blocks arrive in order; a start far past the last one is a hostile stream, not a reply


def runaway_limit(max_tokens: int) -> int:
    return 2 * max_tokens + 64


class MessageAssembler:
    def __init__(self, max_tokens: int | None = None) -> None:
        self.max_tokens = max_tokens
        self.output_deltas = 0  # deltas that carried output
        self.message: dict[str, Any] | None = None
        self.done = False
        self.text_chars = 0  # text and thinking received so far, for progress
        self.tail = ""  # the latest text, for progress messages
        self._json: dict[int, list[str]] = {}
        self._texts: dict[tuple[int, str], list[str]] = {}

    def apply(self, event: str, data: str) -> bool:
        """Apply one event; True when it carried new text (a moment to report progress)."""
        if event in ("ping", "message_stop", "error") or not data:
            if event == "message_stop":
                self.done = True
            elif event == "error":
                payload = _loads(data) if data else {}
                raise StreamFailed(payload.get("error") or payload, payload.get("request_id"))
            return False
        payload = _loads(data)
        kind = payload.get("type", event)
        if kind == "message_start":
            self.message = dict(payload["message"])
            self.message["content"] = list(self.message.get("content") or [])
            return False
        if kind not in _BLOCK_AND_DELTA_EVENTS:
            return False  # new event types may be added: ignore what we do not know
        message = self._started()
        if kind == "content_block_start":
            index = payload["index"]
            blocks = message["content"]
            if not isinstance(index, int) or not 0 <= index <= len(blocks) + MAX_INDEX_GAP:
                raise MalformedStream(f"content_block_start has an impossible index {str(index)[:40]}")
            while len(blocks) <= index:
                blocks.append(None)
            blocks[index] = dict(payload["content_block"])
        elif kind == "content_block_delta":
            return self._delta(self._block(payload["index"]), payload["index"], payload.get("delta") or {})
        elif kind == "content_block_stop":
            self._finish_block(payload["index"])
        elif kind == "message_delta":
            delta = payload.get("delta") or {}
            message.update({k: v for k, v in delta.items() if k != "usage"})
            usage = dict(message.get("usage") or {})
            usage.update({k: v for k, v in (payload.get("usage") or {}).items() if v is not None})
            message["usage"] = usage  # message_delta usage is cumulative: overwrite, never add
            self._check_budget(usage.get("output_tokens"))
        return False

    def _check_budget(self, reported: Any = None) -> None:
        if self.max_tokens is None:
            return
        limit = runaway_limit(self.max_tokens)
        if self.output_deltas > limit:
            raise OutranMaxTokens(f"more than {limit} output deltas arrived for max_tokens={self.max_tokens}")
        if isinstance(reported, int) and reported > limit:
            raise OutranMaxTokens(f"usage reported {reported} output tokens for max_tokens={self.max_tokens}")

    def _delta(self, block: dict[str, Any], index: int, delta: dict[str, Any]) -> bool:
        kind = delta.get("type")
        if any(delta.get(k) for k in ("text", "thinking", "partial_json")):
            self.output_deltas += 1
            self._check_budget()
        if kind in ("text_delta", "thinking_delta"):
            field = "text" if kind == "text_delta" else "thinking"
            text = delta.get(field, "")
            # Kept as parts, joined when the block ends: appending to a growing string is quadratic.
            self._texts.setdefault((index, field), [block.get(field, "")]).append(text)
            return self._grew(text)
        if kind == "input_json_delta":
            self._json.setdefault(index, []).append(delta.get("partial_json", ""))
        elif kind == "signature_delta":
            block["signature"] = delta.get("signature", "")
        elif kind == "citations_delta":
            citations = block.get("citations") or []
            block["citations"] = [*citations, delta.get("citation")]
        return False

    def _grew(self, text: str) -> bool:
        self.text_chars += len(text)
        self.tail = (self.tail + text)[-120:]
        return bool(text)

    def _finish_block(self, index: int) -> None:
        for field in ("text", "thinking"):
            if (texts := self._texts.pop((index, field), None)) is not None:
                self._block(index)[field] = "".join(texts)
        parts = self._json.pop(index, None)
        if parts is None:
            return
        raw = "".join(parts)
        try:
            self._block(index)["input"] = json.loads(raw) if raw else {}
        except ValueError as exc:
            raise MalformedStream(f"content block {index}: the streamed tool input is not valid JSON") from exc

    def _started(self) -> dict[str, Any]:
        if self.message is None:
            raise MalformedStream("an event arrived before message_start")
        return self.message

    def _block(self, index: int) -> dict[str, Any]:
        blocks = self._started()["content"]
        if not 0 <= index < len(blocks) or blocks[index] is None:
            raise MalformedStream(f"a delta for content block {index} arrived before its content_block_start")
        block: dict[str, Any] = blocks[index]
        return block

    def result(self) -> dict[str, Any]:
        message = self._started()
        for index in {*self._json, *(i for i, _ in self._texts)}:
            self._finish_block(index)
        message["content"] = [b for b in message["content"] if b is not None]
        return message


def _loads(data: str) -> dict[str, Any]:
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise MalformedStream("an event's data is not valid JSON") from exc
    if not isinstance(payload, dict):
        raise MalformedStream("an event's data is not a JSON object")
    return payload
