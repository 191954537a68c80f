"""Prometheus metrics and structured JSON logs for the HTTP transport.

* ``ToolMetrics`` (an MCP server middleware) counts every tool call, its errors and its latency, and logs
  one JSON line per call naming the caller and the upstream request ids the call caused.
* ``observe`` hooks the upstream client: status codes, retries, and the request ids that tie a tool
  call to what the API saw.

With several workers each process writes its samples to the private directory the parent gives it
(``PROMETHEUS_MULTIPROC_DIR``, set before any worker starts) and ``/metrics`` sums them, so a scrape
that lands on any worker sees them all. Label values are this server's own tool names (any other name a
client sends is ``unknown``), methods and status codes: never an argument, a token or a key.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import time
from typing import Any

import httpx
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.types import CallToolResult
from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

from claude_api_mcp.app.tool_index import indexed_tools
from claude_api_mcp.client import deadline
from claude_api_mcp.core import identity, scrub

log = logging.getLogger("claude_api_mcp.calls")

TOOL_CALLS = Counter("claude_api_mcp_tool_calls", "Tool calls", ["tool"])
TOOL_ERRORS = Counter("claude_api_mcp_tool_errors", "Tool calls that ended in an error", ["tool"])
TOOL_SECONDS = Histogram(
    "claude_api_mcp_tool_seconds",
    "Tool call latency",
    ["tool"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
UPSTREAM = Counter("claude_api_mcp_upstream_responses", "Upstream responses by status code", ["method", "status"])
UPSTREAM_RETRIES = Counter("claude_api_mcp_upstream_retries", "Upstream requests sent again by the retry policy")
CONFIRMATIONS = Counter("claude_api_mcp_confirmations", "Confirmation questions by outcome", ["outcome"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Label values come only from the server's own tool registry: a client naming made-up tools (66,000 of them
# in issue 19) must not mint a time series each. Every name outside it counts as this one value.
KNOWN_TOOLS = frozenset(t.name for t in indexed_tools())
UNKNOWN_TOOL = "unknown"

# The upstream requests of the tool call this task is running: (method, path, status, request id).
_SENT: contextvars.ContextVar[list[tuple[str, str, int, str | None]] | None] = contextvars.ContextVar(
    "claude_api_mcp_sent", default=None
)


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, and the event's own fields, through the one scrubber (an
    upstream may echo a key in a header such as ``request-id``, which this log carries)."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record.msg if isinstance(record.msg, dict) else {"message": record.getMessage()}
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        line = json.dumps({"time": stamp, "level": record.levelname.lower(), **scrub.value(fields)}, default=str)
        return scrub.text(line)  # what default=str rendered is scrubbed too


def without_query_values(target: str) -> str:
    """A request path for the log: the query's names stay (which filter, which page), its values go (an
    email filter names a person)."""
    path, _, query = target.partition("?")
    if not query:
        return path
    names = [part.partition("=")[0] for part in query.split("&") if part]
    return path + "?" + "&".join(f"{name}=…" for name in names)


def json_logs() -> None:
    """Tool-call events go to stderr as JSON lines, whatever format the other logs use."""
    if not any(isinstance(h.formatter, JsonLines) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        log.addHandler(handler)
        log.propagate = False


def render() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(DEFAULT_REGISTRY)


def confirmation(outcome: str) -> None:
    """``asked``, ``confirmed``, ``declined`` or ``cancelled``."""
    CONFIRMATIONS.labels(outcome).inc()


def observe(client: httpx.AsyncClient) -> None:
    """Count every upstream response of ``client`` (retries included: each is its own response)."""

    async def on_response(response: httpx.Response) -> None:
        request = response.request
        UPSTREAM.labels(request.method, str(response.status_code)).inc()
        sent = _SENT.get()
        if sent is not None:
            target = request.url.raw_path.decode("ascii", "replace")  # with the query: pages are not retries
            if any(m == request.method and p == target for m, p, _, _ in sent):
                UPSTREAM_RETRIES.inc()  # the same request again within one tool call: a retry
            sent.append((request.method, target, response.status_code, response.headers.get("request-id")))

    client.event_hooks["response"].append(on_response)


class ToolMetrics(ServerMiddleware[Any]):
    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method != "tools/call":
            return await call_next(ctx)
        name = ctx.params.get("name") if ctx.params else None
        tool = name if isinstance(name, str) and name in KNOWN_TOOLS else UNKNOWN_TOOL
        sent: list[tuple[str, str, int, str | None]] = []
        token = _SENT.set(sent)
        started = time.perf_counter()
        failed = True
        tried: list[deadline.Attempt] = []
        try:
            with deadline.tally() as tried:  # every attempt, failed network ones too (no response to hook)
                result = await call_next(ctx)
            failed = isinstance(result, CallToolResult) and bool(result.is_error)
            if isinstance(result, dict) and result.get("isError") is True:
                failed = True
            return result
        finally:
            _SENT.reset(token)
            seconds = time.perf_counter() - started
            TOOL_CALLS.labels(tool).inc()
            TOOL_SECONDS.labels(tool).observe(seconds)
            if failed:
                TOOL_ERRORS.labels(tool).inc()
            caller = identity.current()
            record = {
                "event": "tool_call",
                "tool": tool,
                "ok": not failed,
                "ms": round(seconds * 1000, 1),
                **(caller.audit_fields() if caller else {}),
                "upstream": [
                    {"method": m, "path": without_query_values(p), "status": s, "request_id": r} for m, p, s, r in sent
                ],
                "attempts": len(tried),
                "failed_attempts": [
                    f"{a.method} {without_query_values(a.path)}: {a.outcome}" for a in tried if not a.ok
                ],
            }
            log.info(record)


class Prometheus:
    """The web layer's instruments (``core.instruments.Instruments``): counters, call logs, upstream hooks."""

    def middleware(self) -> list[Any]:
        return [ToolMetrics()]

    def observe_client(self, client: httpx.AsyncClient) -> None:
        observe(client)

    def confirmation(self, outcome: str) -> None:
        confirmation(outcome)


PROMETHEUS = Prometheus()
