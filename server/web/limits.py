"""Older-protocol MCP sessions per client: the ``SessionLimit`` layer of the HTTP chain.

The counting rules live with the store (``server/core/session_slots.py``): at most
``--max-sessions-per-client`` per client (the person with OAuth, else the address, as named by a trusted
proxy), a new session beyond it ending the client's least recently used idle one, refusal only when all
of them are busy. This layer applies them to requests and keeps this worker's SDK sessions in step:

* an opening request (POST without ``Mcp-Session-Id``, protocol before 2026-07-28) reserves a slot
  first, and the session id of the answer takes it over (the slot is given back if none came);
* a request on a session counts as in flight while it runs (an open GET stream keeps it busy);
* DELETE ends the session in the store whichever instance it reaches, and a session ended anywhere
  (DELETE, eviction) is answered 404 here and ended in this worker's SDK, at once or within ``SWEEP_S``;
* a refusal is a JSON-RPC error (HTTP 429, ``Retry-After``) naming the limit and when to retry.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import anyio
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claude_api_mcp.core import identity
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.store import Store
from claude_api_mcp.web.guard import client_key, respond

log = logging.getLogger("claude_api_mcp")
SESSION_HEADER = b"mcp-session-id"
SWEEP_S = 5.0  # how soon a session ended on another instance is ended in this worker's SDK too
TOO_MANY_SESSIONS = -32000  # JSON-RPC "server error" range: a limit, not a malformed request


def open_sessions(managers: Iterable[StreamableHTTPSessionManager]) -> dict[str, Any]:
    """This worker's live SDK sessions by id. The SDK has no public listing; its table is what its own
    ``max_sessions`` counts, so it is also the truest answer for ``/ready``."""
    found: dict[str, Any] = {}
    for manager in managers:
        found.update(getattr(manager, "_server_instances", {}))
    return found


class SessionLimit:
    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        store: Store,
        managers: Callable[[], Iterable[StreamableHTTPSessionManager]],
    ) -> None:
        self.app = app
        self.settings = settings
        self.store = store
        self.managers = managers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sid = next((v.decode("latin-1") for k, v in scope["headers"] if k == SESSION_HEADER), None)
        if sid is not None:
            await self._on_session(sid, scope, receive, send)
            return
        modern = any(k == b"mcp-protocol-version" and v >= b"2026" for k, v in scope["headers"])
        if scope["method"] != "POST" or modern:  # no session is opened
            await self.app(scope, receive, send)
            return
        owner = self.owner(scope)
        ticket = "ticket-" + uuid.uuid4().hex
        limit, idle = self.settings.max_sessions_per_client, self.settings.session_idle_timeout
        admission = await self.store.admit_session(owner, ticket, limit, idle)
        if not admission.admitted:
            await self._refuse(scope, send, admission.retry_after)
            return
        if admission.evicted is not None:
            await self.end_here(admission.evicted)
        opened: list[str] = []

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                opened.extend(v.decode("latin-1") for k, v in message.get("headers", []) if k == SESSION_HEADER)
                if opened:  # before the client learns the id: its next request must find the session counted
                    with anyio.CancelScope(shield=True):
                        await self.store.bind_session(ticket, opened[0])
            await send(message)

        try:
            await self.app(scope, receive, watching)
        finally:
            with anyio.CancelScope(shield=True):  # the slot must follow the session even on a cut connection
                if opened:
                    await self.store.session_end(opened[0])  # the opening request is answered: idle now
                else:
                    await self.store.release_ticket(ticket)

    def owner(self, scope: Scope) -> str:
        caller = identity.current()
        return f"person:{caller.subject}" if caller and caller.subject else f"address:{client_key(scope)}"

    async def _on_session(self, sid: str, scope: Scope, receive: Receive, send: Send) -> None:
        if not await self.store.session_begin(sid):  # ended (DELETE or eviction), maybe on another instance
            await self.end_here(sid)
            body = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Session not found"}}
            await respond(send, 404, json.dumps(body).encode(), [(b"content-type", b"application/json")])
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                if scope["method"] == "DELETE":  # on whichever instance: the session ends everywhere
                    await self.store.close_session(sid, self.owner(scope), self.settings.session_idle_timeout)
                else:
                    await self.store.session_end(sid)

    async def _refuse(self, scope: Scope, send: Send, retry_after: int) -> None:
        limit = self.settings.max_sessions_per_client
        message = (
            f"Too many open sessions: this client already has {limit} (--max-sessions-per-client), all busy "
            f"with a request. Retry in {retry_after} s, or end one of them (HTTP DELETE with its Mcp-Session-Id)."
        )
        body = {
            "jsonrpc": "2.0",
            "id": request_id(scope),
            "error": {
                "code": TOO_MANY_SESSIONS,
                "message": message,
                "data": {"limit": "max_sessions_per_client", "max": limit, "retry_after": retry_after},
            },
        }
        headers = [(b"content-type", b"application/json"), (b"retry-after", str(retry_after).encode())]
        await respond(send, 429, json.dumps(body).encode(), headers)

    async def end_here(self, sid: str) -> None:
        """End ``sid`` in this worker's SDK if it lives here (its id answers 404 from now on)."""
        for manager in self.managers():
            transport = getattr(manager, "_server_instances", {}).get(sid)
            if transport is not None:
                await manager._discard_session(sid, transport)  # the SDK's own way to end one

    async def sweep_forever(self) -> None:
        """Sessions ended on another instance (a DELETE or an eviction there) end here within SWEEP_S."""
        while True:
            await anyio.sleep(SWEEP_S)
            try:
                for sid in await self.store.ended_sessions(list(open_sessions(self.managers()))):
                    await self.end_here(sid)
            except Exception as exc:  # the store is away for a moment: try again at the next sweep
                log.warning("could not check the shared store for ended sessions: %s", type(exc).__name__)


def request_id(scope: Scope) -> Any:
    """The JSON-RPC id of the request (read by BodyLimits), so the client matches the error to its call."""
    try:
        message = json.loads(scope.get("state", {}).get("body", b"") or b"null")
    except ValueError:
        return None
    candidate = message.get("id") if isinstance(message, dict) else None
    return candidate if isinstance(candidate, str | int) and not isinstance(candidate, bool) else None
