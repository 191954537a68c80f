"""Issue 10 #12 and #13: oversized, compressed, endless and trickling bodies cost bounded memory and time.

Each hostile body is produced lazily (fresh 1 MiB chunks, as a network would deliver them), so the bytes the
upstream had to hand out (``served``) show how far the server read before it stopped. Memory is Python's
traced peak (tracemalloc) during the call; before these limits the same attacks peaked at the body's size
or more (a 1 GB JSON answer: 3.4 GB).
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from claude_api_mcp.client.sse import SSEParser
from claude_api_mcp.tools._message_stream import runaway_limit
from tests.helpers import text_of
from tests.hostile import MiB, Upstream, connect, message_start, peak_memory, text_delta

pytestmark = pytest.mark.anyio

GiB = 1024 * MiB
MESSAGE = {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}]}
BATCH = "msgbatch_01hostile"


def endless(head: bytes, filler: bytes = b"a", total: int = GiB) -> Iterator[bytes]:
    """``head``, then fresh 1 MiB chunks of ``filler`` up to ``total`` bytes, with no line break anywhere."""
    yield head
    for _ in range(total // MiB):
        yield filler * MiB


async def test_a_1_gb_json_answer_stops_at_the_32_mib_cap(tmp_path: Path) -> None:
    upstream = Upstream(lambda r: httpx.Response(200, content=upstream.streamed(lambda: endless(b'{"name": "'))))
    async with connect(upstream, tmp_path) as client:
        with peak_memory() as peak:
            result = await client.call_tool("get_organization", {})
    assert result.is_error and "passed the 32 MiB cap" in text_of(result), text_of(result)
    assert len(upstream.requests) == 1  # not retried: the same answer would come again
    assert upstream.served[0] <= 34 * MiB  # read up to the cap, then no further (of 1,024 MiB offered)
    assert peak[0] < 100 * MiB, f"peak {peak[0] / MiB:.0f} MiB"


async def test_a_declared_1_gb_answer_is_refused_before_its_body_is_read(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = upstream.streamed(lambda: endless(b'{"name": "'))
        return httpx.Response(200, content=body, headers={"content-length": str(GiB)})

    upstream = Upstream(handler)
    async with connect(upstream, tmp_path) as client:
        result = await client.call_tool("get_organization", {})
    assert result.is_error and "declared 1,073,741,824 bytes" in text_of(result)
    assert upstream.served[0] == 0


async def test_a_gzip_bomb_is_inflated_step_by_step_and_stops_at_the_cap(tmp_path: Path) -> None:
    squeeze = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MiB)
    bomb = b"".join(squeeze.compress(zeros) for _ in range(128)) + squeeze.flush()  # 128 MiB in ~0.6 MiB
    assert len(bomb) < MiB

    def handler(request: httpx.Request) -> httpx.Response:
        body = upstream.streamed(lambda: iter([bomb]))  # one received chunk: httpx would inflate it whole
        return httpx.Response(200, content=body, headers={"content-encoding": "gzip"})

    upstream = Upstream(handler)
    async with connect(upstream, tmp_path) as client:
        with peak_memory() as peak:
            result = await client.call_tool("get_organization", {})
    assert result.is_error and "passed the 32 MiB cap" in text_of(result), text_of(result)
    assert peak[0] < 100 * MiB, f"peak {peak[0] / MiB:.0f} MiB"


async def test_a_gzip_bomb_download_stops_at_the_5_mb_download_cap(tmp_path: Path) -> None:
    squeeze = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(squeeze.compress(bytes(MiB)) for _ in range(64)) + squeeze.flush()
    meta = {"id": "file_01bomb", "type": "file", "filename": "small.txt", "mime_type": "text/plain", "size_bytes": 9}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/content"):
            body = upstream.streamed(lambda: iter([bomb]))
            return httpx.Response(200, content=body, headers={"content-encoding": "gzip"})
        return httpx.Response(200, json={**meta, "downloadable": True})

    upstream = Upstream(handler)
    async with connect(upstream, tmp_path) as client:
        with peak_memory() as peak:
            result = await client.call_tool("download_file", {"file_id": "file_01bomb"})
    assert result.is_error and "small.txt is 6.0 MB or more" in text_of(result), text_of(result)
    assert peak[0] < 24 * MiB, f"peak {peak[0] / MiB:.0f} MiB"  # httpx alone inflates the chunk whole: 64 MiB


async def test_an_unasked_for_encoding_is_refused_not_guessed_at(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=upstream.streamed(lambda: iter([b"{}"])), headers={"content-encoding": "br"})

    upstream = Upstream(handler)
    async with connect(upstream, tmp_path) as client:
        result = await client.call_tool("get_organization", {})
    assert result.is_error and "unsupported content-encoding 'br'" in text_of(result)
    assert upstream.requests[0].headers["accept-encoding"] == "gzip, deflate"


def batch_upstream(results: Iterator[bytes] | None = None) -> Upstream:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/results"):
            return httpx.Response(200, content=upstream.streamed(lambda: results or iter([])))
        return httpx.Response(200, json={"id": BATCH, "type": "message_batch", "processing_status": "ended"})

    upstream = Upstream(handler)
    return upstream


async def test_a_1_gb_batch_result_line_stops_at_the_16_mib_line_cap(tmp_path: Path) -> None:
    first = json.dumps({"custom_id": "ok", "result": {"type": "succeeded"}}).encode() + b"\n"
    upstream = batch_upstream(endless(first + b'{"custom_id": "big", "result": {"type": "succeeded", "x": "'))
    async with connect(upstream, tmp_path) as client:
        with peak_memory() as peak:
            result = await client.call_tool("get_batch_results", {"message_batch_id": BATCH})
    assert result.is_error and "a line passed the 16 MiB cap" in text_of(result), text_of(result)
    assert upstream.served[0] <= 18 * MiB
    assert peak[0] < 64 * MiB, f"peak {peak[0] / MiB:.0f} MiB"


async def test_a_256_mb_unterminated_sse_line_stops_at_the_line_cap(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = upstream.streamed(lambda: endless(message_start() + b'data: {"x": "', total=256 * MiB))
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    upstream = Upstream(handler)
    async with connect(upstream, tmp_path) as client:
        started = time.monotonic()
        with peak_memory() as peak:
            result = await client.call_tool("send_message", {**MESSAGE, "max_tokens": 1024})
        seconds = time.monotonic() - started
    assert result.is_error and "event-stream line passed the 16 MiB cap" in text_of(result), text_of(result)
    assert "A request that may change something was sent (POST /v1/messages)" in text_of(result)
    assert upstream.served[0] <= 18 * MiB and len(upstream.requests) == 1
    assert peak[0] < 64 * MiB, f"peak {peak[0] / MiB:.0f} MiB"
    assert seconds < 30  # before: quadratic, still running after 5 minutes at 256 MB


def test_the_sse_parser_reads_a_long_line_in_linear_time() -> None:
    parser = SSEParser(max_line=64 * MiB)
    piece = b"a" * 4096
    started = time.monotonic()
    assert parser.feed(b"data: ") == []
    for _ in range(32 * MiB // len(piece)):  # 8,192 small chunks: the old parser copied the whole line each time
        assert parser.feed(piece) == []
    events = parser.feed(b"\n\n")
    seconds = time.monotonic() - started
    assert len(events) == 1 and len(events[0].data) == 32 * MiB
    assert seconds < 10, f"{seconds:.1f} s for 32 MiB"


async def test_an_endless_delta_stream_is_cut_off_once_it_outruns_max_tokens(tmp_path: Path) -> None:
    def deltas() -> Iterator[bytes]:
        yield message_start()
        while True:  # never stops on its own
            yield text_delta("tok ")

    upstream = Upstream(lambda r: httpx.Response(200, content=upstream.streamed(deltas)))
    async with connect(upstream, tmp_path) as client:
        result = await client.call_tool("send_message", {**MESSAGE, "max_tokens": 16})
    text = text_of(result)
    assert result.is_error and "outran its max_tokens" in text and "more than 96 output deltas" in text, text
    served_deltas = (upstream.served[0] - len(message_start())) // len(text_delta("tok "))
    assert runaway_limit(16) < served_deltas <= runaway_limit(16) + 8


async def test_a_stream_of_huge_deltas_stops_at_the_64_mib_stream_cap(tmp_path: Path) -> None:
    def deltas() -> Iterator[bytes]:
        yield message_start()
        while True:
            yield text_delta("y" * MiB)

    upstream = Upstream(lambda r: httpx.Response(200, content=upstream.streamed(deltas)))
    async with connect(upstream, tmp_path) as client:
        with peak_memory() as peak:
            result = await client.call_tool("send_message", {**MESSAGE, "max_tokens": 64000})
    assert result.is_error and "event stream passed the 64 MiB cap" in text_of(result), text_of(result)
    assert upstream.served[0] <= 66 * MiB
    assert peak[0] < 200 * MiB, f"peak {peak[0] / MiB:.0f} MiB"


async def test_a_trickle_that_completes_no_event_is_stopped_at_the_idle_timeout(tmp_path: Path) -> None:
    async def trickle() -> AsyncIterator[bytes]:
        yield message_start()
        while True:  # bytes keep coming (so no read timeout fires), but no event is ever completed
            await anyio.sleep(0.02)
            yield b": still here\n"

    upstream = Upstream(lambda r: httpx.Response(200, content=trickle()))
    async with connect(upstream, tmp_path, stream_idle_timeout=0.5) as client:
        started = time.monotonic()
        result = await client.call_tool("send_message", {**MESSAGE, "max_tokens": 16})
        seconds = time.monotonic() - started
    assert result.is_error and "no complete event for 0.5 s" in text_of(result), text_of(result)
    assert 0.5 <= seconds < 5
