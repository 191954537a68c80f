"""What a tool needs from the running server, reached through the MCP context of its call.

The app layer's lifespan yields the object (``app.assemble.AppState``); this layer names only what it
reads, as a Protocol, so nothing here imports the layers above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.client.http import AnthropicAPI
from claude_api_mcp.core.config import KeyKind, Settings, key_problem
from claude_api_mcp.core.instruments import Instruments
from claude_api_mcp.core.store import Store
from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.safety.prepared import NotPreparable, is_capturing

if TYPE_CHECKING:
    from claude_api_mcp.safety.audit import AuditLog


class Deps(Protocol):
    settings: Settings
    api: AnthropicAPI
    audit: AuditLog | None
    instruments: Instruments
    store: Store  # single-use confirmations (shared by instances with --state-url)


def state(ctx: Ctx) -> Deps:
    return cast("Deps", ctx.request_context.lifespan_context)


def settings(ctx: Ctx) -> Settings:
    return state(ctx).settings


def store(ctx: Ctx) -> Store:
    return state(ctx).store


def api(ctx: Ctx, key: KeyKind) -> AnthropicAPI:
    """The shared API client, after checking (before any call) that the key for ``key`` is usable.

    Out of reach while a write is being prepared ahead of its question: nothing is sent before the answer.
    """
    if is_capturing():
        raise NotPreparable
    app = state(ctx)
    if key is KeyKind.API and app.api.platform is not None:  # --platform: its own credentials, checked at startup
        return app.api
    secret = app.settings.key(key)
    if secret is None:
        raise ToolError(f"{key.env_var} is not set: this tool needs {key.label}.")
    if problem := key_problem(key, secret.reveal()):
        raise ToolError(problem)
    return app.api
