"""The HTTP listener's front door, as one explicit chain of ASGI layers (``chain`` below; the list itself
is in ``server/web/http_app.py``). In order, for every path but the open ones (``/health``, ``/ready``,
the OAuth metadata):

1. ``TransportChecks``: Host, Origin and (for POST) Content-Type; a web page cannot get its
   ``text/plain`` body read.
2. ``Authentication``: first the backoff (a client that failed ``auth_failures_allowed`` times waits,
   doubling each time up to ``MAX_BACKOFF_S``: 429 with ``Retry-After`` without looking at its token),
   then the static token (constant-time) or an OAuth JWT; 401 with the ``WWW-Authenticate`` hint
   (``resource_metadata``) clients need to start sign-in. It binds the caller for everything after it.
3. ``BodyLimits``: 413 beyond ``max_request_body_size`` (from Content-Length, or counted), 503 when the
   bodies held by all requests at once would pass ``max_body_in_flight``, 408 when it takes longer than
   ``body_timeout``. The body is read here once and replayed to the layers after it (``replay``).
4. ``SessionLimit`` (``server/web/limits.py``): older-protocol sessions per client.

"The client" is the peer address, or the address a proxy named in ``--forwarded-allow-ips`` forwarded
(uvicorn rewrites ``scope["client"]`` only for those); with OAuth, sessions are counted per person.
"""

from __future__ import annotations

import dataclasses
import hmac
import math
import time
from collections.abc import Awaitable, Callable, Sequence
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
Authenticate = Callable[[str], Awaitable[Caller]]
Layer = Callable[[ASGIApp], ASGIApp]


def chain(app: ASGIApp, layers: Sequence[Layer], open_paths: frozenset[str]) -> ASGIApp:
    """``layers[0]`` sees a request first, the last one hands it to ``app``. GET/HEAD on an open path and
    lifespan events go to ``app`` directly."""
    guarded = app
    for layer in reversed(layers):
        guarded = layer(guarded)

    async def front(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["path"] in open_paths and scope["method"] in ("GET", "HEAD")):
            await app(scope, receive, send)
        else:
            await guarded(scope, receive, send)

    return front


async def respond(send: Send, status: int, body: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """A refusal: the connection closes after it, since whatever body the request announced is never read."""
    head = [(b"content-length", str(len(body)).encode()), (b"connection", b"close"), *(headers or [])]
    if body and not any(k == b"content-type" for k, _ in head):
        head.append((b"content-type", b"text/plain; charset=utf-8"))
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


def replay(body: bytes, receive: Receive) -> Receive:
    """The one body-replay helper: a layer that read the body hands it on as if it were still unread."""
    sent = False

    async def replaying() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # afterwards: the disconnect, which streaming responses watch for

    return replaying


def client_key(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "?"


class TransportChecks:
    def __init__(self, app: ASGIApp, security: TransportSecuritySettings) -> None:
        self.app = app
        self.security = TransportSecurityMiddleware(security)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = await self.security.validate_request(Request(scope), is_post=scope["method"] == "POST")
        if refused is not None:  # 421 Host, 403 Origin, 400 Content-Type: nothing of the body was read
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)


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


class Authentication:
    def __init__(
        self, app: ASGIApp, settings: Settings, *, authenticate: Authenticate | None, challenge: bytes
    ) -> None:
        self.app = app
        self.settings = settings
        self.authenticate = authenticate
        self.challenge = challenge  # the WWW-Authenticate value of a 401
        self.backoff = Backoff(settings.auth_failures_allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = client_key(scope)
        if (wait := self.backoff.wait(client)) > 0:
            await respond(
                send, 429, b"Too many failed sign-ins; wait.", [(b"retry-after", str(math.ceil(wait)).encode())]
            )
            return
        caller = await self._caller(scope, client, send)
        if caller is None:
            return
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
            await self.app(scope, receive, send)
        finally:
            auth_context_var.reset(auth_token)
            identity.unbind(token)

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


class BodyLimits:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.budget = BodyBudget(settings.max_body_in_flight)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.settings.max_request_body_size
        length_header = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        declared = int(length_header) if length_header and length_header.isdigit() else None
        if declared is not None and declared > limit:
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
                            if size > limit or not self.budget.take(size - reserved):
                                await respond(send, 413 if size > limit else 503)
                                return
                            reserved = size
                        if not message.get("more_body", False):
                            break
                if timer.cancel_called:
                    await respond(send, 408, b"The request body was not sent in time.")
                    return
            scope.setdefault("state", {})["body"] = body = b"".join(chunks)  # read by SessionLimit
            await self.app(scope, replay(body, receive), send)
        finally:
            self.budget.give(reserved)


def static_token(token: Secret) -> Authenticate:
    expected = token.reveal().encode()

    async def check(presented: str) -> Caller:
        # compare_digest takes time independent of where the first difference is.
        if not hmac.compare_digest(presented.encode("latin-1"), expected):
            raise AuthFailure("invalid_token", "The token is not valid.")
        return Caller()

    return check
