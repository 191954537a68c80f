"""The streamable HTTP transport: the MCP endpoint at /mcp plus /health, /ready and /metrics, on uvicorn.

What protects it, and from what (the checks made before any body byte is read are in ``server/web/guard.py``,
the header deadline in ``server/web/listener.py``):

* Bearer token (``CLAUDE_API_MCP_HTTP_TOKEN`` or ``--http-token-file``), compared in constant time, or
  OAuth JWTs from the organization's issuer (``server/web/oauth.py``): anyone who can reach the port but
  holds neither gets 401 and learns nothing more; repeated failures are slowed per client.
* No token on a non-loopback address, or one shorter than ``MIN_TOKEN_LENGTH``: refused at startup
  (``bind_problem``), so the admin tools are never exposed to a network by accident.
* Host and Origin validation (DNS rebinding: a web page in the person's browser calling a local server)
  stays on, with ``--allowed-hosts`` / ``--allowed-origins`` for deployments behind a proxy.
* A request body limit (``--max-request-body``): 413 beyond it, before the body is read into memory.
* ``/health`` answers ``{"status": "ok"}`` without a token (liveness), ``/ready`` tells whether this worker
  can take work (session table, upstream); ``/metrics`` needs the same authentication as ``/mcp`` (with
  OAuth, the admin scope).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import socket
import time
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import uvicorn
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from claude_api_mcp.sandbox import Sandbox

from claude_api_mcp.app import telemetry
from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core import identity
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.logs import configure_logging
from claude_api_mcp.core.store import open_store
from claude_api_mcp.web import metrics, oauth
from claude_api_mcp.web.bind import MIN_TOKEN_LENGTH, bind_problem, is_loopback
from claude_api_mcp.web.guard import (
    Authenticate,
    Authentication,
    BodyLimits,
    Layer,
    TransportChecks,
    chain,
    respond,
    static_token,
)
from claude_api_mcp.web.limits import SessionLimit, open_sessions
from claude_api_mcp.web.listener import HeaderTimeoutProtocol
from claude_api_mcp.web.scaleout import SpreadingWorkers, prepare_workers, reuse_port_socket, worker_settings

LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*")
LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")
KEEP_ALIVE_S = 30
READY_CACHE_S = 10.0
SESSIONS_NOT_READY = 0.9  # a worker whose session table is this full says so before it refuses sessions


class Readiness:
    """Whether this worker can take new work: room in its session table, and the upstream answering."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._upstream: tuple[float, str] = (float("-inf"), "unknown")
        # One probe at a time: a burst of unauthenticated hits on an expired cache waits for the one probe
        # in flight instead of each sending its own (at most one upstream request per READY_CACHE_S).
        self._probing = anyio.Lock()

    async def check(self, sessions_open: int) -> dict[str, Any]:
        upstream = await self._probe()
        full = sessions_open >= self.settings.max_sessions * SESSIONS_NOT_READY
        ok = not full and upstream in ("ok", "sandbox")
        return {
            "status": "ready" if ok else "not ready",
            "sessions": {"open": sessions_open, "max": self.settings.max_sessions},
            "upstream": upstream,
        }

    async def _probe(self) -> str:
        if self.settings.sandbox:
            return "sandbox"
        async with self._probing:
            checked, verdict = self._upstream
            if time.monotonic() - checked < READY_CACHE_S:
                return verdict
            return await self._probe_now()

    async def _probe_now(self) -> str:
        try:  # any HTTP answer (a 401 without a key) means the API is reachable
            async with httpx.AsyncClient(timeout=3, follow_redirects=False) as client:
                await client.get(self.settings.base_url + "/v1/models")
            verdict = "ok"
        except httpx.HTTPError as exc:
            verdict = f"unreachable ({type(exc).__name__})"
        self._upstream = (time.monotonic(), verdict)
        return verdict


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """DNS-rebinding protection always on: loopback names, the bind address, and whatever the operator allows."""
    hosts = [*LOOPBACK_HOSTS, *settings.allowed_hosts]
    host = settings.host.strip("[]")
    if not is_loopback(host) and host not in ("0.0.0.0", "::"):
        hosts.append(f"[{host}]:*" if ":" in host else f"{host}:*")
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[*LOOPBACK_ORIGINS, *settings.allowed_origins],
    )


