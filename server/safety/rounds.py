"""Which confirmation round a tools/call is, so a confirmation is bound to one round and used once.

On the 2026-07-28 protocol a confirmation is a round trip: the first call answers ``input_required`` with a
sealed ``requestState`` (random per round, sealed by ``--state-key``), and the client calls again with it
and the person's answer. Everything in a replayed retry is identical, so the sealed token names the round:

* ``round_id()`` is a digest of the token the call came back with (None on a first call, or on 2025-11-25
  connections, where the question is asked inside the call and cannot be replayed). The confirmation step
  claims it once in the store (``server/core/store.py``): a second use, on this or any instance sharing the
  store, is refused.
* the plan made for a question (its prepared request, with the files already read) is kept under the
  token it was sent out with, so the retry executes that very value instead of preparing the call again.
  Kept in this process only; a retry that reaches another instance prepares again, and the question names
  the upload's fingerprint, so changed content is a changed question, asked anew.

``remember_rounds`` is MCP server middleware: it must run outside the SDK's sealing boundary, where the
token is still sealed (inside it, the SDK has replaced it with the plain state, the same on every round).
"""

from __future__ import annotations

import contextvars
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from mcp_types.methods import is_input_required

ROUND_TTL = 900.0  # seconds: longer than the SDK's sealed-state lifetime (600 s), so no claim expires first
_MAX_KEPT = 2_000
# Plans hold their uploads' bytes: past this many in all, the oldest are forgotten (their retries prepare
# again, and the content fingerprint in the question catches a change).
MAX_KEPT_BYTES = 256 * 2**20


@dataclass
class _Round:
    id: str | None  # digest of the sealed token this call came back with
    planned: list[Any] = field(default_factory=list)  # plans made during this call, kept if it asks


_current: contextvars.ContextVar[_Round | None] = contextvars.ContextVar("confirmation_round", default=None)
_kept: dict[str, tuple[float, Any, int]] = {}  # digest of an outgoing sealed token -> (expiry, plan, bytes)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def round_id() -> str | None:
    current = _current.get()
    return current.id if current is not None else None


def planned(plan: Any) -> None:
    """Called with each plan that asks a question: kept if this call ends asking for input."""
    current = _current.get()
    if current is not None:
        current.planned.append(plan)


def kept_plan() -> Any:
    """The plan made for the question this call answers (None: not asked here, or forgotten)."""
    current = _current.get()
    if current is None or current.id is None:
        return None
    entry = _kept.get(current.id)
    return entry[1] if entry is not None and entry[0] > time.monotonic() else None


def _size(plan: Any) -> int:
    prepared = getattr(plan, "prepared", None)
    return sum(getattr(prepared, "sizes", None) or [])


def forget() -> None:
    current = _current.get()
    if current is not None and current.id is not None:
        _kept.pop(current.id, None)


async def remember_rounds(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
    if ctx.method != "tools/call":
        return await call_next(ctx)
    incoming = (ctx.params or {}).get("requestState")
    current = _Round(_digest(incoming) if isinstance(incoming, str) else None)
    token = _current.set(current)
    try:
        result = await call_next(ctx)
    finally:
        _current.reset(token)
    if current.planned and is_input_required(result):
        state = result.get("requestState") if isinstance(result, dict) else getattr(result, "request_state", None)
        if isinstance(state, str):
            _keep(_digest(state), current.planned[-1])
    return result


def _keep(key: str, plan: Any) -> None:
    now = time.monotonic()
    for k in [k for k, entry in _kept.items() if entry[0] <= now]:
        del _kept[k]
    size = _size(plan)
    while _kept and (len(_kept) >= _MAX_KEPT or sum(e[2] for e in _kept.values()) + size > MAX_KEPT_BYTES):
        del _kept[next(iter(_kept))]  # the oldest first
    if size <= MAX_KEPT_BYTES:
        _kept[key] = (now + ROUND_TTL, plan, size)
