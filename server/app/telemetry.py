"""OpenTelemetry for team deployments: traces and metrics over OTLP when the standard ``OTEL_*`` variables ask.

mcp already opens a span per MCP message once a tracer provider is installed; this module installs one (and a
meter provider) and adds, through the ``Instruments`` seam, a child span per upstream request and the
``mcp.server.operation.duration`` histogram of the semantic conventions.

What reaches the collector is said with route templates (``/v1/organizations/users/{user_id}``), never a
raw URL or query string, and every name, attribute, event and status passes the one scrubber on its way out
(``ScrubbingExporter``). Without ``OTEL_*`` nothing of the telemetry SDK is imported and nothing connects:
``configured()`` reads the environment only. The SDK is the optional extra ``claude-api-mcp[otel]``.
"""

from __future__ import annotations

import atexit
import contextvars
import os
import re
import time
from collections.abc import Mapping
from functools import cache
from typing import Any

import httpx

from claude_api_mcp.core.config import ConfigError

EXTRA = "pip install 'claude-api-mcp[otel]'"
SERVICE = "claude-api-mcp"
# The OTLP variables that ask for an export (the SDK reads the rest: headers, timeouts, intervals, resource).
ASKING = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "OTEL_TRACES_EXPORTER",
    "OTEL_METRICS_EXPORTER",
)
_installed: Any = None  # the process's instruments once setup() ran


def configured(env: Mapping[str, str] = os.environ) -> bool:
    if env.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return any(env.get(name) and env.get(name) != "none" for name in ASKING)


def setup(env: Mapping[str, str] = os.environ) -> bool:
    """Install the tracer and meter providers when ``OTEL_*`` asks; True when telemetry is on. Idempotent."""
    global _installed
    if _installed is not None or not configured(env):
        return _installed is not None
    try:
        from claude_api_mcp.app import otel_sdk
    except ModuleNotFoundError as exc:
        raise ConfigError(f"OTEL_* is set but the OpenTelemetry SDK is not installed ({exc.name}): {EXTRA}") from None
    _installed = otel_sdk.install(env, SERVICE)
    atexit.register(_installed.shutdown)
    return True


def instruments() -> Any:
    """The OpenTelemetry instruments when setup() turned telemetry on, else None."""
    return _installed.instruments if _installed is not None else None


# --- route templates --------------------------------------------------------------------------------------

_ID = re.compile(r"^(?:v\d+|[a-z]+(?:_[a-z]+)*)$")  # a version or plain word of the API's path, not an id


@cache
def _templates() -> tuple[tuple[re.Pattern[str], str], ...]:
    from claude_api_mcp.client.catalog import load_catalog

    seen: dict[str, str] = {}
    for op in load_catalog().operations:
        pattern = "^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(op.path)) + "$"
        seen.setdefault(pattern, op.path)
    # the most specific first: more literal segments win over placeholders
    ordered = sorted(seen.items(), key=lambda kv: (kv[1].count("{"), -len(kv[1])))
    return tuple((re.compile(p), template) for p, template in ordered)


def route_template(path: str) -> str:
    """``path`` as the catalog's template; a path it does not know keeps only its plain words."""
    path = path.split("?", 1)[0]
    for pattern, template in _templates():
        if pattern.match(path):
            return template
    return "/".join(s if not s or _ID.match(s) else "{id}" for s in path.split("/"))


# --- per tool call: how many times the same request was sent ------------------------------------------------

SENT: contextvars.ContextVar[dict[tuple[str, str], int] | None] = contextvars.ContextVar("otel_sent", default=None)


def resend_count(request: httpx.Request) -> int:
    sent = SENT.get()
    if sent is None:
        return 0
    key = (request.method, str(request.url))
    count = sent.get(key, 0)
    sent[key] = count + 1
    return count


def elapsed(started: float) -> float:
    return time.perf_counter() - started
