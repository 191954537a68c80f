"""The audit log: one JSON line per write attempt, whatever its outcome.

Every write tool call (dry runs, declines, refusals, failures, successes) is recorded by the registration
wrapper in ``server/app.py``; ``tools/_writes.write()`` adds the upstream HTTP status and request id through
the ``Attempt`` held in a context variable for the duration of the call.

Each line goes out in a single ``os.write`` on a file opened with ``O_APPEND``: no buffering, so a crash of
this process loses no completed line, and concurrent calls never interleave within a line. An unwritable
path is a startup error (``check_writable``), never a silent loss.

Arguments are recorded with secrets redacted: anything that looks like an Anthropic key, the configured
keys and HTTP token themselves, and bulky payloads (``content_base64``, file bodies, long strings) as a
summary of their size.
"""

from __future__ import annotations

import contextvars
import enum
import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pydantic_core
from mcp.server.mcpserver.exceptions import ToolError

from server import identity
from server import scrub as scrubber
from server.config import Secret, Settings

KEY_PATTERN = scrubber.KEY_PATTERN
BULKY_FIELDS = frozenset({"content_base64", "data", "file", "files", "content", "body_base64"})
MAX_STRING = 500  # longer strings are summarized: an audit line records what was done, not the payload


class AuditLogError(OSError):
    """The audit log cannot be written; the message names the path and what to do."""


class Refused(ToolError):
    """A write refused by policy before anything was sent (workspace pinning, --confirm always)."""


class NotConfirmed(ToolError):
    """The person declined or cancelled the confirmation: nothing was sent."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(message)
        self.action = action  # "declined" or "cancelled"


@dataclass
class Attempt:
    """One write tool call, filled in as it runs and written as one line when it ends."""

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

    def failed_upstream(self, status: int | None, request_id: str | None) -> None:
        self.upstream_failed = True
        self.http_status = status if status is not None else self.http_status
        self.request_id = request_id or self.request_id

    def sent(self, method: str, path: str, status: int | None, request_id: str | None) -> None:
        """Called by write() for each request it sends; the last one is what the line reports."""
        self.method, self.path, self.http_status, self.request_id = method, path, status, request_id

    def record(self, scrub: Iterable[str] = ()) -> dict[str, Any]:
        line: dict[str, Any] = {
            "time": self.at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "tool": self.tool,
            "arguments": redact(self.arguments, scrub),
            "outcome": self.outcome,
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
    return scrubber.text(text, scrub)  # the one scrubber (server/scrub.py)


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

    def write(self, attempt: Attempt) -> None:
        record = scrubber.value(attempt.record(self._scrub), self._scrub)  # every field: request_id too
        data = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode()
        if self._fd is None:
            raise AuditLogError(f"the audit log {self.path} is closed")
        view = memoryview(data)
        while view:  # one call for a regular file; the loop only guards a short write
            view = view[os.write(self._fd, view) :]

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise AuditLogError(
            f"cannot write the audit log {path}: {exc.strerror or exc}. "
            "Choose a writable file with --audit-log (CLAUDE_API_MCP_AUDIT_LOG)."
        ) from None


def check_writable(path: Path) -> None:
    """Raise AuditLogError now, at startup, rather than lose lines later."""
    os.close(_open(path))