class NoReplay:
    """Drops ``Last-Event-ID`` from GET /mcp: no event store keeps past events, so a client asking to resume
    gets what resuming without history is, a fresh stream (the spec lets a server not replay). The SDK
    without a store sends no response at all, which the client sees as HTTP 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"last-event-id"]}
        await self.app(scope, receive, send)


def servers_by_profile(settings: Settings, *, sandbox: Sandbox | None = None) -> dict[str, MCPServer[Any]]:
    """One server per profile a caller may be given, each with its tool list built once.

    With OAuth, the token's scopes pick one per request (never beyond ``--profile``); otherwise there is
    one. In the sandbox they share one simulated organization.
    """
    profiles = [settings.profile]
    if settings.oauth_issuer is not None and settings.profile is not Profile.READ_ONLY:
        profiles.append(Profile.READ_ONLY)
    if sandbox is None and settings.sandbox:
        from claude_api_mcp.sandbox import Sandbox  # imported only when used (start-up time)

        sandbox = Sandbox()
    transport = sandbox.transport() if sandbox is not None else None
    return {
        p.value: build_server(
            dataclasses.replace(settings, profile=p),
            sandbox=sandbox,
            transport=transport,
            instruments=metrics.PROMETHEUS,
        )
        for p in profiles
    }


class ProfileRouter:
    """The MCP app of the caller's profile (set by the guard)."""

    def __init__(self, apps: Mapping[str, ASGIApp], default: str) -> None:
        self.apps = apps
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        caller = identity.current()
        app = self.apps.get(caller.profile if caller and caller.profile else self.default)
        if app is None:  # cannot happen: the guard gives only profiles that have a server
            await respond(send, 403)
            return
        await app(scope, receive, send)


