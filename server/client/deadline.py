"""The deadline of one tool call: every connect, answer, body and retry wait of the call share one budget.

Without it a read whose upstream accepts the connection and never answers took 4 x 60 s (one read timeout
per attempt) before the person heard anything. ``call_deadline(seconds)`` opens the budget around a tool
call (``server/app/tool_build.py``); ``AnthropicAPI`` spends it: each attempt waits at most what is left, no
retry starts that its wait would not leave time for, and when the time runs out the error says so, with
what was tried (``DeadlineExceeded``).

A streamed reply (``send_message`` with SSE, batch results, downloads) is bounded differently once its
headers have arrived: its body may take up to ``stream_total_timeout`` in all, and fall silent for at most
``stream_idle_timeout`` at a time (``Budget.streaming``). Everything before the headers (connect, retries)
stays within the deadline.

The budget also keeps the tally of the call's attempts, failed network attempts included, for the error;
``tally()`` collects the same for the per-call log (server/web/metrics.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import anyio

# The outer cancel scope fires this much after the budget: the client's own check comes first and can say what
# was tried; the scope only stops work that no upstream wait bounds (a tool's own loop, a stuck hook).
GRACE = 2.0


@dataclass
class Attempt:
    """One request that left (or tried to leave) for the upstream, and how it ended."""

    method: str
    path: str
    outcome: (
        str  # "HTTP 503", "connection refused", "no answer yet", "body was cut off after 512 bytes ...", "HTTP 200"
    )

    @property
    def ok(self) -> bool:
        return self.outcome.startswith("HTTP 2")  # a cut body's outcome starts with "body"


@dataclass
class Budget:
    seconds: float
    scope: anyio.CancelScope | None = None
    clock: Callable[[], float] = time.monotonic
    started: float | None = None  # on the API's clock, at the first request (a test may fake that clock)
    tried: list[Attempt] = field(default_factory=list)
    stream_total: float | None = None  # set once a streamed reply's headers arrived: its body's own limit

    def start(self, clock: Callable[[], float]) -> None:
        if self.started is None:
            self.clock, self.started = clock, clock()

    def remaining(self) -> float:
        if self.started is None:
            return self.seconds
        return self.seconds - (self.clock() - self.started)

    def record(self, method: str, path: str, outcome: str) -> None:
        attempt = Attempt(method, path, outcome)
        self.tried.append(attempt)
        if (tally := _TALLY.get()) is not None:
            tally.append(attempt)

    def streaming(self, total: float) -> None:
        """A stream's headers arrived: from now its body has ``total`` seconds (and its idle limit), not what is
        left of the deadline; a long generation is not cut at the deadline, a stream that never ends is."""
        self.stream_total = total
        if self.scope is not None:
            self.scope.deadline = anyio.current_time() + total

    def limit(self) -> str:
        """The limit that stopped the call, for the message of the call wrapper."""
        if self.stream_total is not None:
            return f"{self.stream_total:g} s (the limit of a streamed reply once it started)"
        return f"{self.seconds:g} s"

    def summary(self) -> str:
        if not self.tried:
            return "nothing was sent (waiting for the rate limit used it up)"
        count, last = len(self.tried), self.tried[-1]
        attempts = f"{count} upstream attempt{'s' if count != 1 else ''}"
        return f"{attempts} in this call, the last {last.method} {last.path}: {last.outcome}"


class DeadlineExceeded(Exception):
    """Raised inside the client when the budget is spent; ``AnthropicAPI`` turns it into an ``ApiError``."""


_BUDGET: ContextVar[Budget | None] = ContextVar("claude_api_mcp_budget", default=None)
_TALLY: ContextVar[list[Attempt] | None] = ContextVar("claude_api_mcp_tally", default=None)


@contextmanager
def tally() -> Iterator[list[Attempt]]:
    """Every attempt made inside the block, failed network attempts included (the per-call log reads it)."""
    tried: list[Attempt] = []
    token = _TALLY.set(tried)
    try:
        yield tried
    finally:
        _TALLY.reset(token)


@contextmanager
def call_deadline(seconds: float) -> Iterator[Budget]:
    """Bound the block (one tool call) to ``seconds`` of upstream work; raises TimeoutError past the grace."""
    with anyio.fail_after(seconds + GRACE) as scope:
        budget = Budget(seconds, scope)
        token = _BUDGET.set(budget)
        try:
            yield budget
        finally:
            _BUDGET.reset(token)


def current() -> Budget | None:
    return _BUDGET.get()
