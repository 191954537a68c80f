"""Start the server: refuse unusable configurations, report what is served, run the transport."""

from __future__ import annotations

import logging
import sys

from server.app import build_server, selection_of
from server.config import Settings, Transport
from server.profiles import SelectionError, missing_keys_message

log = logging.getLogger("claude_api_mcp")


def startup_problem(settings: Settings) -> str | None:
    """Why this configuration must not start, or None."""
    return missing_keys_message(settings)


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
    upstream = "the sandbox (simulated organization)" if settings.sandbox else settings.base_url
    log.info("profile %s: %d tools on %s", settings.profile.value, len(selection.tools), upstream)
    for toolset, why in selection.omitted_toolsets.items():
        log.info("toolset %s left out: %s", toolset, why)
    if not selection.tools:
        log.warning("no tools are listed: check --toolsets/--tools and the keys")
    if settings.transport is Transport.HTTP:
        from server.http_app import run_http

        return run_http(server, settings)
    server.run("stdio")
    return 0
