"""The streamable HTTP transport: the MCP endpoint at /mcp plus /health, served by uvicorn."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from server import __version__
from server.config import Settings

LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*")
LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """DNS-rebinding protection always on: loopback names plus whatever the operator allows."""
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[*LOOPBACK_HOSTS, *settings.allowed_hosts],
        allowed_origins=[*LOOPBACK_ORIGINS, *settings.allowed_origins],
    )


def http_app(server: MCPServer[Any], settings: Settings) -> Starlette:
    mcp_app = server.streamable_http_app(
        streamable_http_path="/mcp", transport_security=transport_security(settings), host=settings.host
    )

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with server.session_manager.run():
            yield

    return Starlette(routes=[Route("/health", health, methods=["GET"]), Mount("/", app=mcp_app)], lifespan=lifespan)


def run_http(server: MCPServer[Any], settings: Settings) -> int:
    uvicorn.run(http_app(server, settings), host=settings.host, port=settings.port, log_level="warning", lifespan="on")
    return 0
