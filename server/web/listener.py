"""uvicorn's HTTP/1.1 protocol with three additions: a header deadline, a bound on requests per
keep-alive connection, and a shutdown that answers instead of resetting.

* Slowloris: uvicorn times out idle keep-alive connections but not a request whose headers arrive a byte
  at a time. A connection that has not completed its request headers within ``header_timeout`` seconds
  of its first byte (or of connecting) gets 408 and is closed. The body has its own deadline
  (``BodyLimits`` in ``server/web/guard.py``).
* Rebalancing: after ``MAX_REQUESTS_PER_CONNECTION`` requests a response says ``Connection: close``, so a
  client's pool of kept-alive connections reconnects now and then and the kernel spreads it again over
  the workers (a replaced worker gets its share instead of only the connections opened after it).
* Shutdown: a request in flight is answered with ``Connection: close``; an idle kept-alive connection
  stays open ``DRAIN_S`` and a request arriving in that time gets ``503`` with ``Connection: close`` and
  ``Retry-After`` instead of a reset, so the client knows it did not run and may send it elsewhere.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from starlette.types import Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.protocols.http.flow_control import CLOSE_HEADER
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
MAX_REQUESTS_PER_CONNECTION = 200  # a reconnect per 200 calls costs well under 1% on loopback
DRAIN_S = 1.0  # how long an idle connection is kept open during shutdown to answer a late request
DRAINING_BODY = b"This server is shutting down; the request did not run. Retry it."


async def draining(scope: Scope, receive: Receive, send: Send) -> None:
    """The answer to a request that reaches a worker after it began shutting down."""
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(DRAINING_BODY)).encode()),
        (b"retry-after", b"1"),
        CLOSE_HEADER,
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": DRAINING_BODY})


class HeaderTimeoutProtocol(H11Protocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._header_deadline: asyncio.TimerHandle | None = None
        # An attribute set on uvicorn's Config (pickled to each worker with it), not a class per value.
        self.header_timeout: float = getattr(config, "header_timeout", 10.0)
        self.requests_served = 0
        self.draining = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._arm()  # still waiting for (the rest of) a request's headers: keep the first deadline
        else:
            self._disarm()

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not None and self.cycle is not cycle:  # a new request began
            self.requests_served += 1
            if self.requests_served >= MAX_REQUESTS_PER_CONNECTION:
                self._last_request()

    def _last_request(self) -> None:
        """uvicorn answers ``Connection: close`` and closes after this response when the request says so."""
        if self.cycle is not None and not self.cycle.response_started:
            headers = self.cycle.scope["headers"]  # uvicorn's own list (self.headers), shared with the app
            if isinstance(headers, list) and CLOSE_HEADER not in headers:
                headers.append(CLOSE_HEADER)
            self.cycle.keep_alive = False

    def shutdown(self) -> None:
        if self.cycle is None or self.cycle.response_complete:
            if self.draining or self.transport.is_closing():
                return
            self.draining = True
            self.app = draining  # what a late request on this connection gets
            self.loop.call_later(DRAIN_S, self._close_if_idle)
            return
        self._last_request()  # in flight: answered, then closed, and the client is told so
        super().shutdown()

    def _close_if_idle(self) -> None:
        if self.cycle is None or self.cycle.response_complete:
            if not self.transport.is_closing():
                self.conn.send(h11.ConnectionClosed())
                self.transport.close()
        else:
            self.cycle.keep_alive = False  # a late request is being answered 503: close after it

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_deadline is None and self.conn.their_state is h11.IDLE:
            self._header_deadline = self.loop.call_later(self.header_timeout, self._expire)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _expire(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            if self.cycle is None or self.cycle.response_complete:
                self.transport.write(TIMEOUT_RESPONSE)
            self.transport.close()
