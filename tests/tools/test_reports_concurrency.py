"""Reports fetch independent requests concurrently, bounded, in order, and slow down together on a 429.

The upstream is the sandbox behind a thin transport that counts requests in flight and can answer one
request with a 429, so what is asserted is what the API would see: how many requests overlapped, how many
429s it sent, and that nothing went out during a retry-after.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.report_state import reports
from tests.helpers import Sleeps, call_ok
from tests.reports_expect import DAY, today

pytestmark = pytest.mark.anyio
CLAUDE_CODE = "/v1/organizations/usage_report/claude_code"


class Watching(httpx.AsyncBaseTransport):
    """The sandbox's transport, plus a count of requests in flight and an optional 429 for the n-th request."""

    def __init__(self, sandbox: Sandbox, *, limit_request: int | None = None, retry_after: str = "2") -> None:
        self.inner = sandbox.transport()
        self.in_flight = 0
        self.log: list[tuple[str, int, int]] = []  # ("send", request number, in flight) / ("answer", number, status)
        self._numbers = itertools.count(1)
        self._limit_request = limit_request
        self._retry_after = retry_after

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        number = next(self._numbers)
        self.in_flight += 1
        self.log.append(("send", number, self.in_flight))
        try:
            await anyio.sleep(0.005)  # let the other requests of the call start: this is an API that takes time
            if number == self._limit_request:
                error = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}
                response = httpx.Response(429, json=error, headers={"retry-after": self._retry_after})
            else:
                response = await self.inner.handle_async_request(request)
            self.log.append(("answer", number, response.status_code))
            return response
        finally:
            self.in_flight -= 1

    @property
    def most_in_flight(self) -> int:
        return max(n for kind, _, n in self.log if kind == "send")


@asynccontextmanager
async def client_for(
    sandbox: Sandbox, transport: httpx.AsyncBaseTransport, sleeps: Sleeps, **overrides: Any
) -> AsyncIterator[Client]:
    settings = Settings(sandbox=True, profile=Profile.READ_ONLY, **overrides)
    server = build_server(settings, sandbox=sandbox, transport=transport, sleep=sleeps)
    async with Client(server) as client:
        yield client


def thirty_days() -> dict[str, str]:
    return {"starting_at": (today() - 30 * DAY).date().isoformat(), "ending_at": today().date().isoformat()}


async def test_claude_code_days_are_fetched_concurrently_up_to_the_limit_and_assembled_in_order() -> None:
    sandbox = Sandbox()
    reports(sandbox).page_cap = 3  # several pages per day: each day's pages stay one chain
    one_by_one = Watching(sandbox)
    async with client_for(sandbox, one_by_one, Sleeps(), report_concurrency=1) as client:
        sequential = await call_ok(client, "get_claude_code_usage", {**thirty_days(), "include_records": True})
    four = Watching(sandbox)
    async with client_for(sandbox, four, Sleeps(), report_concurrency=4) as client:
        concurrent = await call_ok(client, "get_claude_code_usage", {**thirty_days(), "include_records": True})
    assert one_by_one.most_in_flight == 1
    assert four.most_in_flight == 4
    assert concurrent == sequential  # same totals, actors and records, in the same (day) order
    assert len(four.log) == len(one_by_one.log) > 60


async def test_usage_windows_are_fetched_concurrently_and_match_the_sequential_answer() -> None:
    sandbox = Sandbox()
    args = {
        "starting_at": (today() - 90 * DAY).date().isoformat(),
        "ending_at": today().date().isoformat(),
        "bucket_width": "1h",
        "group_by": ["model"],
    }
    answers, most = [], []
    for concurrency in (1, 6):
        watching = Watching(sandbox)
        async with client_for(sandbox, watching, Sleeps(), report_concurrency=concurrency) as client:
            answers.append(await call_ok(client, "get_usage", args))
        most.append(watching.most_in_flight)
    assert most == [1, 6]
    assert answers[0] == answers[1]
    assert answers[0]["totals"]["output_tokens"] > 0


async def test_a_429_holds_every_request_back_then_they_resume_one_at_a_time() -> None:
    sandbox = Sandbox()
    sleeps = Sleeps()
    watching = Watching(sandbox, limit_request=3, retry_after="2")
    async with client_for(sandbox, watching, sleeps, report_concurrency=4) as client:
        report = await call_ok(client, "get_claude_code_usage", thirty_days())
    async with client_for(sandbox, Watching(sandbox), Sleeps(), report_concurrency=4) as client:
        clean = await call_ok(client, "get_claude_code_usage", thirty_days())
    assert report == clean  # the rate-limited day was retried, and nothing was lost or doubled
    statuses = [n for kind, _, n in watching.log if kind == "answer"]
    assert statuses.count(429) == 1
    # Requests sent after the 429 went out one at a time until one succeeded (no burst of retries); those
    # already in flight when it came were not called back.
    after = watching.log[watching.log.index(("answer", 3, 429)) + 1 :]
    sent_after = {number for kind, number, _ in after if kind == "send"}
    outstanding, most = 0, 0
    for kind, number, n in after:
        if number not in sent_after:
            continue
        if kind == "send":
            outstanding += 1
            most = max(most, outstanding)
        else:
            outstanding -= 1
            if n == 200:
                break
    assert sent_after and most == 1
    # The limited request waited its retry-after; the others held off for what was left of it, never longer.
    assert 2.0 in sleeps and all(0 < s <= 2.0 for s in sleeps)
