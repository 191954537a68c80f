"""A hostile upstream for tests: the server talks to it through its real HTTP path, never patched.

``Upstream`` wraps a handler in an ``httpx.MockTransport`` and counts what reached it (and the body bytes it
handed out). ``RealUpstream`` is a small threaded TCP server for what only a real socket shows (timeouts:
a mock transport never times out). Bodies are produced lazily by async generators, so a "1 GB" answer
costs the test nothing unless the server under test reads it all.
"""

from __future__ import annotations

import json
import socket
import threading
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import ConfirmPolicy, Profile, Settings
from claude_api_mcp.core.secret import Secret
from tests.helpers import Sleeps

CANARY = "HOSTILE5e2b"
ADMIN = f"sk-ant-admin01-{CANARY}-admin-Qm2Lr7Tz4Kw8Vb3Nc6Xd1Fg5Hj0Ps9"
API = f"sk-ant-api03-{CANARY}-api-Zt8Rn3Wq6Ye1Ua4Io7Pl2Kj5Hg9Fd0"
TOKEN = f"token-{CANARY}-Mb5Nv2Cx8Zl1Kj4"
TAILS = (ADMIN[-12:], API[-12:], TOKEN[-12:])  # what a truncated repr would still show
MiB = 1 << 20

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Upstream:
    handler: Handler
    requests: list[httpx.Request] = field(default_factory=list)
    served: list[int] = field(default_factory=lambda: [0])  # body bytes handed out by streamed answers

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def streamed(self, chunks: Callable[[], Iterator[bytes]]) -> AsyncIterator[bytes]:
        """An async body from a generator of chunks, counting the bytes actually pulled."""

        async def gen() -> AsyncIterator[bytes]:
            for chunk in chunks():
                self.served[0] += len(chunk)
                yield chunk

        return gen()

    def count(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if r.method == method and r.url.path == path)


def settings(tmp_path: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "admin_key": Secret(ADMIN),
        "api_key": Secret(API),
        "http_token": Secret(TOKEN),
        "profile": Profile.ADMIN,
        "confirm": ConfirmPolicy.NEVER,
        "audit_log": tmp_path / "audit.jsonl",
    }
    return Settings(**{**base, **overrides})


@asynccontextmanager
async def connect(
    upstream: Upstream | RealUpstream, tmp_path: Path, client_kwargs: dict[str, Any] | None = None, **overrides: Any
) -> AsyncIterator[Client]:
    """A client on a server whose upstream is ``upstream`` (a mock transport, or a real socket)."""
    if isinstance(upstream, RealUpstream):
        conf, transport = settings(tmp_path, base_url=upstream.url, **overrides), None
    else:
        conf, transport = settings(tmp_path, **overrides), upstream.transport()
    server = build_server(conf, transport=transport, sleep=Sleeps())
    async with Client(server, **(client_kwargs or {})) as client:
        yield client


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """Peak traced Python memory (bytes) inside the block, in the one-item list yielded."""
    result = [0]
    tracemalloc.start()
    try:
        yield result
    finally:
        result[0] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


class RealUpstream:
    """A TCP server on 127.0.0.1 that answers each connection with ``script(conn, head)`` (in a thread)."""

    def __init__(self, script: Callable[[socket.socket, bytes], None]) -> None:
        self.script = script
        self.connections = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> RealUpstream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(5)

    def _serve(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                head = conn.recv(65536)  # the request head (small requests only)
                self.script(conn, head)
                self._stop.wait(10)  # keep the connection open (a hung upstream) until the test ends
            except OSError:
                pass


# --- Messages API event streams ------------------------------------------------------------------------------


def sse(data: dict[str, Any]) -> bytes:
    return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n".encode()


def message_start() -> bytes:
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [], "usage": {}}
    start = sse({"type": "message_start", "message": message})
    return start + sse({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})


def text_delta(text: str) -> bytes:
    return sse({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}})


def reply(text: str) -> bytes:
    """A whole, well-formed streamed reply saying ``text``."""
    end = sse({"type": "content_block_stop", "index": 0})
    end += sse({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 5}})
    return message_start() + text_delta(text) + end + sse({"type": "message_stop"})
