"""Resource subscriptions: a client watching the organization summary hears when a write may have changed it.

Handshake-era clients subscribe with ``resources/subscribe`` (kept per connection) and get
``notifications/resources/updated`` on the connection's standalone stream; 2026-07-28 clients listen with
``subscriptions/listen`` and the SDK's bus delivers the same event. A subscription to a URI this server
does not serve is accepted and never fires, as the SDK's listen handler does.

What counts as a change: a write tool (or ``write_api``) that ran and was not a dry run. Members, invites,
workspaces and keys are what the summary counts, and every Admin API write touches one of them.

With ``--state-url``, the relay (``app/relay.py``) carries each update to the other instances sharing the
store, and delivers theirs here, to both kinds of watcher.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable
from typing import Any

from mcp.server import MCPServer
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.subscriptions import ResourceUpdated, SubscriptionBus
from mcp.types import EmptyResult, SubscribeRequestParams, UnsubscribeRequestParams

from claude_api_mcp.app.client_logs import connection_state
from claude_api_mcp.app.relay import Relay
from claude_api_mcp.core.tooldef import ToolDef

log = logging.getLogger(__name__)
_STATE_KEY = "claude_api_mcp.subscriptions"


class Subscriptions:
    """Which open connections watch which URIs (weakly held: a closed connection drops out by itself)."""

    def __init__(self, bus: SubscriptionBus, relay: Relay | None = None) -> None:
        self.bus = bus
        self.relay = relay or Relay()  # the other instances sharing the store, if any
        self._connections: weakref.WeakSet[Any] = weakref.WeakSet()

    async def subscribe(self, ctx: ServerRequestContext[Any, Any], params: SubscribeRequestParams) -> EmptyResult:
        connection = getattr(ctx.session, "_connection", None)
        connection_state(ctx).setdefault(_STATE_KEY, set()).add(params.uri)
        if connection is not None:
            self._connections.add(connection)
        return EmptyResult()

    async def unsubscribe(self, ctx: ServerRequestContext[Any, Any], params: UnsubscribeRequestParams) -> EmptyResult:
        connection_state(ctx).get(_STATE_KEY, set()).discard(params.uri)
        return EmptyResult()

    async def updated(self, uris: Iterable[str]) -> None:
        """Tell every watcher of ``uris`` to read them again: here first, then on the other instances."""
        for uri in uris:
            await self.here(uri)
            self.relay.send(uri)  # queued: a store away never holds up the write's answer

    async def here(self, uri: str) -> None:
        """Tell this instance's watchers of ``uri`` (the relay calls it for another instance's update)."""
        await self.bus.publish(ResourceUpdated(uri=uri))  # 2026-07-28 listen streams
        for connection in list(self._connections):
            if uri in connection.state.get(_STATE_KEY, ()):
                # Best effort by the SDK's contract: a connection without a standalone stream drops it.
                await connection.outbound.notify("notifications/resources/updated", {"uri": uri})


def _changed_something(params: Any, result: HandlerResult) -> bool:
    if not isinstance(result, dict) or result.get("isError"):
        return False
    arguments = (params or {}).get("arguments") or {}
    if arguments.get("dry_run"):
        return False
    structured = result.get("structuredContent")
    # A plan awaiting the person's confirmation changed nothing yet.
    return not (isinstance(structured, dict) and ("dry_run" in structured or "confirmation" in structured))


def register_subscriptions(
    server: MCPServer[Any], bus: SubscriptionBus, tools: Iterable[ToolDef], watched: list[str]
) -> Subscriptions:
    """Serve resources/subscribe and /unsubscribe; after a write that ran, announce ``watched`` as updated.

    The server's lifespan runs ``subs.relay`` when the store is shared (``app/assemble.py``)."""
    subs = Subscriptions(bus, Relay(watched))
    lowlevel = server._lowlevel_server  # the SDK's only way to add a handler that sees the request context
    lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, subs.subscribe)
    lowlevel.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, subs.unsubscribe)
    writes = frozenset(t.name for t in tools if not t.read_only)

    async def announce_writes(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        params = ctx.params or {}
        if ctx.method == "tools/call" and params.get("name") in writes and _changed_something(params, result):
            try:
                await subs.updated(watched)
            except Exception:  # a notification must never turn a write that succeeded into an error
                log.warning("could not announce a resource update", exc_info=True)
        return result

    if watched:
        server.middleware.append(announce_writes)
    return subs
