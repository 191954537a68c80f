"""An httpx transport that runs the sandbox's ASGI app in process, streaming, with injectable faults.

httpx's own ASGITransport collects the whole body before returning, which would hide what matters here:
SSE arriving as it is produced, and memory staying flat over a large JSONL file. This one streams the
body through a small bounded buffer, so the app produces only as fast as the client reads.

Faults (``Fault``) let tests and the fault-injection suite reproduce what the real network does: an
error status with or without ``retry-after``, an HTML page from a proxy, a refused connection, and
failures *after* the API processed the request (reset, read timeout, truncated body, a cut stream) —
the cases where a blind retry would create a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
import httpx
from starlette.types import ASGIApp, Message

FaultKind = Literal["status", "html", "connect", "reset", "read_timeout", "truncate", "cut_stream"]


@dataclass
class Fault:
    """One injected failure, applied to the next ``times`` requests whose ``METHOD path`` matches ``match``."""

    kind: FaultKind
    match: str = ".*"
    times: int = 1
    status: int = 500
    error_type: str = "api_error"
    headers: dict[str, str] = field(default_factory=dict)
    error_code: str | None = None
    keep_bytes: int = 64  # for "truncate" and "cut_stream": how much of the real body gets through

    @property
    def after_app(self) -> bool:
        """True for faults where the API did process the request and the answer was lost on the way back."""
        return self.kind in ("reset", "read_timeout", "truncate", "cut_stream")


class Faults:
    def __init__(self) -> None:
        self._pending: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._pending.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._pending:
                if re.search(fault.match, f"{method} {path}"):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._pending.remove(fault)
                    return fault
        return None


class _AppBody(httpx.AsyncByteStream):
    def __init__(
        self,
        chunks: AsyncIterator[bytes],
        task: asyncio.Task[None],
        closed: anyio.Event,
        receive: anyio.abc.ObjectReceiveStream[bytes] | None = None,
    ) -> None:
        self._chunks, self._task, self._closed = chunks, task, closed
        self._receive = receive  # closed here too: a body abandoned mid-way must not leak its stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            yield chunk
        if self._task.done() and not self._task.cancelled() and self._task.exception() is not None:
            raise httpx.RemoteProtocolError(f"sandbox app failed mid-body: {self._task.exception()!r}")

    async def aclose(self) -> None:
        self._closed.set()
        if self._receive is not None:
            await self._receive.aclose()
        if not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


class _FaultyBody(httpx.AsyncByteStream):
    """Passes ``keep`` bytes of the real body, then fails the way the fault says."""

    def __init__(self, inner: httpx.AsyncByteStream, fault: Fault, request: httpx.Request) -> None:
        self._inner, self._fault, self._request = inner, fault, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        async for chunk in self._inner:
            room = self._fault.keep_bytes - sent
            if room <= 0:
                break
            yield chunk[:room]
            sent += min(room, len(chunk))
        if self._fault.kind == "cut_stream":
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=self._request
            )

    async def aclose(self) -> None:
        await self._inner.aclose()


class SandboxTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app, self.faults = app, faults

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.faults.take(request.method, request.url.path)
        if fault is not None and not fault.after_app:
            return self._fail_before(fault, request)
        response = await self._call_app(request)
        if fault is None:
            return response
        if fault.kind in ("reset", "read_timeout"):
            await response.aread()  # the API did the work; the answer is lost
            await response.aclose()
            exc_type = httpx.ReadTimeout if fault.kind == "read_timeout" else httpx.ReadError
            raise exc_type("injected: " + fault.kind, request=request)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            request=request,
            stream=_FaultyBody(response.stream, fault, request),  # type: ignore[arg-type]
        )

    @staticmethod
    def _fail_before(fault: Fault, request: httpx.Request) -> httpx.Response:
        if fault.kind == "connect":
            raise httpx.ConnectError("injected: connection refused", request=request)
        if fault.kind == "html":
            html = f"<html><head><title>{fault.status} Bad Gateway</title></head><body>nginx</body></html>"
            return httpx.Response(
                fault.status,
                headers={"content-type": "text/html", **fault.headers},
                content=html.encode(),
                request=request,
            )
        from claude_api_mcp.sandbox.wire import error_body, new_request_id

        request_id = new_request_id()
        body = error_body(fault.status, fault.error_type, f"Injected {fault.status}.", request_id, fault.error_code)
        headers = {"content-type": "application/json", "request-id": request_id, **fault.headers}
        return httpx.Response(fault.status, headers=headers, content=body, request=request)

    async def _call_app(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        send_chunk, receive_chunk = anyio.create_memory_object_stream[bytes](max_buffer_size=8)
        started = anyio.Event()
        closed = anyio.Event()
        head: dict[str, Any] = {}
        body_sent = False

        async def receive() -> Message:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await closed.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                head["status"], head["headers"] = message["status"], message.get("headers", [])
                started.set()
            elif message["type"] == "http.response.body":
                if chunk := message.get("body", b""):
                    await send_chunk.send(chunk)
                if not message.get("more_body", False):
                    await send_chunk.aclose()

        async def run() -> None:
            try:
                await self.app(_scope(request), receive, send)
            finally:
                started.set()
                await send_chunk.aclose()

        task = asyncio.get_running_loop().create_task(run())
        await started.wait()
        if "status" not in head:  # the app failed before answering
            await task
            raise httpx.RemoteProtocolError("sandbox app returned no response", request=request)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in head["headers"]]
        return httpx.Response(
            head["status"],
            headers=headers,
            request=request,
            stream=_AppBody(_drain(receive_chunk), task, closed, receive_chunk),
        )


async def _drain(stream: anyio.abc.ObjectReceiveStream[bytes]) -> AsyncIterator[bytes]:
    async with stream:
        async for chunk in stream:
            yield chunk


def _scope(request: httpx.Request) -> dict[str, Any]:
    url = request.url
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": url.scheme,
        "path": url.path,
        "raw_path": url.raw_path.split(b"?")[0],
        "query_string": url.query,
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "client": ("127.0.0.1", 0),
        "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
    }
