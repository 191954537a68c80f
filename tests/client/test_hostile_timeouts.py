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
from tests.hostile import RealUpstream, Upstream, connect, message_start, sse

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
    assert defaults.stream_idle_timeout <= 120 and defaults.call_timeout <= 900


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
        async with connect(upstream, tmp_path, read_timeout=0.7, call_timeout=1.0) as client:
            result = await client.call_tool("get_organization", {})
        seconds = time.monotonic() - started
    assert result.is_error and "get_organization did not finish within 1 s" in text_of(result), text_of(result)
    assert upstream.connections == 2  # the second attempt was cut short by the deadline
    assert seconds < 1.0 + 3


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


async def test_pings_forever_end_at_the_call_deadline_and_the_write_says_it_was_sent(tmp_path: Path) -> None:
    async def pings() -> AsyncIterator[bytes]:
        yield message_start()
        while True:  # events keep coming, so no idle timeout fires; nothing is ever produced
            await anyio.sleep(0.05)
            yield sse({"type": "ping"})

    upstream = Upstream(lambda r: httpx.Response(200, content=pings()))
    async with connect(upstream, tmp_path, call_timeout=1.0) as client:
        started = time.monotonic()
        result = await client.call_tool("send_message", MESSAGE)
        seconds = time.monotonic() - started
    text = text_of(result)
    assert result.is_error and "send_message did not finish within 1 s" in text, text
    assert "A request that may change something was sent (POST /v1/messages)" in text
    assert 1.0 <= seconds < 4
