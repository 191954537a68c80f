"""Serve stdio without a worker thread per line (issue 22: per-call speed).

The SDK's stdio transport reads and writes through ``anyio.wrap_file``: every request line and every answer
costs three hand-offs to a worker thread (``readline``, ``write``, ``flush``), each waiting for the event loop
to be woken again. When stdin and stdout are pipes (how every MCP client starts a server), this reads and
writes them on the event loop instead. The SDK still claims both descriptors first (fd 0 reads the null device
and fd 1 goes to stderr while serving, so stray output from a library or a child never reaches the wire), and
restores them afterwards. Anything else (a terminal, /dev/null, a regular file, another event loop) keeps the
SDK's own transport.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from mcp.server import MCPServer
from mcp.server import stdio as sdk_stdio

log = logging.getLogger("claude_api_mcp")
MAX_LINE = 1 << 30  # a JSON-RPC line may carry a whole upload (base64); the SDK's transport has no limit either


class PipeLines:
    """The request lines, as the SDK's transport iterates them (``async for line in stdin``)."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> PipeLines:
        return self

    async def __anext__(self) -> str:
        line = await self._reader.readline()
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


class PipeWriter:
    """The answer side: ``write`` queues the bytes, ``flush`` waits until the pipe has room again."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def write(self, text: str) -> None:
        self._writer.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self._writer.drain()


@asynccontextmanager
async def pipe_streams() -> AsyncIterator[tuple[PipeLines, PipeWriter] | None]:
    """Event-loop streams over the claimed stdin and stdout, or None when they are not both pipes."""
    try:
        asyncio.get_running_loop()  # event-loop pipes are asyncio's; another backend keeps the SDK's transport
    except RuntimeError:
        yield None
        return
    releases: list[Callable[[], None]] = []
    transports: list[asyncio.BaseTransport] = []
    try:
        stdin, release_in = sdk_stdio._claim_fd(0, sys.stdin, "rb", sdk_stdio._open_stdin_diversion)
        if release_in is not None:
            releases.append(release_in)
        stdout, release_out = sdk_stdio._claim_fd(1, sys.stdout, "wb", sdk_stdio._open_stdout_diversion)
        if release_out is not None:
            releases.append(release_out)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=MAX_LINE)
        try:
            if not (_is_pipe(stdin) and _is_pipe(stdout)):  # epoll refuses files and /dev/null, a tty is no pipe
                raise ValueError("not a pipe or socket")
            read_transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
            transports.append(read_transport)
            write_transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, stdout)
            transports.append(write_transport)
        except (OSError, ValueError) as exc:  # not a pipe, socket or character device: the SDK's way
            log.debug("stdio is not a pair of pipes (%s): serving through worker threads", exc)
            for transport in transports:
                transport.close()
            transports.clear()
            for release in reversed(releases):
                release()
            releases.clear()
            yield None
            return
        writer = asyncio.StreamWriter(write_transport, protocol, None, loop)
        yield PipeLines(reader), PipeWriter(writer)
    finally:
        for transport in transports:
            transport.close()
        for release in reversed(releases):
            release()


def _is_pipe(file: Any) -> bool:
    try:
        mode = os.fstat(file.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def serve_stdio(server: MCPServer[Any]) -> None:
    """``server.run("stdio")``, over event-loop pipes when stdin and stdout are pipes."""
    lowlevel = server._lowlevel_server
    async with AsyncExitStack() as stack:
        streams = await stack.enter_async_context(pipe_streams())
        if streams is None:
            transport = sdk_stdio.stdio_server()
        else:
            transport = sdk_stdio.stdio_server(stdin=streams[0], stdout=streams[1])  # type: ignore[arg-type]
        read_stream, write_stream = await stack.enter_async_context(transport)
        await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
