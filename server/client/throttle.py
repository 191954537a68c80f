"""Throttle: what every request to the API waits on, so concurrent requests slow down together.

Reports fetch their windows concurrently (``tools/_gather.py``). Against a rate limit that could turn into
a burst of 429s and then a burst of retries; the throttle prevents both, for every request the one client
sends:

* after a 429, nobody sends until its ``retry-after`` has passed (not just the request that got it);
* then requests go out one at a time until one is answered without a 429 (slow start), so the retries
  that were waiting do not all land in the same instant; the very first request of the process goes
  alone too, since its answer may say what the limit is;
* the API's ``anthropic-ratelimit-requests-remaining`` / ``-reset`` headers, where it sends them, pace
  requests before a 429 happens: when the requests already in flight would use up what remains, new ones
  wait for the reset.

Upstream headers may come from a hostile proxy: every wait is capped at ``max_wait``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import anyio
import httpx

LIMIT = "anthropic-ratelimit-requests-limit"
REMAINING = "anthropic-ratelimit-requests-remaining"
RESET = "anthropic-ratelimit-requests-reset"


@dataclass(frozen=True)
class Ticket:
    held: bool  # holds the single-flight lock (sent while recovering from a 429)
    epoch: int


class Throttle:
    def __init__(
        self,
        *,
        max_wait: float,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        self._until = 0.0  # monotonic time before which nothing is sent (after a 429)
        self._recovering = False  # after a 429: one request in flight until one gets through
        self._known = False  # until the first answer, one request at a time: it may tell the limit (headers)
        self._single = anyio.Lock()
        self._in_flight = 0
        self._epoch = 0  # how many 429s so far: a request's answer speaks for the limit only if sent after the last
        self._bucket: Bucket | None = None  # the API's request bucket, as its headers last described it

    async def acquire(self, *, waited: bool = False) -> Ticket:
        """Wait until a request may be sent; ``waited``: this is a retry that already slept its own
        retry-after. Pass the ticket to ``release`` with the answer."""
        if not waited:
            await self._wait_for_window()
        held = False
        if self._one_at_a_time():
            await self._single.acquire()
            held = self._one_at_a_time()  # an answer may have come while this one waited
            if not held:
                self._single.release()
            elif not waited:
                await self._wait_for_window()
        self._in_flight += 1
        if self._bucket is not None:
            self._bucket.spend(self._clock())
        return Ticket(held, self._epoch)

    def release(self, ticket: Ticket, response: httpx.Response | None) -> None:
        """Record the answer (None: a network failure) and let the next request go."""
        self._in_flight -= 1
        if response is not None and response.status_code == 429:
            self._recovering = True  # at once: requests starting while its body is read go one at a time
            self._epoch += 1
        elif response is not None and ticket.epoch == self._epoch:
            # Only a request sent after the last 429 proves the limit has reset; older ones prove nothing.
            now = self._clock()
            self._known = True
            self._recovering = False
            self._until = min(self._until, now)
            self._read_headers(response.headers, now)
        if ticket.held:
            self._single.release()

    def _one_at_a_time(self) -> bool:
        """Before the first answer, after a 429, and when the bucket is empty at a rate the API has not shown."""
        if self._recovering or not self._known:
            return True
        bucket = self._bucket
        return bucket is not None and bucket.rate is None and bucket.available(self._clock()) < 1

    def pause(self, wait: float) -> None:
        """A 429 that its request will retry after ``wait`` seconds: everyone waits as long, then goes slowly."""
        self._until = max(self._until, self._clock() + min(wait, self._max_wait))
        self._recovering = True

    async def _wait_for_window(self) -> None:
        slept_until: float | None = None
        while True:
            now = self._clock()
            deadline = self._until
            if self._bucket is not None:
                deadline = max(deadline, now + min(self._bucket.wait_for_one(now), self._max_wait))
            # Sleep once per deadline: a new one (another 429 meanwhile) means another wait, the same one
            # means the wait is over (whatever the clock says; a test's sleep does not move it).
            if deadline <= now or deadline == slept_until:
                return
            await self._sleep(deadline - now)
            slept_until = deadline

    def _read_headers(self, headers: httpx.Headers, now: float) -> None:
        limit, remaining, reset = headers.get(LIMIT, ""), headers.get(REMAINING, ""), headers.get(RESET)
        if not (limit.isdigit() and remaining.isdigit() and reset):
            return  # the API did not say (or not in its format): pace by 429s alone
        try:
            full_in = datetime.fromisoformat(reset.replace("Z", "+00:00")).timestamp() - time.time()
        except (ValueError, OverflowError):
            return
        most, left = int(limit), int(remaining)
        if most <= 0 or left > most or not math.isfinite(full_in):
            return
        full_in = min(max(0.0, full_in), self._max_wait)
        old = self._bucket
        # ``remaining`` is rounded down: the bucket holds between ``left`` and ``left + 1``, so the slowest rate
        # that fits is ``(most - left - 1) / full_in``; assume that one, never the faster.
        # An almost full bucket tells the rate too roughly: keep the last one (or none: go one at a time when empty).
        rate = (most - left - 1) / full_in if most - left > 1 and full_in > 0 else (old.rate if old else None)
        # Requests still out may not be counted in this figure yet: count them as spent. Answers arrive out of
        # order: never believe more is left than the last estimate said.
        tokens = float(left - self._in_flight)
        if old is not None:
            tokens = min(tokens, old.available(now))
        self._bucket = Bucket(limit=most, tokens=tokens, at=now, rate=rate, full_at=now + full_in)


@dataclass
class Bucket:
    """The API's request limit as a token bucket: ``limit`` at most, refilling at ``rate`` per second. With no
    rate known, nothing is assumed to come back until the next answer says so."""

    limit: int
    tokens: float  # at ``at``
    at: float
    rate: float | None
    full_at: float

    def available(self, now: float) -> float:
        if self.rate:
            return min(float(self.limit), self.tokens + (now - self.at) * self.rate)
        return self.tokens

    def wait_for_one(self, now: float) -> float:
        """Seconds until one request's worth is back (0 with no rate known: ``_one_at_a_time`` paces that case)."""
        have = self.available(now)
        return (1 - have) / self.rate if have < 1 and self.rate else 0.0

    def spend(self, now: float) -> None:
        self.tokens, self.at = self.available(now) - 1, now
