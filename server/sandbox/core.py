"""Sandbox: state + app + request log + faults."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from starlette.applications import Starlette

from server.sandbox.org import OrgState
from server.sandbox.transport import Fault, Faults, SandboxTransport

# Sandbox credentials look like real ones (so prefix checks apply) but are obviously not secrets.
SANDBOX_ADMIN_KEY = "sk-ant-admin01-sandbox-not-a-secret"
SANDBOX_API_KEY = "sk-ant-api03-sandbox-not-a-secret"


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    key_kind: str | None  # "admin", "api" or None; the key itself is never recorded
    content_type: str | None
    body: bytes = field(repr=False)
    beta: str | None = None  # the anthropic-beta header, as sent

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Sandbox:
    def __init__(self, *, clock: Callable[[], datetime] | None = None, record_limit: int = 10_000) -> None:
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.started_at = self.clock()
        self.org = OrgState(self.started_at)
        self.requests: deque[RecordedRequest] = deque(maxlen=record_limit)
        self.faults = Faults()
        self.revoked_keys: set[str] = set()  # keys the sandbox answers with 401, for tests
        self.extensions: dict[str, Any] = {}  # per-area state created lazily by route modules
        from server.sandbox.app import build_app  # late: app imports route modules that import this one

        self.app: Starlette = build_app(self)

    def transport(self) -> SandboxTransport:
        return SandboxTransport(self.app, self.faults)

    def inject(self, fault: Fault) -> None:
        self.faults.add(fault)

    def area(self, name: str, factory: Callable[[Sandbox], Any]) -> Any:
        """Per-area state (reports, batches, files...), created on first use so startup stays cheap."""
        if name not in self.extensions:
            self.extensions[name] = factory(self)
        return self.extensions[name]
