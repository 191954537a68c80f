"""Issue 10 #15: a hung or stalling upstream costs seconds that fit the call, not 600 s per attempt.

A real local server (a mock transport never times out) accepts connections and then says nothing, or
sends a stream's headers and falls silent, or keeps a stream alive with pings forever. Retry waits are
recorded by the test's ``sleep`` rather than spent, so the seconds measured are the timeouts themselves.
"""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest

from claude_api_mcp.core.config import Settings
from tests.helpers import text_of
from tests.hostile import RealUpstream, Upstream, connect, message_start, sse, text_delta

pytestmark = pytest.mark.anyio

MESSAGE = {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}


def silent(conn: socket.socket, head: bytes) -> None:
    """Accept the request and never answer."""


def headers_then_silence(conn: socket.socket, head: bytes) -> None:
    first = message_start()
    conn.sendall(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
        + f"{len(first):x}\r\n".encode()
        + first
        + b"\r\n"
    )


def test_the_defaults_fit_each_kind_of_call() -> None:
    defaults = Settings()
    assert defaults.read_timeout <= 60 and defaults.connect_timeout <= 10
    assert defaults.stream_idle_timeout <= 120 and defaults.stream_total_timeout <= 900
    assert defaults.call_timeout <= 90  # issue 19 #12: well under two minutes, whatever the retries


async def test_an_upstream_that_never_answers_costs_the_call_deadline_not_4_read_timeouts(tmp_path: Path) -> None:
    """Issue 19 #12: with the default 60 s read timeout, 4 attempts took 240 s; the deadline stops the first one."""
    with RealUpstream(silent) as upstream:
        async with connect(upstream, tmp_path, call_timeout=1.0) as client:
            started = time.monotonic()
            result = await client.call_tool("get_organization", {})
            seconds = time.monotonic() - started
    text = text_of(result)
    assert result.is_error and "Out of time: the call's 1 s deadline ran out" in text, text
    assert "1 upstream attempt in this call, the last GET /v1/organizations/me: no answer yet" in text
    assert "--call-deadline" in text
    assert upstream.connections == 1 and 1.0 <= seconds < 10  # not 60 s (one read timeout), let alone 4 x 60 s


async def test_a_hung_upstream_costs_the_read_timeout_per_attempt_not_600_s(tmp_path: Path) -> None:
    with RealUpstream(silent) as upstream:
        started = time.monotonic()
        async with connect(upstream, tmp_path, read_timeout=0.4) as client:
            result = await client.call_tool("get_organization", {})
        seconds = time.monotonic() - started
    assert result.is_error and "did not answer in time" in text_of(result), text_of(result)
    assert upstream.connections == 4  # a read is retried after a timeout: 1 + max_retries
    assert seconds < 4 * 0.4 + 3


async def test_the_call_deadline_bounds_every_attempt_together(tmp_path: Path) -> None:
    with RealUpstream(silent) as upstream:
        started = time.monotonic()
        async with connect(upstream, tmp_path, read_timeout=0.4, call_timeout=1.0) as client:
            result = await client.call_tool("get_organization", {})
        seconds = time.monotonic() - started
    text = text_of(result)
    # 0.4 s, a retry (its first backoff fits in what is left), 0.4 s; the next backoff (0.5 s or more) would pass
    # the deadline, so the call stops at once, saying so, instead of sleeping into it.
    assert result.is_error and "Out of time: the call's 1 s deadline ran out (a retry after " in text, text
    assert "2 upstream attempts in this call, the last GET /v1/organizations/me: no answer within the read" in text
    assert upstream.connections == 2
    assert seconds < 10  # the deadline, plus a loaded machine's start and stop of the server


async def test_a_stream_that_falls_silent_is_dropped_after_the_idle_timeout(tmp_path: Path) -> None:
    with RealUpstream(headers_then_silence) as upstream:
        started = time.monotonic()
        async with connect(upstream, tmp_path, stream_idle_timeout=0.5) as client:
            result = await client.call_tool("send_message", MESSAGE)
        seconds = time.monotonic() - started
    text = text_of(result)
    assert result.is_error and "stopped sending: nothing more arrived within the read timeout" in text, text
    assert "check with a read tool before retrying" in text  # a generation may have been billed
    assert upstream.connections == 1 and seconds < 0.5 + 3


async def test_pings_forever_end_at_the_stream_total_limit_and_the_write_says_it_was_sent(tmp_path: Path) -> None:
    async def pings() -> AsyncIterator[bytes]:
        yield message_start()
        while True:  # events keep coming, so no idle timeout fires; nothing is ever produced
            await anyio.sleep(0.05)
            yield sse({"type": "ping"})

    upstream = Upstream(lambda r: httpx.Response(200, content=pings()))
    async with connect(upstream, tmp_path, stream_total_timeout=1.0) as client:
        started = time.monotonic()
        result = await client.call_tool("send_message", MESSAGE)
        seconds = time.monotonic() - started
    text = text_of(result)
    assert result.is_error and "send_message did not finish within 1 s (the limit of a streamed reply" in text, text
    assert "A request that may change something was sent (POST /v1/messages)" in text
    assert 1.0 <= seconds < 4


async def test_a_long_streamed_reply_outlives_the_call_deadline_within_its_own_limits(tmp_path: Path) -> None:
    """The deadline bounds getting the stream's headers; a generation that keeps producing text past it finishes
    (bounded by stream_idle_timeout between events and stream_total_timeout in all)."""

    async def slow_story() -> AsyncIterator[bytes]:
        yield message_start()
        for word in ("Once", " upon", " a", " time"):
            await anyio.sleep(0.4)  # 1.6 s in all: past the 1 s deadline, never idle for long
            yield text_delta(word)
        yield sse({"type": "content_block_stop", "index": 0})
        yield sse({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 4}})
        yield sse({"type": "message_stop"})

    upstream = Upstream(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=slow_story())
    )
    async with connect(upstream, tmp_path, call_timeout=1.0, stream_idle_timeout=1.0) as client:
        started = time.monotonic()
        result = await client.call_tool("send_message", MESSAGE)
        seconds = time.monotonic() - started
    assert not result.is_error, text_of(result)
    assert "Once upon a time" in text_of(result) and seconds >= 1.6
