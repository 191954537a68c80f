"""Helpers the route modules share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.state import SandboxState as Sandbox


def sandbox(request: Request) -> Sandbox:
    box: Sandbox = request.app.state.sandbox
    return box
