"""Whether the HTTP transport may start on an address: a check light enough for start-up and doctor."""

from __future__ import annotations

import ipaddress

from claude_api_mcp.core.config import Settings

MIN_TOKEN_LENGTH = 20  # off loopback; with the per-client backoff, guessing such a token is hopeless


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve to anything


def bind_problem(settings: Settings) -> str | None:
    """Why the HTTP transport must not start with these settings, or None."""
    if not is_loopback(settings.host) and settings.http_token is None and settings.oauth_issuer is None:
        return (
            f"refusing to serve HTTP on {settings.host}: that address is reachable from other machines, and "
            "without a token anyone who can reach it could use the tools. Set CLAUDE_API_MCP_HTTP_TOKEN (or "
            "--http-token-file) to a long random value, use OAuth sign-in (--oauth-issuer), or bind to 127.0.0.1"
        )
    if (
        not is_loopback(settings.host)
        and settings.http_token is not None
        and settings.oauth_issuer is None
        and len(settings.http_token.reveal()) < MIN_TOKEN_LENGTH
    ):
        return (
            f"refusing to serve HTTP on {settings.host} with a token of {len(settings.http_token.reveal())} "
            f"characters: off loopback the token must be at least {MIN_TOKEN_LENGTH} random characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(32))")'
        )
    return None
