"""Sandbox: the state, the ASGI app that serves it, and the transport that plugs it into the one client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette

from claude_api_mcp.sandbox.app import build_app
from claude_api_mcp.sandbox.state import SandboxState
from claude_api_mcp.sandbox.transport import Fault, SandboxTransport


class Sandbox(SandboxState):
    def __init__(self, *, clock: Callable[[], datetime] | None = None, record_limit: int = 10_000) -> None:
        super().__init__(clock=clock, record_limit=record_limit)
        self.app: Starlette = build_app(self)

    def transport(self) -> SandboxTransport:
        return SandboxTransport(self.app, self.faults)

    def inject(self, fault: Fault) -> None:
        self.faults.add(fault)
