"""The HTTP listener's front door: every check that can be made from the headers, made before the body.

In order, for every path but the open ones (``/health``, ``/ready``, the OAuth metadata):

1. Host, Origin and (for POST) Content-Type: a web page cannot get its ``text/plain`` body read.
2. Backoff: a client that failed authentication ``auth_failures_allowed`` times waits, doubling each
   time (up to ``MAX_BACKOFF_S``): answered 429 with ``Retry-After`` without looking at its token.
3. Authentication: the static token (constant-time) or an OAuth JWT; 401 with the ``WWW-Authenticate``
   hint (``resource_metadata``) clients need to start sign-in.
4. Older-protocol sessions: a client may open ``max_sessions_per_client`` at a time (429 beyond).
5. The body: 413 beyond ``max_request_body_size`` (from Content-Length, or counted), 503 when the bodies
   held by all requests at once would pass ``max_body_in_flight``, 408 when it takes longer than
   ``body_timeout``. Only then is it handed to the MCP app.
"""

from __future__ import annotations

import dataclasses
import hmac
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.authentication import AuthCredentials
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claude_api_mcp.core import identity
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.identity import Caller
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.web.oauth import AuthFailure

MAX_BACKOFF_S = 300.0
SESSION_HEADER = b"mcp-session-id"
Authenticate = Callable[[str], Awaitable[Caller]]


@dataclass
class Backoff:
    """Failed authentications per client address: after ``allowed`` failures, a wait that doubles."""

    allowed: int
    failures: dict[str, int] = field(default_factory=dict)
    until: dict[str, float] = field(default_factory=dict)

    def wait(self, client: str) -> float:
        return max(0.0, self.until.get(client, 0.0) - time.monotonic())

    def failed(self, client: str) -> None:
        count = self.failures[client] = self.failures.get(client, 0) + 1
        if count >= self.allowed:
            self.until[client] = time.monotonic() + min(MAX_BACKOFF_S, 2.0 ** (count - self.allowed))
        if len(self.failures) > 100_000:  # a flood from many addresses must not grow this without end
            now = time.monotonic()
            self.failures = {c: n for c, n in self.failures.items() if self.until.get(c, 0.0) > now}
            self.until = {c: t for c, t in self.until.items() if t > now}

    def succeeded(self, client: str) -> None:
        self.failures.pop(client, None)
        self.until.pop(client, None)


@dataclass
class Sessions:
    """Older-protocol sessions by the client that opened them; idle ones are forgotten as the SDK forgets them."""

    per_client: int
    idle_timeout: float
    owners: dict[str, tuple[str, float]] = field(default_factory=dict)  # session id → (client, last use)
    in_flight: dict[str, int] = field(default_factory=dict)  # a session with a request open is not idle

    def prune(self) -> None:
        cutoff = time.monotonic() - self.idle_timeout
        for sid in [s for s, (_, seen) in self.owners.items() if seen < cutoff and not self.in_flight.get(s)]:
            del self.owners[sid]

    def count(self, client: str | None = None) -> int:
        self.prune()
        return sum(1 for owner, _ in self.owners.values() if client is None or owner == client)

    def touch(self, sid: str) -> None:
        if sid in self.owners:
            self.owners[sid] = (self.owners[sid][0], time.monotonic())


@dataclass
class BodyBudget:
    limit: int
    held: int = 0

    def take(self, size: int) -> bool:
        if self.held + size > self.limit:
            return False
        self.held += size
        return True

    def give(self, size: int) -> None:
        self.held -= size


