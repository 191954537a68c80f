"""build_server(settings): the MCP server with the selected tools and a lifespan that owns the one client."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from mcp.server import MCPServer
from mcp.server.mcpserver import RequestStateSecurity
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.subscriptions import InMemorySubscriptionBus

from claude_api_mcp import __version__
from claude_api_mcp.app import dashboards, telemetry
from claude_api_mcp.app.features import register_features
from claude_api_mcp.app.profiles import Selection, select
from claude_api_mcp.app.prompts import register_prompts
from claude_api_mcp.app.strict import ClaudeApiServer
from claude_api_mcp.app.tool_index import indexed_tools, listed_tool
from claude_api_mcp.app.unlisted import not_enabled
from claude_api_mcp.client.http import AnthropicAPI, make_client
from claude_api_mcp.client.platforms import build as build_platform
from claude_api_mcp.core import scrub
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.instruments import NONE as NO_INSTRUMENTS
from claude_api_mcp.core.instruments import Combined, Instruments
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.core.store import MemoryStore, Store, open_store
from claude_api_mcp.safety import audit
from claude_api_mcp.safety.audit import AuditLog
from claude_api_mcp.safety.confirm_policy import announcing
from claude_api_mcp.safety.rounds import remember_rounds

if TYPE_CHECKING:  # the sandbox is imported only when it is used (start-up time: bench/startup_split.py)
    from claude_api_mcp.sandbox import Sandbox

log = logging.getLogger("claude_api_mcp")

INSTRUCTIONS = (
    "Tools for one Claude API organization: members, invites, workspaces, API keys, usage and cost reports "
    "(Admin API key), and messages, models, batches, files, skills (standard API key). Times are UTC. "
    "Lists may be partial: has_more true means more exist."
)


@dataclass
class AppState:
    settings: Settings
    api: AnthropicAPI
    sandbox: Sandbox | None
    audit: AuditLog | None = None  # None when nothing is logged (read-only selection, or the sandbox by default)
    instruments: Instruments = NO_INSTRUMENTS
    store: Store = field(default_factory=MemoryStore)  # single-use confirmations; Redis with --state-url


def effective_settings(settings: Settings) -> Settings:
    """In the sandbox, keys that were not given are stand-ins, so every tool works with no credential.

    With --platform, the platform gets stand-in cloud credentials instead, and the Admin API (Anthropic's
    own) is listed only when an Admin key is given, as outside the sandbox."""
    if not settings.sandbox:
        return settings
    if settings.platform is not None:
        from claude_api_mcp.sandbox.platform_auth import stand_in

        return dataclasses.replace(settings, platform=stand_in(settings.platform))
    from claude_api_mcp.sandbox import SANDBOX_ADMIN_KEY, SANDBOX_API_KEY

    return dataclasses.replace(
        settings,
        admin_key=settings.admin_key or Secret(SANDBOX_ADMIN_KEY),
        api_key=settings.api_key or Secret(SANDBOX_API_KEY),
    )


def build_server(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    sandbox: Sandbox | None = None,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    instruments: Instruments = NO_INSTRUMENTS,
) -> MCPServer:
    """The server for ``settings``. Tests pass their own ``sandbox`` (to inspect it), ``transport``, or a
    ``sleep`` that records retry waits instead of spending them. The web layer passes its ``instruments``
    (Prometheus counters and JSON call logs)."""
    settings = effective_settings(settings)
    if (otel := telemetry.instruments()) is not None:  # OTEL_* set and the SDK installed (app/telemetry.py)
        instruments = Combined(instruments, otel)
    scrub.register_settings(settings)  # before anything is logged or answered: every text is scrubbed of them
    scrub.install_logging()
    every_tool = indexed_tools()  # the registry's tools, imported only when first called (tool_index.py)
    selection = select(every_tool, settings)
    platform = build_platform(settings.platform)  # raises MissingExtra, naming the extra to install
    if settings.sandbox and transport is None:
        from claude_api_mcp.sandbox import Sandbox

        sandbox = sandbox or Sandbox()
        transport = sandbox.transport()

    audit_path = audit.target(settings, has_writes=any(not t.read_only for t in selection.tools))

    @asynccontextmanager
    async def lifespan(_: MCPServer[Any]) -> AsyncIterator[AppState]:
        log_file = (
            AuditLog(audit_path, (settings.admin_key, settings.api_key, settings.http_token)) if audit_path else None
        )
        store = open_store(settings.state_url)
        try:
            # With a shared store, resource updates cross instances while the server runs (app/relay.py).
            async with make_client(settings, transport) as client, subs.relay.running(store, subs.here):
                instruments.observe_client(client)  # upstream status codes, retries, request ids per tool call
                api = AnthropicAPI(client, settings) if sleep is None else AnthropicAPI(client, settings, sleep=sleep)
                api.platform = platform  # --platform: standard-key calls go to Bedrock/Vertex/Foundry
                yield AppState(settings, api, sandbox, audit=log_file, instruments=instruments, store=store)
        finally:
            await store.close()
            if log_file is not None:
                log_file.close()

    bus = InMemorySubscriptionBus()  # resource updates for 2026-07-28 listeners (app/subscriptions.py)
    server = ClaudeApiServer(
        "claude-api-mcp",
        tools=[listed_tool(tool, settings) for tool in selection.tools],
        title="Claude API",
        version=__version__,
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        subscriptions=bus,
        warn_on_duplicate_tools=True,
        unlisted={t.name: not_enabled(t, settings) for t in every_tool if t not in selection.tools},
        request_state_security=state_security(settings),  # --state-key: any worker resumes a confirmation
        middleware=instruments.middleware(),
        extensions=[apps] if (apps := dashboards.extension(selection.tools)) else None,
    )
    # Outside the SDK's sealing boundary: a confirmation round is named by its sealed token (safety/rounds.py).
    server.middleware.insert(0, remember_rounds)
    server.middleware.append(announcing(settings))  # each client: whether this server can ask its person
    register_prompts(server, selection)  # prompts and resources whose tools are listed
    subs = register_features(server, selection, bus)  # logging, completions, templates, subscriptions
    server.selection = selection  # type: ignore[attr-defined]  # read by the CLI's startup report and doctor
    return server


def state_security(settings: Settings) -> RequestStateSecurity | None:
    """The SDK's sealing policy from ``--state-key``; None keeps the SDK's per-process key.

    Confirmations on the 2026-07-28 protocol travel as sealed request state; sealed with the ``--state-key``
    ring (first seals, all unseal), any worker can open what another sealed."""
    if not settings.state_keys:
        return None
    return RequestStateSecurity(keys=[k.reveal() for k in settings.state_keys])


def selection_of(server: MCPServer[Any]) -> Selection:
    selection: Selection = server.selection  # type: ignore[attr-defined]
    return selection


__all__ = ["AppState", "ToolError", "build_server", "effective_settings", "selection_of"]
