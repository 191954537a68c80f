"""Per call without the MCP client: raw JSON-RPC lines to a server over stdio, one request at a time.

The MCP Python client's own work (its transport, parsing and outputSchema check) is part of every figure the
client measures; this takes it out, so what is left is the server's share of a call (and the pipe). Compared
with the floor (the same GET sent directly over HTTP), it says what a call through the server adds.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream

from bench.measure import CallFailed, percentiles

PROTOCOL = "2025-06-18"  # a version both servers speak


class RawSession:
    def __init__(self, process: Process) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.process, self._in = process, process.stdin
        self._out = BufferedByteReceiveStream(process.stdout)
        self._next = 0

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._next += 1
        await self._send({"jsonrpc": "2.0", "id": self._next, "method": method, "params": params})
        while True:  # skip notifications (logging, progress) until our answer arrives
            message = json.loads(await self._out.receive_until(b"\n", 64 * 1024 * 1024))
            if message.get("id") == self._next:
                if "error" in message or message.get("result", {}).get("isError"):
                    raise CallFailed(f"{method}: {json.dumps(message)[:200]}")
                result: dict[str, Any] = message["result"]
                return result

    async def _send(self, message: dict[str, Any]) -> None:
        await self._in.send(json.dumps(message, separators=(",", ":")).encode() + b"\n")

    async def initialize(self) -> None:
        info = {"name": "bench-raw", "version": "0"}
        await self.request("initialize", {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": info})
        await self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})


@asynccontextmanager
async def open_raw(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> AsyncIterator[RawSession]:
    """A server process spoken to in raw JSON-RPC over its stdin and stdout, initialized."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as errlog:
        async with await anyio.open_process(cmd, env=env, cwd=cwd, stderr=errlog) as process:
            session = RawSession(process)
            try:
                await session.initialize()
                yield session
            finally:
                if process.returncode is None:
                    with suppress(ProcessLookupError):  # it may exit between the check and the signal
                        process.terminate()


async def raw_round(session: RawSession, tool: str, n: int) -> dict[str, float]:
    """``n`` sequential ``tools/call`` of ``tool``, one request in flight: latency percentiles."""
    params = {"name": tool, "arguments": {}}
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await session.request("tools/call", params)
        samples.append(time.perf_counter() - start)
    return percentiles(samples)
