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
import os
from collections.abc import Mapping
from typing import Any

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
