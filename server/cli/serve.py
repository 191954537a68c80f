"""Start the server: refuse unusable or unsafe configurations, report what is served, run the transport."""

from __future__ import annotations

import errno
import logging
import socket
import sys

from claude_api_mcp.app.assemble import build_server, selection_of
from claude_api_mcp.app.profiles import SelectionError, missing_keys_message
from claude_api_mcp.cli.exits import EXIT_CANNOT_LISTEN
from claude_api_mcp.core.config import Settings, Transport
from claude_api_mcp.safety import audit, confirm_policy
from claude_api_mcp.web.bind import MIN_TOKEN_LENGTH, bind_problem

log = logging.getLogger("claude_api_mcp")


def startup_problem(settings: Settings) -> str | None:
    """Why this configuration must not start, or None."""
    problem = missing_keys_message(settings) or platform_problem(settings)
    if problem is None and settings.transport is Transport.HTTP:
        problem = bind_problem(settings)
    return problem


class CannotListen(OSError):
    """The HTTP address cannot be bound; the message says why and what to change."""


def listen(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A socket bound and listening on ``host:port``, before anything says the server is listening.
    ``reuse_port``: the first of the workers' SO_REUSEPORT sockets (``server/web/scaleout.py``)."""
    address = host.strip("[]")
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on accepted sockets whose proto says TCP; without it
    # Nagle holds each response's body behind its headers until the client's delayed ACK (40 ms per answer).
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a restart is not blocked
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((address, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise CannotListen(_why_not(host, port, exc)) from None
    sock.set_inheritable(True)
    return sock


def _why_not(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is already in use (another claude-api-mcp?). "
            "Stop that process or choose another --port (CLAUDE_API_MCP_PORT)"
        )
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied (ports below 1024 need privileges); choose another --port"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: {host} is not an address of this machine; check --host"
    return f"cannot listen on {where}: {exc.strerror or exc}; check --host and --port"


def listen_problem(settings: Settings) -> str | None:
    """Why the server could not listen with these settings right now (doctor asks; the port is freed again)."""
    if settings.transport is not Transport.HTTP:
        return None
    try:
        listen(settings.host, settings.port).close()
    except CannotListen as exc:
        return str(exc)
    return None


def serve(settings: Settings) -> int:
    problem = startup_problem(settings)
    if problem:
        print(f"claude-api-mcp: {problem}", file=sys.stderr)
        return 2
    try:
        server = build_server(settings)
    except SelectionError as exc:
        print(f"claude-api-mcp: {exc}", file=sys.stderr)
        return 2
    selection = selection_of(server)
    audit_path = audit.target(settings, has_writes=any(not t.read_only for t in selection.tools))
    if audit_path is not None:
        try:  # now, not at the first write: a lost audit trail must not be discovered after the fact
            audit.check_writable(audit_path)
        except audit.AuditLogError as exc:
            print(f"claude-api-mcp: {exc}", file=sys.stderr)
            return 2
        log.info("write attempts are logged to %s", audit_path)
    upstream = "the sandbox (simulated organization)" if settings.sandbox else settings.base_url
    log.info("profile %s: %d tools on %s", settings.profile.value, len(selection.tools), upstream)
    for toolset, why in selection.omitted_toolsets.items():
        log.info("toolset %s left out: %s", toolset, why)
    log_platform(settings)
    if not selection.tools:
        log.warning("no tools are listed: check --toolsets/--tools and the keys")
    if settings.workspaces:
        log.info("writes pinned to workspaces: %s", ", ".join(sorted(settings.workspaces)))
    log.info("confirmation: %s", confirm_policy.both(settings.confirm))
    if scope := confirm_policy.replay_scope(settings):
        log.warning(scope)
    if settings.transport is Transport.HTTP:
        from claude_api_mcp.web.http_app import run_http

        if settings.http_token is not None and len(settings.http_token.reveal()) < MIN_TOKEN_LENGTH:
            log.warning("the HTTP token is shorter than %d characters: use a long random value", MIN_TOKEN_LENGTH)
        if settings.oauth_issuer is not None:
            log.info("sign-in: bearer JWTs from %s (scopes pick each caller's profile)", settings.oauth_issuer)
        if settings.workers > 1:
            keys = "shared --state-key" if settings.state_keys else "NO --state-key: confirmations stay on one worker"
            log.info("%d workers (%s)", settings.workers, keys)
        try:
            sock = listen(settings.host, settings.port, reuse_port=settings.workers > 1)
        except CannotListen as exc:
            print(f"claude-api-mcp: {exc}", file=sys.stderr)
            return EXIT_CANNOT_LISTEN
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        log.info("listening on http://%s:%d/mcp (streamable HTTP)", host, settings.port)
        return run_http(server, settings, sock=sock)
    import anyio

    from claude_api_mcp.cli.stdio_pipes import serve_stdio

    anyio.run(serve_stdio, server)  # the SDK's server.run("stdio"), without a worker thread per line
    return 0


def platform_problem(settings: Settings) -> str | None:
    """--platform: a region, project, endpoint or library the platform needs (with the sandbox's stand-ins)."""
    from claude_api_mcp.app.assemble import effective_settings

    platform = effective_settings(settings).platform
    return platform.problem() if platform is not None else None


def log_platform(settings: Settings) -> None:
    """--platform: where the core API goes, and which core tools are not listed and why."""
    from claude_api_mcp.app.assemble import effective_settings
    from claude_api_mcp.app.tool_index import indexed_tools
    from claude_api_mcp.client.platforms import summary
    from claude_api_mcp.core.config import KeyKind

    platform = effective_settings(settings).platform
    if platform is not None:
        for line in summary(platform, [t.name for t in indexed_tools() if t.key is KeyKind.API]):
            log.info("%s", line)
