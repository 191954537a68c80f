"""The streamable HTTP transport: the MCP endpoint at /mcp plus /health, served by uvicorn.

What protects it, and from what:

* Bearer token (``--http-token``), compared in constant time: anyone who can reach the port but does not
  hold the token gets 401 and learns nothing (no body, no server header).
* No token on a non-loopback address: refused at startup (``bind_problem``), so the admin tools are never
  exposed to a network by accident.
* Host and Origin validation (DNS rebinding: a web page in the person's browser calling a local server)
  stays on, with ``--allowed-hosts`` / ``--allowed-origins`` for deployments behind a proxy.
* A request body limit (``--max-request-body``): 413 beyond it, before the body is read into memory.
* ``/health`` answers ``{"status": "ok"}`` without a token, and nothing else.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import socket
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from server.config import Secret, Settings

LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*")
LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")
OPEN_PATHS = frozenset({"/health"})
KEEP_ALIVE_S = 30


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve to anything


def bind_problem(settings: Settings) -> str | None:
    """Why the HTTP transport must not start with these settings, or None."""
    if not is_loopback(settings.host) and settings.http_token is None:
        return (
            f"refusing to serve HTTP on {settings.host}: that address is reachable from other machines, and "
            "without a token anyone who can reach it could use the tools. Set --http-token "
            "(CLAUDE_API_MCP_HTTP_TOKEN) to a long random value, or bind to 127.0.0.1"
        )
    return None


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """DNS-rebinding protection always on: loopback names, the bind address, and whatever the operator allows."""
    hosts = [*LOOPBACK_HOSTS, *settings.allowed_hosts]
    host = settings.host.strip("[]")
    if not is_loopback(host) and host not in ("0.0.0.0", "::"):
        hosts.append(f"[{host}]:*" if ":" in host else f"{host}:*")
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[*LOOPBACK_ORIGINS, *settings.allowed_origins],
    )


class BearerAuth:
    """Requires ``Authorization: Bearer <token>`` on every path but /health; 401 with no detail otherwise."""

    def __init__(self, app: ASGIApp, token: Secret) -> None:
        self.app = app
        self._expected = token.reveal().encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or self._authorized(scope):
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [(b"www-authenticate", b"Bearer"), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    def _authorized(self, scope: Scope) -> bool:
        values = [v for k, v in scope["headers"] if k == b"authorization"]
        if len(values) != 1:
            return False
        scheme, _, token = values[0].partition(b" ")
        # compare_digest takes time independent of where the first difference is.
        return scheme.lower() == b"bearer" and hmac.compare_digest(token.strip(), self._expected)


class NoReplay:
    """Drops ``Last-Event-ID`` from GET /mcp: no event store keeps past events, so a client asking to resume
    gets what resuming without history is, a fresh stream (the spec lets a server not replay). The SDK
    without a store sends no response at all, which the client sees as HTTP 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"last-event-id"]}
        await self.app(scope, receive, send)


def http_app(server: MCPServer[Any], settings: Settings) -> ASGIApp:
    mcp_app = server.streamable_http_app(
        streamable_http_path="/mcp",
        transport_security=transport_security(settings),
        host=settings.host,
        max_request_body_size=settings.max_request_body_size,
    )

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with server.session_manager.run():
            yield

    app = Starlette(
        routes=[Route("/health", health, methods=["GET"]), Mount("/", app=NoReplay(mcp_app))], lifespan=lifespan
    )
    return BearerAuth(app, settings.http_token) if settings.http_token is not None else app


def run_http(server: MCPServer[Any], settings: Settings, sock: socket.socket | None = None) -> int:
    """Serve until stopped, on ``sock`` when the caller bound it already (serve() does, to report a taken
    port before it says it is listening), else on settings.host:settings.port."""
    problem = bind_problem(settings)
    if problem:  # serve() checks first; this guards any other caller
        raise RuntimeError(problem)
    config = uvicorn.Config(
        http_app(server, settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        lifespan="on",
        server_header=False,
        # Longer than clients' own idle expiry (httpx: 5 s), so a client never reuses a connection at the
        # moment the server drops it (a reset on a request that may have been processed).
        timeout_keep_alive=KEEP_ALIVE_S,
    )
    http = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):  # as uvicorn.run: Ctrl+C is a normal stop
        http.run(sockets=[sock] if sock is not None else None)
    return 0 if http.started else 1  # not started: the lifespan failed, and uvicorn logged why
