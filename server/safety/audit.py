"""The audit log: JSON lines for every write attempt, written ahead of what they record.

Every write tool call (dry runs, declines, refusals, failures, successes, and calls whose arguments failed
validation) ends with one outcome line, written by the wrapper in ``server/app/tool_build.py``. Before any
request of a write leaves the machine, ``Attempt.sending`` writes a ``"outcome": "sending"`` line with
the method, path and arguments and waits for it to reach the disk (fsync); the outcome line follows. Both
carry the same ``call`` id. So every request that left the machine has a line even when the process is
killed with ``kill -9`` right after sending; a ``sending`` line with no outcome line is a request whose
result is unknown (check with a read tool).

On stdio, where clients stop servers with SIGTERM, a handler writes an ``interrupted`` line for every call
in flight (with the method, path and status known so far) before the process ends as it would have.

Each line goes out in a single ``os.write`` on a file opened with ``O_APPEND``, so concurrent calls never
interleave within a line, and is fsync'd. U+2028, U+2029, NEL and the other characters that line readers
treat as line breaks are escaped, so no argument can split a record. An unwritable path is a startup error
(``check_writable``), never a silent loss; a write-ahead line that cannot be written stops the request.

Arguments are recorded with secrets redacted: anything that looks like an Anthropic key, the configured
keys and HTTP token themselves, and bulky payloads (``content_base64``, file bodies, long strings) as a
summary of their size.
"""

from __future__ import annotations

import contextvars
import enum
import json
import logging
import os
import re
import signal
import threading
import time
import uuid
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pydantic_core
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from pydantic import ValidationError

from claude_api_mcp.core import identity
from claude_api_mcp.core import scrub as scrubber
from claude_api_mcp.core.config import Settings, default_audit_log_path
from claude_api_mcp.core.secret import Secret

log = logging.getLogger("claude_api_mcp")

KEY_PATTERN = scrubber.KEY_PATTERN
BULKY_FIELDS = frozenset({"content_base64", "data", "file", "files", "content", "body_base64"})
MAX_STRING = 500  # longer strings are summarized: an audit line records what was done, not the payload
# json.dumps escapes U+0000-U+001F; these are the other characters str.splitlines() and JS/line readers break on.
_LINE_BREAKERS = re.compile("[\x7f-\x9f\u2028\u2029]")


class AuditLogError(OSError):
    """The audit log cannot be written; the message names the path and what to do."""


class Refused(ToolError):
    """A write refused by policy before anything was sent (workspace pinning, --confirm always)."""


