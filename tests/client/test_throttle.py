"""The throttle every request waits on, with a clock that moves only when the throttle sleeps."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import anyio
import httpx
import pytest

from claude_api_mcp.client.throttle import LIMIT, REMAINING, RESET, Throttle

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds
        await anyio.lowlevel.checkpoint()


def throttle(clock: Clock, max_wait: float = 30.0) -> Throttle:
    return Throttle(max_wait=max_wait, sleep=clock.sleep, clock=clock)


def answer(status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


async def test_nothing_is_sent_during_a_retry_after_then_one_request_at_a_time() -> None:
    clock = Clock()
    t = throttle(clock)
    t.release(await t.acquire(), answer())  # the first request (alone, a probe) was answered
    first = await t.acquire()
    t.release(first, answer(429))
    t.pause(2.0)
    ticket = await t.acquire()
    assert clock.slept == [2.0] and ticket.held  # waited out the pause, and holds the single-flight slot

    started = anyio.Event()

    async def second() -> None:
        started.set()
        t.release(await t.acquire(), answer())

    async with anyio.create_task_group() as group:
        group.start_soon(second)
        await started.wait()
        await anyio.lowlevel.checkpoint()
        assert t._in_flight == 1  # the second request waits for the first answer after the 429
        t.release(ticket, answer())
    assert t._in_flight == 0
    assert not (await t.acquire()).held  # one success ended the slow start


async def test_a_success_from_before_the_429_does_not_end_the_slow_start() -> None:
    clock = Clock()
    t = throttle(clock)
    t.release(await t.acquire(), answer())
    old = await t.acquire()
    limited = await t.acquire()
    t.release(limited, answer(429))
    t.release(old, answer(200))  # sent before the 429: says nothing about the limit now
    assert (await t.acquire()).held


async def test_the_rate_limit_headers_pace_sends_at_the_buckets_refill_rate() -> None:
    clock = Clock()
    t = throttle(clock)
    full = (datetime.now(timezone.utc) + timedelta(seconds=3)).isoformat()
    # 10 a window, 1 left (1 to 2, rounded down), full again in 3 s: at least 8/3 requests a second come back.
    t.release(await t.acquire(), answer(200, **{LIMIT: "10", REMAINING: "1", RESET: full}))
    await t.acquire()  # the one left
    assert clock.slept == []
    await t.acquire()  # none left: waits for one to come back
    assert len(clock.slept) == 1 and clock.slept[0] == 0.375


async def test_hostile_headers_cannot_stall_requests_past_the_cap() -> None:
    clock = Clock()
    t = throttle(clock, max_wait=5.0)
    far = (datetime.now(timezone.utc) + timedelta(days=365)).isoformat()
    t.release(await t.acquire(), answer(200, **{LIMIT: "10", REMAINING: "0", RESET: far}))
    await t.acquire()  # "full again in a year" is read as in 5 s at most: 9 back in 5 s, so one in 5/9 s
    assert clock.slept == [0.556]
    for bad in ({LIMIT: "5", REMAINING: "-3", RESET: "not a time"}, {LIMIT: "x", REMAINING: "0", RESET: far}):
        t.release(await t.acquire(), answer(200, **bad))  # ignored: not the API's format
    t.pause(10_000)
    await t.acquire()
    assert max(clock.slept) == 5.0


async def test_the_first_request_goes_alone_and_its_answer_opens_the_way() -> None:
    t = throttle(Clock())
    first = await t.acquire()
    assert first.held
    waiting = anyio.Event()

    async def second() -> None:
        ticket = await t.acquire()
        assert not ticket.held  # the first answer came: no longer one at a time
        waiting.set()

    async with anyio.create_task_group() as group:
        group.start_soon(second)
        await anyio.lowlevel.checkpoint()
        assert not waiting.is_set()
        t.release(first, answer())
    assert waiting.is_set()
