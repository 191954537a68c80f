"""Who is calling: the caller of the HTTP request a tool call belongs to, held in a context variable.

The HTTP guard (``server/web/guard.py``) sets it once per request, after authentication; the SDK carries
context variables from the request that delivered a message to the task that handles it, so tool code,
the audit log and the metrics read it without any parameter threading. On stdio nobody sets it.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Caller:
    subject: str | None = None  # the token's ``sub`` (OAuth) or None for the shared static token
    email: str | None = None
    client_id: str | None = None  # the OAuth client (``azp``/``client_id``), or the remote address
    profile: str | None = None  # the profile this caller was given (from scopes, never beyond --profile)
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])  # ties logs to upstream ids

    def audit_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"subject": self.subject, "client": self.client_id, "request": self.request_id}
        if self.email is not None:
            fields["email"] = self.email
        return fields


_CALLER: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("claude_api_mcp_caller", default=None)


def current() -> Caller | None:
    return _CALLER.get()


def audit_fields() -> dict[str, Any]:
    """Fields every audit line carries: empty on stdio, the caller's identity on HTTP."""
    caller = _CALLER.get()
    return caller.audit_fields() if caller is not None else {}


def bind(caller: Caller) -> contextvars.Token[Caller | None]:
    return _CALLER.set(caller)


def unbind(token: contextvars.Token[Caller | None]) -> None:
    _CALLER.reset(token)