class NotConfirmed(ToolError):
    """The person declined or cancelled the confirmation: nothing was sent."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(message)
        self.action = action  # "declined" or "cancelled"


@dataclass(eq=False)
class Attempt:
    """One write tool call: a ``sending`` line before each request, one outcome line when it ends."""

    tool: str
    arguments: dict[str, Any]
    dry_run: bool = False
    started: float = field(default_factory=time.perf_counter)
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    outcome: str = "error"
    confirmation: str | None = None
    method: str | None = None
    path: str | None = None
    http_status: int | None = None
    request_id: str | None = None
    error: str | None = None
    upstream_failed: bool = False
    resolved: dict[str, Any] = field(default_factory=dict)  # SDK-filled inputs (client roots): used, not logged
    confirmable: bool = False  # whether this tool asks the person (a dry run then shows the question)
    call: str = field(default_factory=lambda: uuid.uuid4().hex[:16])  # pairs the sending and outcome lines
    log: AuditLog | None = None  # where write-ahead lines go (None: nothing is logged)

    def failed_upstream(self, status: int | None, request_id: str | None) -> None:
        self.upstream_failed = True
        self.http_status = status if status is not None else self.http_status
        self.request_id = request_id or self.request_id

    def sending(self, method: str, path: str) -> None:
        """Write-ahead: called right before a request is sent; returns once its line is on disk."""
        self.method, self.path, self.http_status, self.request_id = method, path, None, None
        if self.log is not None:
            try:
                self.log.write(self, outcome="sending")
            except OSError as exc:
                raise ToolError(
                    f"Not sent: the audit log {self.log.path} cannot be written ({exc}), and no write leaves "
                    "this server unrecorded. Ask the operator to fix the log."
                ) from None

    def sent(self, method: str, path: str, status: int | None, request_id: str | None) -> None:
        """Called by write() for each request it sends; the last one is what the line reports."""
        self.method, self.path, self.http_status, self.request_id = method, path, status, request_id

    def record(self, scrub: Iterable[str] = (), outcome: str | None = None) -> dict[str, Any]:
        line: dict[str, Any] = {
            "time": self.at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "call": self.call,
            "tool": self.tool,
            "arguments": redact(self.arguments, scrub),
            "outcome": outcome or self.outcome,
            "dry_run": self.dry_run,
            "confirmation": self.confirmation,
            "method": self.method,
            "path": self.path,
            "http_status": self.http_status,
            "request_id": self.request_id,
            "duration_ms": round((time.perf_counter() - self.started) * 1000, 1),
        }
        if self.error is not None:
            line["error"] = scrub_text(self.error, scrub)
        line.update(identity.audit_fields())  # who: subject, email, client (HTTP); nothing on stdio
        return line


_CURRENT: contextvars.ContextVar[Attempt | None] = contextvars.ContextVar("claude_api_mcp_write", default=None)


def current() -> Attempt | None:
    """The write attempt this task is running, if any (set by the registration wrapper)."""
    return _CURRENT.get()


def begin(attempt: Attempt) -> contextvars.Token[Attempt | None]:
    return _CURRENT.set(attempt)


def end(token: contextvars.Token[Attempt | None]) -> None:
    _CURRENT.reset(token)


# --- redaction --------------------------------------------------------------------------------------------


def scrub_text(text: str, scrub: Iterable[str] = ()) -> str:
    return scrubber.text(text, scrub)  # the one scrubber (server/core/scrub.py)


def redact(value: Any, scrub: Iterable[str] = (), *, name: str = "") -> Any:
    """A JSON-ready copy of ``value`` with keys scrubbed and bulky payloads summarized."""
    scrub = tuple(scrub)
    if isinstance(value, Secret):
        return "[redacted]"
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, Mapping):
        return {str(k): redact(v, scrub, name=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(v, scrub, name=name) for v in value]
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, str):
        if name in BULKY_FIELDS and len(value) > 64:
            return f"<{len(value)} characters>"
        text = scrub_text(value, scrub)
        return text if len(text) <= MAX_STRING else f"{text[:200]}…<{len(text)} characters>"
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(pydantic_core.to_jsonable_python(value, fallback=repr), scrub, name=name)


# --- the file ---------------------------------------------------------------------------------------------


def target(settings: Settings, has_writes: bool) -> Path | None:
    """Where write attempts are logged, or None when there is nothing to log.

    Read-only selections never write. The sandbox changes nothing real, so its writes are logged only
    when --audit-log names a file (the user's real audit trail is not filled with simulated writes).
    """
    if not has_writes or (settings.sandbox and settings.audit_log is None):
        return None
    return settings.audit_log_path


class AuditLog:
    def __init__(self, path: Path, secrets: Iterable[Secret | None] = ()) -> None:
        self.path = path
        self._scrub = tuple(s.reveal() for s in secrets if s is not None)
        self._fd: int | None = _open(path)
        self._in_flight: dict[str, Attempt] = {}  # calls with a sending line and no outcome line yet
        self._interrupted: set[str] = set()
        _OPEN_LOGS.add(self)
        install_sigterm_hook()

    def write(self, attempt: Attempt, outcome: str | None = None) -> None:
        """Append ``attempt``'s line (``outcome`` overrides its own, e.g. "sending") and fsync it."""
        record = scrubber.value(attempt.record(self._scrub, outcome), self._scrub)  # every field: request_id too
        line = json.dumps(record, ensure_ascii=False, default=str)
        data = (_LINE_BREAKERS.sub(lambda m: f"\\u{ord(m.group()):04x}", line) + "\n").encode()
        if self._fd is None:
            if attempt.call in self._interrupted:  # already recorded when the log closed under it
                return
            raise AuditLogError(f"the audit log {self.path} is closed")
        view = memoryview(data)
        while view:  # one call for a regular file; the loop only guards a short write
            view = view[os.write(self._fd, view) :]
        os.fsync(self._fd)
        if outcome == "sending":
            self._in_flight[attempt.call] = attempt
        else:
            self._in_flight.pop(attempt.call, None)

    def close(self) -> None:
        """Record calls still in flight as interrupted (the server is stopping under them), then close."""
        _OPEN_LOGS.discard(self)
        self._interrupt_in_flight("the server stopped while this request was in flight; its result is unknown")
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _interrupt_in_flight(self, why: str) -> None:
        for attempt in list(self._in_flight.values()):
            attempt.error = why
            try:
                self.write(attempt, outcome="interrupted")
            except OSError:
                return
            self._interrupted.add(attempt.call)


# SIGTERM ends a process at once by default, so calls in flight would get no outcome line. The hook writes
# one ("interrupted", with the method, path and status known so far) for every open log, then ends the
# process exactly as the default action would. On stdio it is installed when the log opens. Under uvicorn
# (HTTP), which replaces SIGTERM's handler while serving and re-raises the signal on its way out, the CLI
# installs it before serving, so it runs when uvicorn is forced out with calls still in flight.
_OPEN_LOGS: weakref.WeakSet[AuditLog] = weakref.WeakSet()


def install_sigterm_hook() -> None:
    """Idempotent; only from the main thread and only over the default action (never over someone's handler)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum: int, frame: Any) -> None:
    for open_log in list(_OPEN_LOGS):
        open_log._interrupt_in_flight(
            "the server was stopped (SIGTERM) while this request was in flight; its result is unknown"
        )
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


class AuditedTool(Tool):
    """A write tool whose calls are logged even when their arguments fail validation (before the wrapper runs)."""

    async def run(self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False) -> Any:
        try:
            return await super().run(arguments, context, convert_result)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                _log_invalid(self.name, arguments, context, exc.__cause__)
            raise


def _log_invalid(tool: str, arguments: dict[str, Any], context: Context[Any, Any], error: ValidationError) -> None:
    sink = getattr(context.request_context.lifespan_context, "audit", None)
    if not isinstance(sink, AuditLog):
        return
    problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])
    attempt = Attempt(tool=tool, arguments=dict(arguments or {}), outcome="invalid", error=problems)
    attempt.dry_run = bool(attempt.arguments.get("dry_run") is True)
    try:
        sink.write(attempt)
    except OSError as exc:
        log.error("could not append to the audit log %s: %s", sink.path, exc)


def _directory_problem(path: Path) -> str | None:
    """Why ``path``'s directory cannot hold it, or None. Only our own default directory is created: a path
    someone chose names a directory they own, and a typo there must not grow a tree where nobody looks."""
    parent = path.parent
    existing = next(p for p in (parent, *parent.parents) if p.exists() or p == p.parent)
    if not existing.is_dir():
        return f"{existing} is a file, not a directory;"
    if parent.is_dir() or path == default_audit_log_path():
        return None
    return f"the directory {parent} does not exist; create it (mkdir -p {parent}), or"


def _open(path: Path) -> int:
    try:
        if problem := _directory_problem(path):
            raise AuditLogError(problem)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # ours, by _directory_problem
        return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        reason = str(exc) if isinstance(exc, AuditLogError) else f"{exc.strerror or exc};"
        raise AuditLogError(
            f"cannot write the audit log {path}: {reason} choose a writable file with --audit-log "
            "(CLAUDE_API_MCP_AUDIT_LOG)."
        ) from None


def check_writable(path: Path) -> None:
    """Raise AuditLogError now, at startup, rather than lose lines later."""
    os.close(_open(path))
