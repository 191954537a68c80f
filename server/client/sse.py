"""A small Server-Sent Events parser (the WHATWG event-stream format), fed bytes as they arrive.

Written here rather than taken from a library (httpx-sse splits lines with httpx's decoder, which has no
size cap) because it is small, must bound memory against a hostile upstream, and the stream it reads (the
Messages API) needs only the core: ``event``/``data`` fields, multi-line data, comments, all three line endings
(including a CR at the end of one chunk and its LF at the start of the next), and a final event that is
never terminated by a blank line (which the format says to discard).
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

from claude_api_mcp.client.bodies import mib
from claude_api_mcp.core.errors import ApiError

DEFAULT_MAX_LINE = 16 * 1024 * 1024
_LINE_END = re.compile(rb"[\r\n]")


@dataclass(frozen=True)
class ServerSentEvent:
    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None


class SSEParser:
    """Incremental: ``feed(chunk)`` returns the events that chunk completed.

    Time is linear in the bytes fed: each byte is scanned once, and an unfinished line is kept as a list of
    pieces joined once when it ends. A line, or an event's data, longer than ``max_line`` bytes raises
    ``ApiError`` (kind ``too_large``) instead of growing without bound.
    """

    def __init__(self, max_line: int = DEFAULT_MAX_LINE) -> None:
        self._max_line = max_line
        self._pending: list[bytes] = []  # pieces of the unfinished line
        self._pending_size = 0
        self._after_cr = False  # the last line ended with a CR: an LF that follows belongs to it
        self._event: str | None = None
        self._data: list[str] = []
        self._data_size = 0
        self._id: str | None = None
        self._retry: int | None = None
        self._first = True

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        start = 0
        if self._after_cr and chunk:
            self._after_cr = False
            if chunk[:1] == b"\n":
                start = 1
        while (found := _LINE_END.search(chunk, start)) is not None:
            end = found.start()
            self._grow(end - start)
            self._pending.append(chunk[start:end])
            line, self._pending, self._pending_size = b"".join(self._pending), [], 0
            if chunk[end : end + 2] == b"\r\n":
                start = end + 2
            else:
                start = end + 1
                self._after_cr = chunk[end : end + 1] == b"\r" and start == len(chunk)
            event = self._line(line.decode("utf-8", errors="replace"))
            if event is not None:
                events.append(event)
        if start < len(chunk):
            self._grow(len(chunk) - start)
            self._pending.append(chunk[start:])
        return events

    def _grow(self, size: int) -> None:
        self._pending_size += size
        if self._pending_size > self._max_line:
            raise ApiError(message=f"an event-stream line passed the {mib(self._max_line)} cap", network="too_large")

    def _line(self, line: str) -> ServerSentEvent | None:
        if self._first:
            self._first = False
            line = line.removeprefix("\ufeff")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data_size += len(value) + 1
            if self._data_size > self._max_line:
                raise ApiError(message=f"an event's data passed the {mib(self._max_line)} cap", network="too_large")
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data and self._event is None:
            return None
        event = ServerSentEvent(
            event=self._event or "message", data="\n".join(self._data), id=self._id, retry=self._retry
        )
        self._event, self._data, self._data_size = None, [], 0
        return event


async def aiter_sse(
    chunks: AsyncIterable[bytes], *, max_line: int = DEFAULT_MAX_LINE, idle_timeout: float | None = None
) -> AsyncIterator[ServerSentEvent]:
    """Events from a byte stream, as soon as each is complete.

    With ``idle_timeout``, bytes that complete no event for that long (a stream kept open by a trickle)
    raise ``ApiError`` of kind ``stalled``; silence itself is the HTTP read timeout's to end.
    """
    parser = SSEParser(max_line)
    last_event = time.monotonic()
    async for chunk in chunks:
        events = parser.feed(chunk)
        now = time.monotonic()
        if events:
            last_event = now
        elif idle_timeout is not None and now - last_event > idle_timeout:
            raise ApiError(message=f"no complete event for {idle_timeout:g} s", network="stalled")
        for event in events:
            yield event
    # A trailing lone CR ends a line too; an unterminated last event is discarded, as the format says.
    for event in parser.feed(b"\n"):
        yield event