def http_app(
    servers: MCPServer[Any] | dict[str, MCPServer[Any]],
    settings: Settings,
    *,
    http_client: httpx.AsyncClient | None = None,
) -> ASGIApp:
    """The whole HTTP surface. ``http_client`` fetches the issuer's keys (tests pass their own)."""
    if not isinstance(servers, dict):
        servers = {settings.profile.value: servers}
    mcp_apps = {
        profile: server.streamable_http_app(
            streamable_http_path="/mcp",
            transport_security=transport_security(settings),
            host=settings.host,
            max_request_body_size=settings.max_request_body_size,
            max_sessions=settings.max_sessions,
            session_idle_timeout=settings.session_idle_timeout,
        )
        for profile, server in servers.items()
    }
    ready = Readiness(settings)
    metrics.json_logs()
    oauth_client = http_client or httpx.AsyncClient(timeout=10, follow_redirects=False)
    authenticate: Authenticate | None = None
    challenge = b"Bearer"
    open_paths = {"/health", "/ready"}
    if settings.oauth_issuer is not None:
        authenticate = oauth.verifier(settings, oauth_client).verify
        challenge = f'Bearer resource_metadata="{oauth.metadata_url(settings)}"'.encode()
        open_paths |= {oauth.metadata_path(settings), "/.well-known/oauth-protected-resource"}
    elif settings.http_token is not None:
        authenticate = static_token(settings.http_token)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readiness(_: Request) -> Response:
        report = await ready.check(len(open_sessions(managers())))
        return JSONResponse(report, status_code=200 if report["status"] == "ready" else 503)

    async def metadata(_: Request) -> Response:
        return Response(oauth.metadata_document(settings), media_type="application/json")

    async def metrics_page(_: Request) -> Response:
        caller = identity.current()
        if settings.oauth_issuer is not None and (caller is None or caller.profile != Profile.ADMIN.value):
            return Response(f"/metrics needs the {oauth.ADMIN_SCOPE} scope.", status_code=403)
        return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)

    def managers() -> list[Any]:
        return [server.session_manager for server in servers.values()]

    store = open_store(settings.state_url)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for server in servers.values():
                await stack.enter_async_context(server.session_manager.run())
            if http_client is None:
                stack.push_async_callback(oauth_client.aclose)
            stack.push_async_callback(store.close)
            tasks = await stack.enter_async_context(anyio.create_task_group())
            if store.shared:  # sessions ended on another instance end here too
                tasks.start_soon(sessions.sweep_forever)
            yield
            tasks.cancel_scope.cancel()

    routes: list[Route | Mount] = [
        Route("/health", health, methods=["GET"]),
        Route("/ready", readiness, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
    ]
    if settings.oauth_issuer is not None:
        for path in sorted(open_paths - {"/health", "/ready"}):
            routes.append(Route(path, metadata, methods=["GET"]))
    mcp = ProfileRouter(mcp_apps, settings.profile.value)
    routes.append(Mount("/", app=NoReplay(mcp)))
    sessions: SessionLimit
    app = Starlette(routes=routes, lifespan=lifespan)

    def session_limit(inner: ASGIApp) -> ASGIApp:
        nonlocal sessions
        sessions = SessionLimit(inner, settings, store, managers)
        return sessions

    # The whole chain, first layer first (each is described in server/web/guard.py).
    layers: list[Layer] = [
        lambda inner: TransportChecks(inner, transport_security(settings)),
        lambda inner: Authentication(inner, settings, authenticate=authenticate, challenge=challenge),
        lambda inner: BodyLimits(inner, settings),
        session_limit,
    ]
    return chain(app, layers, frozenset(open_paths))


def app_factory() -> ASGIApp:
    """uvicorn's worker entry point (``--workers N``): the app from the parent's Settings."""
    settings, level = worker_settings()
    configure_logging(logging.getLevelName(level))
    telemetry.setup()  # each worker exports its own spans and metrics (the parent checked the configuration)
    return http_app(servers_by_profile(settings), settings)


def uvicorn_config(app: ASGIApp | str, settings: Settings, **extra: Any) -> uvicorn.Config:
    """uvicorn with this listener's limits: connection cap, header deadline, keep-alive, no server header."""
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        lifespan="on",
        server_header=False,
        # Longer than clients' own idle expiry (httpx: 5 s), so a client never reuses a connection at the
        # moment the server drops it (a reset on a request that may have been processed).
        timeout_keep_alive=KEEP_ALIVE_S,
        limit_concurrency=settings.max_connections,  # beyond it: 503, not another open file descriptor
        http=HeaderTimeoutProtocol,
        # X-Forwarded-For only from the proxies the operator names: uvicorn's own default trusts loopback,
        # so any local process could pick the address the backoff and the session limit count.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=list(settings.forwarded_allow_ips) or None,
        timeout_graceful_shutdown=10,
        **extra,
    )
    config.header_timeout = settings.header_timeout  # type: ignore[attr-defined]  # read by the protocol
    return config


def run_http(server: MCPServer[Any], settings: Settings, sock: socket.socket | None = None) -> int:
    """Serve until stopped, on ``sock`` when the caller bound it already (serve() does, to report a taken
    port before it says it is listening), else on settings.host:settings.port."""
    problem = bind_problem(settings)
    if problem:  # serve() checks first; this guards any other caller
        raise RuntimeError(problem)
    if settings.workers > 1:
        prepare_workers(settings)
        config = uvicorn_config(
            "claude_api_mcp.web.http_app:app_factory", settings, factory=True, workers=settings.workers
        )
        first = sock if sock is not None else reuse_port_socket(settings.host, settings.port, listen=True)
        SpreadingWorkers(config, first).run()
        return 0
    servers = servers_by_profile(settings) if settings.oauth_issuer is not None else server
    http = uvicorn.Server(uvicorn_config(http_app(servers, settings), settings))
    with contextlib.suppress(KeyboardInterrupt):  # as uvicorn.run: Ctrl+C is a normal stop
        http.run(sockets=[sock] if sock is not None else None)
    return 0 if http.started else 1  # not started: the lifespan failed, and uvicorn logged why


__all__ = [
    "MIN_TOKEN_LENGTH",
    "Readiness",
    "app_factory",
    "bind_problem",
    "http_app",
    "is_loopback",
    "run_http",
    "servers_by_profile",
    "transport_security",
    "uvicorn_config",
]
