"""The sandbox's state, apart from the app that serves it: what route and state modules read and change.

``core.Sandbox`` adds the ASGI app and the transport; the modules the app is built from type against this
class, so the app can import them without a cycle.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from claude_api_mcp.sandbox.org import OrgState
from claude_api_mcp.sandbox.transport import Faults

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


class SandboxState:
    def __init__(self, *, clock: Callable[[], datetime] | None = None, record_limit: int = 10_000) -> None:
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.started_at = self.clock()
        self.org = OrgState(self.started_at)
        self.requests: deque[RecordedRequest] = deque(maxlen=record_limit)
        self.faults = Faults()
        self.revoked_keys: set[str] = set()  # keys the sandbox answers with 401, for tests
        self.extensions: dict[str, Any] = {}  # per-area state created lazily by route modules

    def area(self, name: str, factory: Callable[[Any], Any]) -> Any:
        """Per-area state (reports, batches, files...), created on first use so startup stays cheap."""
        if name not in self.extensions:
            self.extensions[name] = factory(self)
        return self.extensions[name]
