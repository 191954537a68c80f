"""The command line of a team deployment (HTTP): the token from a file, shared state keys, workers, OAuth
sign-in and the connection cap. ``server/cli/flags.py`` adds these to its one flag table."""

from __future__ import annotations

import argparse
import ipaddress
from collections.abc import Mapping
from pathlib import Path

from claude_api_mcp.core.config import ENV_PREFIX, ConfigError
from claude_api_mcp.core.secret import Secret


def add_team_flags(p: argparse.ArgumentParser) -> None:
    """HTTP deployments for a team: token from a file, shared state keys, workers, OAuth sign-in."""
    p.add_argument("--http-token-file", help="file holding the HTTP bearer token (not visible in ps)")
    p.add_argument("--state-key", help="secret(s), comma-separated, sealing confirmations across workers")
    p.add_argument("--state-url", help="shared store for several instances (redis://host:6379/0), default none")
    p.add_argument("--workers", type=int, help="HTTP worker processes, default 1")
    p.add_argument("--oauth-issuer", help="accept bearer JWTs from this OAuth issuer")
    p.add_argument("--oauth-jwks-url", help="the issuer's JWKS, default from its metadata")
    p.add_argument("--oauth-audience", help="the aud tokens must carry, default the server's URL")
    p.add_argument("--max-connections", type=int, help="concurrent HTTP connections per worker, default 256")
    p.add_argument(
        "--max-sessions-per-client",
        type=int,
        help="older-protocol sessions one client (person, or address) keeps open; a new one ends its least "
        "recently used idle one, default 16",
    )
    p.add_argument("--session-idle-timeout", type=int, help="seconds before an idle session ends, default 300")
    p.add_argument(
        "--forwarded-allow-ips",
        help="proxy addresses whose X-Forwarded-For names the client (comma-separated), default none: the peer",
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
    if url := pick("state_url", "STATE_URL"):
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(
                f"--state-url must be a redis://, rediss:// or unix:// URL, got a {url.split(':')[0]!r} URL"
            )
        fields["state_url"] = Secret(url)  # it may carry the store's password
    for flag, name, low in (
        ("workers", "WORKERS", 1),
        ("max_connections", "MAX_CONNECTIONS", 1),
        ("max_sessions_per_client", "MAX_SESSIONS_PER_CLIENT", 1),
        ("session_idle_timeout", "SESSION_IDLE_TIMEOUT", 1),
    ):
        if (text := pick(flag, name)) is not None:
            if not text.isdigit() or int(text) < low:
                raise ConfigError(f"--{flag.replace('_', '-')} must be a whole number of at least {low}, got {text!r}")
            fields[flag] = float(text) if flag == "session_idle_timeout" else int(text)
    if (proxies := pick("forwarded_allow_ips", "FORWARDED_ALLOW_IPS")) is not None:
        fields["forwarded_allow_ips"] = forwarded_allow_ips(proxies)
    for flag, name in (
        ("oauth_issuer", "OAUTH_ISSUER"),
        ("oauth_jwks_url", "OAUTH_JWKS_URL"),
        ("oauth_audience", "OAUTH_AUDIENCE"),
    ):
        if (url := pick(flag, name)) is not None:
            if not url.startswith(("https://", "http://")):
                raise ConfigError(f"--{flag.replace('_', '-')} must be an http(s) URL, got {url!r}")
            fields[flag] = url  # the issuer exactly as configured: `iss` is compared byte for byte (RFC 9068)
    return fields


def forwarded_allow_ips(text: str) -> tuple[str, ...]:
    """Addresses or networks (``10.0.0.0/8``) of the proxies trusted to say who the client is. ``*`` would
    let anyone who reaches the port pick the address the backoff and the session limit count, so it is
    refused: name the proxies."""
    entries = tuple(e.strip() for e in text.split(",") if e.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(
                f"--forwarded-allow-ips takes the proxies' addresses or networks (e.g. 127.0.0.1,10.0.0.0/8), "
                f"got {entry!r}"
            ) from None
    return entries
