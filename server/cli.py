"""Command line: flags and environment → Settings; then serve (stdio or HTTP) or run ``doctor``.

Every flag has an environment variable (flags win). Logs go to stderr only: on stdio, stdout carries
nothing but protocol messages.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from server import __version__, scrub
from server.config import (
    DEFAULT_ANTHROPIC_VERSION,
    DEFAULT_BASE_URL,
    ConfirmPolicy,
    Profile,
    Secret,
    Settings,
    Transport,
)
from server.platforms.config import PlatformConfig, PlatformName, from_env

log = logging.getLogger("claude_api_mcp")
ENV_PREFIX = "CLAUDE_API_MCP_"


class ConfigError(ValueError):
    """A flag or environment value that cannot be used; the message says what to set."""


def _csv(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    items = frozenset(part.strip() for part in value.split(",") if part.strip())
    return items or None


def _size(value: str) -> int:
    """``1048576``, ``512K`` or ``32M`` → bytes."""
    text = value.strip().upper().removesuffix("B")
    scale = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    if not number.isdigit() or int(number) <= 0:
        raise ConfigError(f"max request body must be a positive size like 1048576, 512K or 32M, got {value!r}")
    return int(number) * scale


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _platform(name: str | None, env: Mapping[str, str]) -> PlatformConfig | None:
    try:
        return from_env(PlatformName((name or "anthropic").strip().lower()), env)
    except ValueError:
        raise ConfigError(f"platform must be anthropic, bedrock, vertex or foundry, got {name!r}") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="claude-api-mcp",
        description="MCP server for the Claude API. Every flag also reads an environment variable (shown).",
    )
    p.add_argument(
        "command",
        nargs="?",
        choices=["serve", "doctor"],
        default="serve",
        help="serve (default) or doctor: explain the configuration and check the keys",
    )
    p.add_argument("--version", action="version", version=f"claude-api-mcp {__version__}")
    p.add_argument("--profile", choices=[x.value for x in Profile], help="read-only (default) or admin [_PROFILE]")
    p.add_argument("--toolsets", help="comma-separated toolsets, or all [_TOOLSETS]")
    p.add_argument("--tools", help="comma-separated allow-list of tool names [_TOOLS]")
    p.add_argument("--exclude-tools", help="comma-separated tool names to hide [_EXCLUDE_TOOLS]")
    p.add_argument("--transport", choices=[x.value for x in Transport], help="stdio (default) or http [_TRANSPORT]")
    p.add_argument("--host", help="HTTP bind address, default 127.0.0.1 [_HOST]")
    p.add_argument("--port", type=int, help="HTTP port, default 8765; the endpoint is /mcp [_PORT]")
    p.add_argument(
        "--sandbox",
        action="store_true",
        default=None,
        help="serve a simulated organization instead of the real API; no keys needed [_SANDBOX=1]",
    )
    p.add_argument("--base-url", help=f"upstream API, default {DEFAULT_BASE_URL} [ANTHROPIC_BASE_URL]")
    p.add_argument(
        "--anthropic-version",
        help=f"anthropic-version header, default {DEFAULT_ANTHROPIC_VERSION} [_ANTHROPIC_VERSION]",
    )
    p.add_argument(
        "--http-token", help="bearer token required on HTTP; prefer the variable or --http-token-file [_HTTP_TOKEN]"
    )
    p.add_argument("--allowed-hosts", help="Host headers accepted over HTTP, behind a proxy [_ALLOWED_HOSTS]")
    p.add_argument("--allowed-origins", help="Origin headers accepted over HTTP [_ALLOWED_ORIGINS]")
    p.add_argument(
        "--max-request-body",
        help="largest HTTP request body, bytes or with K/M suffix, default 32M [_MAX_REQUEST_BODY]",
    )
    p.add_argument(
        "--confirm",
        choices=[x.value for x in ConfirmPolicy],
        help="confirmation of destructive calls: auto (default), always, never; writes: every write [_CONFIRM]",
    )
    p.add_argument(
        "--report-concurrency", type=int, help="requests one report keeps in flight, default 16 [_REPORT_CONCURRENCY]"
    )
    p.add_argument("--workspaces", help="restrict writes to these workspace ids [_WORKSPACES]")
    p.add_argument(
        "--allow-files",
        help="comma-separated directories whose files upload tools may read, besides the client's roots [_ALLOW_FILES]",
    )
    p.add_argument(
        "--max-report-requests",
        type=int,
        help="upstream requests one report call may make, default 500 [_MAX_REPORT_REQUESTS]",
    )
    p.add_argument("--audit-log", help="JSON-lines log of every write attempt [_AUDIT_LOG]")
    p.add_argument(
        "--platform",
        choices=[x.value for x in PlatformName],
        help="where the core API's calls go: anthropic (default), bedrock, vertex or foundry, configured by the "
        "official SDKs' variables (AWS_REGION, CLOUD_ML_REGION, ANTHROPIC_FOUNDRY_RESOURCE...) [_PLATFORM]",
    )
    p.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="stderr log level [_LOG_LEVEL]")
    add_team_flags(p)
    return p


def add_team_flags(p: argparse.ArgumentParser) -> None:
    """HTTP deployments for a team: token from a file, shared state keys, workers, OAuth sign-in."""
    p.add_argument(
        "--http-token-file", help="file holding the HTTP bearer token (not visible in ps) [_HTTP_TOKEN_FILE]"
    )
    p.add_argument("--state-key", help="secret(s), comma-separated, sealing confirmations across workers [_STATE_KEY]")
    p.add_argument("--workers", type=int, help="HTTP worker processes, default 1 [_WORKERS]")
    p.add_argument("--oauth-issuer", help="accept bearer JWTs from this OAuth issuer [_OAUTH_ISSUER]")
    p.add_argument("--oauth-jwks-url", help="the issuer's JWKS, default from its metadata [_OAUTH_JWKS_URL]")
    p.add_argument("--oauth-audience", help="the aud tokens must carry, default the server's URL [_OAUTH_AUDIENCE]")
    p.add_argument(
        "--max-connections", type=int, help="concurrent HTTP connections per worker, default 256 [_MAX_CONNECTIONS]"
    )


def team_settings(args: argparse.Namespace, env: Mapping[str, str]) -> dict[str, object]:
    """The Settings fields of ``add_team_flags``, validated."""

    def pick(flag: str, name: str) -> str | None:
        value = getattr(args, flag, None)
        return str(value) if value is not None else (env.get(ENV_PREFIX + name) or None)

    fields: dict[str, object] = {}
    if token_file := pick("http_token_file", "HTTP_TOKEN_FILE"):
        if pick("http_token", "HTTP_TOKEN"):
            raise ConfigError("give the HTTP token once: --http-token-file or CLAUDE_API_MCP_HTTP_TOKEN, not both")
        try:
            token = Path(token_file).expanduser().read_text().strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the HTTP token file {token_file}: {exc.strerror or exc}") from None
        if not token:
            raise ConfigError(f"the HTTP token file {token_file} is empty")
        fields["http_token"] = Secret(token)
    if keys := pick("state_key", "STATE_KEY"):
        ring = [k.strip() for k in keys.split(",") if k.strip()]
        if any(len(k.encode()) < 32 for k in ring):
            raise ConfigError(
                "each --state-key must be at least 32 characters of secret randomness: "
                'python -c "import secrets; print(secrets.token_hex(32))"'
            )
        fields["state_keys"] = tuple(Secret(k) for k in ring)
    for flag, name, low in (("workers", "WORKERS", 1), ("max_connections", "MAX_CONNECTIONS", 1)):
        if (text := pick(flag, name)) is not None:
            if not text.isdigit() or int(text) < low:
                raise ConfigError(f"--{flag.replace('_', '-')} must be a whole number of at least {low}, got {text!r}")
            fields[flag] = int(text)
    for flag, name in (
        ("oauth_issuer", "OAUTH_ISSUER"),
        ("oauth_jwks_url", "OAUTH_JWKS_URL"),
        ("oauth_audience", "OAUTH_AUDIENCE"),
    ):
        if (url := pick(flag, name)) is not None:
            if not url.startswith(("https://", "http://")):
                raise ConfigError(f"--{flag.replace('_', '-')} must be an http(s) URL, got {url!r}")
            fields[flag] = url.rstrip("/") if flag == "oauth_issuer" else url
    return fields


def settings_from(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    """Flags first, then CLAUDE_API_MCP_* / ANTHROPIC_* variables, then defaults."""

    def pick(flag: str, name: str) -> str | None:
        value = getattr(args, flag, None)
        if value is not None:
            return str(value)
        return env.get(name) or None

    def secret(name: str) -> Secret | None:
        value = (env.get(name) or "").strip()
        return Secret(value) if value else None

    try:
        profile = Profile(pick("profile", ENV_PREFIX + "PROFILE") or Profile.READ_ONLY.value)
        transport = Transport(pick("transport", ENV_PREFIX + "TRANSPORT") or Transport.STDIO.value)
        confirm = ConfirmPolicy(pick("confirm", ENV_PREFIX + "CONFIRM") or ConfirmPolicy.AUTO.value)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    port_text = pick("port", ENV_PREFIX + "PORT") or "8765"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f"port must be a number from 1 to 65535, got {port_text!r}")
    token = pick("http_token", ENV_PREFIX + "HTTP_TOKEN")
    concurrency = pick("report_concurrency", ENV_PREFIX + "REPORT_CONCURRENCY") or str(Settings.report_concurrency)
    if not concurrency.isdigit() or not 1 <= int(concurrency) <= 64:
        raise ConfigError(f"report concurrency must be a number from 1 to 64, got {concurrency!r}")
    audit = pick("audit_log", ENV_PREFIX + "AUDIT_LOG")
    body_limit = pick("max_request_body", ENV_PREFIX + "MAX_REQUEST_BODY")
    base_url = (pick("base_url", "ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"base URL must start with http:// or https://, got {base_url!r}")
    settings = Settings(
        admin_key=secret("ANTHROPIC_ADMIN_KEY"),
        api_key=secret("ANTHROPIC_API_KEY"),
        base_url=base_url,
        anthropic_version=pick("anthropic_version", ENV_PREFIX + "ANTHROPIC_VERSION") or DEFAULT_ANTHROPIC_VERSION,
        profile=profile,
        toolsets=_csv(pick("toolsets", ENV_PREFIX + "TOOLSETS")),
        tools=_csv(pick("tools", ENV_PREFIX + "TOOLS")),
        exclude_tools=_csv(pick("exclude_tools", ENV_PREFIX + "EXCLUDE_TOOLS")) or frozenset(),
        transport=transport,
        host=pick("host", ENV_PREFIX + "HOST") or "127.0.0.1",
        port=int(port_text),
        sandbox=bool(args.sandbox) or _truthy(env.get(ENV_PREFIX + "SANDBOX")),
        platform=_platform(pick("platform", ENV_PREFIX + "PLATFORM"), env),
        http_token=Secret(token) if token else None,
        allowed_hosts=tuple(sorted(_csv(pick("allowed_hosts", ENV_PREFIX + "ALLOWED_HOSTS")) or ())),
        allowed_origins=tuple(sorted(_csv(pick("allowed_origins", ENV_PREFIX + "ALLOWED_ORIGINS")) or ())),
        max_request_body_size=_size(body_limit) if body_limit else Settings.max_request_body_size,
        confirm=confirm,
        workspaces=_csv(pick("workspaces", ENV_PREFIX + "WORKSPACES")),
        audit_log=Path(audit).expanduser() if audit else None,
        report_concurrency=int(concurrency),
        allow_files=_allowed_dirs(pick("allow_files", ENV_PREFIX + "ALLOW_FILES")),
        max_report_requests=_positive(
            pick("max_report_requests", ENV_PREFIX + "MAX_REPORT_REQUESTS"),
            Settings.max_report_requests,
            "--max-report-requests",
        ),
    )
    return dataclasses.replace(settings, **team_settings(args, env))  # type: ignore[arg-type]


def _allowed_dirs(value: str | None) -> tuple[Path, ...]:
    """--allow-files: existing directories, as real paths (a typo must not silently allow nothing)."""
    out: list[Path] = []
    for part in sorted(_csv(value) or ()):
        folder = Path(part).expanduser()
        if not folder.is_absolute() or not folder.is_dir():
            raise ConfigError(f"--allow-files: {part!r} is not an absolute path to an existing directory")
        out.append(folder.resolve())
    return tuple(out)


def _positive(value: str | None, default: int, flag: str) -> int:
    if value is None:
        return default
    if not value.strip().isdigit() or int(value) <= 0:
        raise ConfigError(f"{flag} must be a positive whole number, got {value!r}")
    return int(value)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(scrub.FILTER)  # secrets are registered once settings are read; the filter reads them then
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))  # request lines are ours to log


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = parser().parse_args(argv)
    env = os.environ if env is None else env
    configure_logging(args.log_level or env.get(ENV_PREFIX + "LOG_LEVEL", "INFO").upper())
    try:
        settings = settings_from(args, env)
    except ConfigError as exc:
        print(f"claude-api-mcp: {exc}", file=sys.stderr)
        return 2
    if args.command == "doctor":
        from server.doctor import run_doctor

        return run_doctor(settings)
    from server.audit import install_sigterm_hook
    from server.serve import serve

    install_sigterm_hook()  # before any transport takes SIGTERM over: in-flight writes get an outcome line
    return serve(settings)
