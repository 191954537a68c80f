"""The server's log records, scrubbed, to the client that asked for them (MCP logging).

A client chooses its level: with ``logging/setLevel`` on handshake-era connections (kept per connection;
nothing is sent before it asks), or per request with the ``io.modelcontextprotocol/logLevel`` ``_meta`` key
on 2026-07-28. While a request runs, the records our own loggers (``claude_api_mcp.*``: retries, unexpected
failures, audit trouble) emit for it are forwarded as ``notifications/message`` on that request's stream,
scrubbed through ``core/scrub.py`` like every other text that leaves the process.

A ``logging.Handler`` cannot await, so records go through a small bounded stream that a task drains for the
length of the request; a burst beyond the bound is dropped rather than slowing the call down.
"""

from __future__ import annotations

import logging
import threading
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server import MCPServer
from mcp.server.connection import allowed_log_levels
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.types import (
    EmptyResult,
    LoggingLevel,
    LoggingMessageNotification,
    LoggingMessageNotificationParams,
    SetLevelRequestParams,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from claude_api_mcp.core import scrub

LOGGER = "claude_api_mcp"
LEVELS: Final[tuple[LoggingLevel, ...]] = (
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
)
# The MCP level of a Python record, and the Python level to enable for an MCP level.
_TO_MCP: Final = ((logging.CRITICAL, "critical"), (logging.ERROR, "error"), (logging.WARNING, "warning"))
_TO_PYTHON: Final[dict[str, int]] = {"debug": logging.DEBUG, "info": logging.INFO, "notice": logging.INFO}
_STATE_KEY = "claude_api_mcp.log_level"
# The JSON call log (web/metrics.py) is the operator's record of every call, not a message for the client.
OPERATOR_ONLY = frozenset({"claude_api_mcp.calls"})
BUFFER = 64  # records per request; more in one call is a loop, not information


def mcp_level(levelno: int) -> LoggingLevel:
    for threshold, name in _TO_MCP:
        if levelno >= threshold:
            return name  # type: ignore[return-value]
    return "info" if levelno >= logging.INFO else "debug"


@dataclass(frozen=True)
class _Sink:
    send: MemoryObjectSendStream[LoggingMessageNotificationParams]
    levels: frozenset[str]
    thread: int  # the event loop's thread: a record from a worker thread cannot use the stream safely


_sink: ContextVar[_Sink | None] = ContextVar("claude_api_mcp_log_sink", default=None)


class ToClient(logging.Handler):
    """Hands each record of the current request to its sink, when the client asked for its level."""

    def emit(self, record: logging.LogRecord) -> None:
        sink = _sink.get()
        if sink is None or threading.get_ident() != sink.thread or record.name in OPERATOR_ONLY:
            return
        level = mcp_level(record.levelno)
        if level not in sink.levels:
            return
        try:
            message = scrub.text(record.getMessage())
            if record.exc_info and record.exc_info[0] is not None:
                message += f" ({record.exc_info[0].__name__})"  # the type only: tracebacks stay in the server log
            params = LoggingMessageNotificationParams(level=level, logger=record.name, data=message)
            sink.send.send_nowait(params)
        except (anyio.WouldBlock, anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass  # a burst beyond BUFFER, or the request already answered: dropped, never blocking the call
        except Exception:  # a record that cannot be formatted must not break the call that logged it
            self.handleError(record)


HANDLER = ToClient()


def connection_state(ctx: ServerRequestContext[Any, Any]) -> dict[str, Any]:
    """Per-connection scratch state. The SDK keeps it on the session's connection, which it does not expose
    publicly on ``ServerRequestContext``; without one (a stateless request) the state lasts one request."""
    connection = getattr(ctx.session, "_connection", None)
    state = getattr(connection, "state", None)
    return state if isinstance(state, dict) else {}


def wanted_levels(ctx: ServerRequestContext[Any, Any]) -> frozenset[str]:
    if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        return frozenset(allowed_log_levels(ctx.protocol_version, ctx.meta))  # the request's own opt-in
    chosen = connection_state(ctx).get(_STATE_KEY)
    return frozenset(LEVELS[LEVELS.index(chosen) :]) if chosen in LEVELS else frozenset()


def enable(level: str) -> None:
    """Make our loggers create records down to ``level`` (the stderr handler keeps the --log-level it has)."""
    logger = logging.getLogger(LOGGER)
    wanted = _TO_PYTHON.get(level, logging.WARNING)
    if logger.getEffectiveLevel() > wanted:
        logger.setLevel(wanted)


async def set_level(ctx: ServerRequestContext[Any, Any], params: SetLevelRequestParams) -> EmptyResult:
    connection_state(ctx)[_STATE_KEY] = params.level
    enable(params.level)
    return EmptyResult()


async def _drain(receive: MemoryObjectReceiveStream[LoggingMessageNotificationParams], ctx: Any) -> None:
    async with receive:
        async for params in receive:
            notification = LoggingMessageNotification(params=params)
            try:  # request-scoped: the entry rides this request's stream, as 2026-07-28 requires
                await ctx.session.send_notification(notification, related_request_id=ctx.request_id)
            except Exception:  # a client that went away: the call's own answer is what matters
                return


async def forward_logs(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    levels = wanted_levels(ctx) if ctx.request_id is not None else frozenset()
    if not levels:
        return await call_next(ctx)
    if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        enable(min(levels, key=LEVELS.index))
    send, receive = anyio.create_memory_object_stream[LoggingMessageNotificationParams](BUFFER)
    async with anyio.create_task_group() as tg:
        tg.start_soon(_drain, receive, ctx)
        token = _sink.set(_Sink(send, levels, threading.get_ident()))
        try:
            result = await call_next(ctx)
        finally:
            _sink.reset(token)
            send.close()  # the drain sends what is queued, then ends
    return result


def register_logging(server: MCPServer[Any]) -> None:
    """Serve ``logging/setLevel`` (which also declares the capability) and forward records per request."""
    lowlevel = server._lowlevel_server  # the SDK's only way to add a handler that sees the request context
    lowlevel.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)
    server.middleware.append(forward_logs)
    logger = logging.getLogger(LOGGER)
    if HANDLER not in logger.handlers:
        logger.addHandler(HANDLER)
