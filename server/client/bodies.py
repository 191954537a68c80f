"""Response bodies read with bounded memory, whatever the upstream (or a proxy in front of it) sends.

* Decompression is ours, in steps of at most ``DECODE_STEP`` bytes of output: httpx inflates a whole
  received chunk at once, so one 1 MB gzip chunk of zeros would become 1 GB in memory. Only gzip and
  deflate are asked for (``ACCEPT_ENCODING``); anything else is refused, not guessed at.
* Every body has a total cap, counted on the decoded bytes as they arrive; past it reading stops with an
  ``ApiError`` of kind ``too_large`` that names the cap.
* Line-oriented bodies (JSONL) are split incrementally, in time linear in their size, with a cap on one
  line's length, so a body that never sends a newline costs at most that cap.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterable, AsyncIterator, Iterator

import httpx

from claude_api_mcp.core.errors import ApiError

ACCEPT_ENCODING = "gzip, deflate"
DECODE_STEP = 1 << 20  # most decompressed bytes produced per step


def mib(size: int) -> str:
    return f"{size / 2**20:g} MiB"


class _Inflater:
    """zlib with bounded output per step; ``None`` for an identity body."""

    def __init__(self, encoding: str | None) -> None:
        # 32 + MAX_WBITS reads a gzip or zlib header, whichever is there (servers label deflate both ways).
        self._z = zlib.decompressobj(32 + zlib.MAX_WBITS) if encoding else None

    @property
    def identity(self) -> bool:
        return self._z is None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._z is None:
            if data:
                yield data
            return
        pending = data
        while True:
            out = self._z.decompress(pending, DECODE_STEP)
            if out:
                yield out
            pending = self._z.unconsumed_tail
            if not pending and len(out) < DECODE_STEP:
                return

    def flush(self) -> Iterator[bytes]:
        if self._z is not None:
            yield from self.feed(b"")


def _encoding(response: httpx.Response, request_id: str | None) -> str | None:
    codings = [c.strip().lower() for c in response.headers.get("content-encoding", "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return str(codings[0])
    raise ApiError(
        message=f"unsupported content-encoding {', '.join(codings)!r} (only gzip and deflate were asked for)",
        network="undecodable",
        request_id=request_id,
    )


async def body_chunks(response: httpx.Response, limit: int, *, what: str = "answer") -> AsyncIterator[bytes]:
    """The decoded body, chunk by chunk, stopping with ``too_large`` once it passes ``limit`` bytes."""
    request_id = response.headers.get("request-id")
    if response.is_stream_consumed:  # built from bytes in memory (a mock transport): already decoded
        if len(response.content) > limit:
            raise _too_large(what, limit, request_id, f"it holds {len(response.content):,} bytes")
        yield response.content
        return
    inflater = _Inflater(_encoding(response, request_id))
    declared = response.headers.get("content-length", "")
    if inflater.identity and declared.isdigit() and int(declared) > limit:
        raise _too_large(what, limit, request_id, f"it declared {int(declared):,} bytes")
    total = 0
    try:
        async for raw in response.aiter_raw():
            for piece in inflater.feed(raw):
                total += len(piece)
                if total > limit:
                    raise _too_large(what, limit, request_id, "it kept coming")
                yield piece
        for piece in inflater.flush():
            total += len(piece)
            if total > limit:
                raise _too_large(what, limit, request_id, "it kept coming")
            yield piece
    except httpx.TimeoutException:  # the body fell silent for the read timeout: a stall, not an answer
        raise ApiError(
            message="nothing more arrived within the read timeout", network="stalled", request_id=request_id
        ) from None
    except zlib.error as exc:
        raise ApiError(
            message=f"the compressed body is corrupt ({exc})", network="undecodable", request_id=request_id
        ) from None


async def read_capped(response: httpx.Response, limit: int) -> bytearray:
    """The whole decoded body, at most ``limit`` bytes (a bytearray: no second copy for json.loads)."""
    body = bytearray()
    async for piece in body_chunks(response, limit):
        body += piece
    return body


async def lines(chunks: AsyncIterable[bytes], max_line: int, *, request_id: str | None = None) -> AsyncIterator[bytes]:
    """Lines split on LF (a trailing CR dropped), each at most ``max_line`` bytes; the last may lack its LF."""
    parts: list[bytes] = []  # pieces of the unfinished line: joined once, when it ends
    size = 0
    async for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            if size + end - start > max_line:
                raise _line_too_long(max_line, request_id)
            parts.append(chunk[start:end])
            yield b"".join(parts).removesuffix(b"\r")
            parts, size, start = [], 0, end + 1
        if start < len(chunk):
            size += len(chunk) - start
            if size > max_line:
                raise _line_too_long(max_line, request_id)
            parts.append(chunk[start:])
    if parts:
        yield b"".join(parts).removesuffix(b"\r")


def _too_large(what: str, limit: int, request_id: str | None, how: str) -> ApiError:
    return ApiError(
        message=f"the {what} passed the {mib(limit)} cap ({how})", network="too_large", request_id=request_id
    )


def _line_too_long(limit: int, request_id: str | None) -> ApiError:
    return ApiError(message=f"a line passed the {mib(limit)} cap", network="too_large", request_id=request_id)
