"""GET /v1/organizations/me."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import ok


async def get_me(request: Request) -> Response:
    return ok(sandbox(request).org.organization)


ROUTES: list[BaseRoute] = [Route("/v1/organizations/me", get_me, methods=["GET"])]