async def respond(send: Send, status: int, body: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """A refusal: the connection closes after it, since whatever body the request announced is never read."""
    head = [(b"content-length", str(len(body)).encode()), (b"connection", b"close"), *(headers or [])]
    if body:
        head.append((b"content-type", b"text/plain; charset=utf-8"))
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


def client_key(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "?"


class Guard:
    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        security: TransportSecuritySettings,
        *,
        authenticate: Authenticate | None,
        challenge: bytes,
        open_paths: frozenset[str],
    ) -> None:
        self.app = app
        self.settings = settings
        self.security = TransportSecurityMiddleware(security)
        self.authenticate = authenticate
        self.challenge = challenge  # the WWW-Authenticate value of a 401
        self.open_paths = open_paths
        self.backoff = Backoff(settings.auth_failures_allowed)
        self.sessions = Sessions(settings.max_sessions_per_client, settings.session_idle_timeout)
        self.budget = BodyBudget(settings.max_body_in_flight)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["path"] in self.open_paths and scope["method"] in ("GET", "HEAD")):
            await self.app(scope, receive, send)
            return
        is_post = scope["method"] == "POST"
        refused = await self.security.validate_request(Request(scope), is_post=is_post)
        if refused is not None:  # 421 Host, 403 Origin, 400 Content-Type: nothing of the body was read
            await refused(scope, receive, send)
            return
        client = client_key(scope)
        if (wait := self.backoff.wait(client)) > 0:
            await respond(
                send, 429, b"Too many failed sign-ins; wait.", [(b"retry-after", str(math.ceil(wait)).encode())]
            )
            return
        caller = await self._caller(scope, client, send)
        if caller is None:
            return
        if not await self._admit_session(scope, client if caller.subject is None else caller.subject, send):
            return
        sid = scope.get("state", {}).get("session_id")
        if sid is not None:
            self.sessions.in_flight[sid] = self.sessions.in_flight.get(sid, 0) + 1
        token = identity.bind(caller)
        user = AuthenticatedUser(
            AccessToken(
                token="",  # the SDK's principal binding reads client, issuer and subject only
                client_id=caller.client_id or client,
                scopes=[caller.profile or ""],
                subject=caller.subject,
                claims={"iss": self.settings.oauth_issuer} if self.settings.oauth_issuer else None,
            )
        )
        scope["user"], scope["auth"] = user, AuthCredentials([caller.profile or ""])
        auth_token = auth_context_var.set(user)  # binds sessions and sealed request state to this person
        try:
            await self._with_body(scope, receive, send)
        finally:
            auth_context_var.reset(auth_token)
            identity.unbind(token)
            if sid is not None:  # idle from now on, as the SDK counts it
                if (left := self.sessions.in_flight.pop(sid, 1) - 1) > 0:
                    self.sessions.in_flight[sid] = left
                self.sessions.touch(sid)

    async def _caller(self, scope: Scope, client: str, send: Send) -> Caller | None:
        values = [v for k, v in scope["headers"] if k == b"authorization"]
        scheme, _, presented = values[0].partition(b" ") if len(values) == 1 else (b"", b"", b"")
        if self.authenticate is None:  # no token configured: loopback only (bind_problem)
            return Caller(client_id=client, profile=self.settings.profile.value)
        if scheme.lower() != b"bearer" or not presented.strip():
            await respond(send, 401, headers=[(b"www-authenticate", self.challenge)])
            return None
        try:
            caller = await self.authenticate(presented.strip().decode("latin-1"))
        except AuthFailure as failure:
            if failure.error == "insufficient_scope":  # a valid person without the scope: not a guess
                await respond(send, 403, failure.description.encode(), [(b"www-authenticate", self._hint(failure))])
                return None
            self.backoff.failed(client)
            await respond(send, 401, headers=[(b"www-authenticate", self._hint(failure))])
            return None
        self.backoff.succeeded(client)
        return dataclasses.replace(
            caller, client_id=caller.client_id or client, profile=caller.profile or self.settings.profile.value
        )

    def _hint(self, failure: AuthFailure) -> bytes:
        if self.settings.oauth_issuer is None:
            return self.challenge  # the static token: a 401 says nothing more
        detail = f', error="{failure.error}", error_description="{failure.description}"'
        return self.challenge + detail.encode()

    async def _admit_session(self, scope: Scope, owner: str, send: Send) -> bool:
        """Count older-protocol sessions per client; watch the answer to learn the new session's id."""
        sid = next((v.decode("latin-1") for k, v in scope["headers"] if k == SESSION_HEADER), None)
        if sid is not None:
            if scope["method"] == "DELETE":
                self.sessions.owners.pop(sid, None)
            self.sessions.touch(sid)
            scope.setdefault("state", {})["session_id"] = sid
            return True
        if scope["method"] != "POST" or any(k == b"mcp-protocol-version" and v >= b"2026" for k, v in scope["headers"]):
            return True
        if self.sessions.count(owner) >= self.sessions.per_client:
            await respond(
                send,
                429,
                f"Too many open sessions for this client ({self.sessions.per_client}); close some (DELETE) "
                "or let them expire.".encode(),
            )
            return False
        scope.setdefault("state", {})["session_owner"] = owner
        return True

    async def _with_body(self, scope: Scope, receive: Receive, send: Send) -> None:
        length_header = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        declared = int(length_header) if length_header and length_header.isdigit() else None
        if declared is not None and declared > self.settings.max_request_body_size:
            await respond(send, 413, b"Request body too large.")
            return
        reserved = declared or 0
        if not self.budget.take(reserved):
            await respond(send, 503, b"Too many large requests at once; retry.", [(b"retry-after", b"1")])
            return
        chunks: list[bytes] = []
        try:
            if scope["method"] in ("POST", "PUT", "PATCH"):
                with anyio.move_on_after(self.settings.body_timeout) as timer:
                    while True:
                        message = await receive()
                        if message["type"] == "http.disconnect":
                            return
                        chunk = message.get("body", b"")
                        chunks.append(chunk)
                        size = sum(map(len, chunks))
                        if size > reserved:  # chunked or understated: count what actually arrives
                            if size > self.settings.max_request_body_size or not self.budget.take(size - reserved):
                                await respond(send, 413 if size > self.settings.max_request_body_size else 503)
                                return
                            reserved = size
                        if not message.get("more_body", False):
                            break
                if timer.cancel_called:
                    await respond(send, 408, b"The request body was not sent in time.")
                    return
            await self.app(scope, _replay(b"".join(chunks), receive), self._watch(scope, send))
        finally:
            self.budget.give(reserved)

    def _watch(self, scope: Scope, send: Send) -> Send:
        owner = scope.get("state", {}).get("session_owner")
        if owner is None:
            return send

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                sid = next((v.decode("latin-1") for k, v in message.get("headers", []) if k == SESSION_HEADER), None)
                if sid:
                    self.sessions.owners[sid] = (owner, time.monotonic())
            await send(message)

        return watching


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # afterwards: the disconnect, which streaming responses watch for

    return replay


def static_token(token: Secret) -> Authenticate:
    expected = token.reveal().encode()

    async def check(presented: str) -> Caller:
        # compare_digest takes time independent of where the first difference is.
        if not hmac.compare_digest(presented.encode("latin-1"), expected):
            raise AuthFailure("invalid_token", "The token is not valid.")
        return Caller()

    return check
