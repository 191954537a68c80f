"""read_api's ``all_pages`` against a hostile upstream (issue 19 item 8): the typed list tools' own loop (a
cursor seen before, or a page with nothing new, ends it) and the report tools' window policy (reach, request
budget). Each test counts the requests that reached the upstream."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from itertools import count
from typing import Any

import httpx
import pytest

from tests.api_upstream import connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio


class Pages:
    """Answers every request with ``page(n)``, n counting from 0, and records the requests."""

    def __init__(self, page: Callable[[int], dict[str, Any]]) -> None:
        self.page, self.requests = page, list[httpx.Request]()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self.page(len(self.requests) - 1), headers={"request-id": "req_h"})


def fresh_items(n: int, per_page: int = 2) -> list[dict[str, Any]]:
    return [{"id": f"item_{n}_{i}", "type": "thing"} for i in range(per_page)]


CYCLE = Pages(lambda n: {"data": fresh_items(n), "has_more": True, "next_page": "AB"[n % 2]})
EMPTY = Pages(lambda n: {"data": [], "has_more": True, "next_page": f"page_{n}"})
SAME = Pages(lambda n: {"data": fresh_items(n), "has_more": True, "next_page": "page_same"})
CASES = {"a cursor cycle A, B, A": (CYCLE, 3), "empty pages claiming more": (EMPTY, 1), "one cursor": (SAME, 2)}


@pytest.mark.parametrize("case", CASES)
async def test_read_api_stops_at_a_repeating_cursor_or_a_page_with_nothing_new(case: str) -> None:
    upstream, expected = CASES[case]
    upstream.requests.clear()
    async with connect(upstream) as client:  # type: ignore[arg-type]
        listed = await call_ok(client, "read_api", {"operation": "organization.rbac_groups.list", "all_pages": True})
    assert len(upstream.requests) == expected, case  # before: until the 1,000-item cap, or forever on empty pages
    assert "brought nothing new although the API said more exist" in listed["note"]


async def test_the_typed_list_tools_walk_the_same_loop() -> None:
    CYCLE.requests.clear()
    async with connect(CYCLE) as client:  # type: ignore[arg-type]
        listed = await call_ok(client, "list_files", {"all_pages": True})
    assert len(CYCLE.requests) == 3 and len(listed["data"]) == 6 and "brought nothing new" in listed["note"]


async def test_a_cursor_walk_that_cycles_stops_too() -> None:
    ids = count()
    upstream = Pages(
        lambda n: {"data": [{"id": f"user_{next(ids)}"}], "has_more": True, "first_id": "x", "last_id": "AB"[n % 2]}
    )
    async with connect(upstream) as client:  # type: ignore[arg-type]
        listed = await call_ok(client, "read_api", {"operation": "organization.users.list", "all_pages": True})
    assert len(upstream.requests) == 3 and "brought nothing new" in listed["note"]


def _day(days_ago: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days_ago)).date().isoformat()


@pytest.mark.parametrize(
    ("operation", "arguments"),
    [
        ("organization.cost_report", {"starting_at": "0001-01-01T00:00:00Z"}),
        ("organization.usage_report.messages", {"starting_at": "2001-01-01T00:00:00Z", "bucket_width": "1d"}),
        ("beta.organization.analytics.cost_report.list", {"starting_at": "1999-12-31"}),
        ("organization.analytics.artifacts.list", {"date": "2010-06-01"}),
        ("organization.analytics.summaries.list", {"starting_date": _day(400)}),
    ],
)
async def test_a_report_window_beyond_the_reports_reach_is_refused_before_sending(
    operation: str, arguments: dict[str, Any]
) -> None:
    upstream = Pages(lambda n: {"data": [], "has_more": False, "next_page": None})
    async with connect(upstream) as client:  # type: ignore[arg-type]
        text = await call_error(client, "read_api", {"operation": operation, "arguments": arguments, "all_pages": True})
    assert "is too far back: reports reach back 365 days" in text and "Nothing was sent" in text
    assert upstream.requests == []  # before: 1,000 requests for a year-1 cost report


async def test_a_bucket_window_needing_more_requests_than_the_budget_is_refused_up_front() -> None:
    upstream = Pages(lambda n: {"data": [], "has_more": False, "next_page": None})
    args = {"starting_at": f"{_day(360)}T00:00:00Z", "bucket_width": "1h", "limit": 1}
    async with connect(upstream) as client:  # type: ignore[arg-type]
        text = await call_error(
            client,
            "read_api",
            {"operation": "organization.usage_report.messages", "arguments": args, "all_pages": True},
        )
    assert "needs 86" in text and "at most 500 (--max-report-requests)" in text and "Nothing was sent" in text
    assert upstream.requests == []


async def test_a_report_that_keeps_paging_stops_at_the_request_budget_and_says_where_to_resume() -> None:
    upstream = Pages(lambda n: {"data": fresh_items(n, 1), "has_more": True, "next_page": f"page_{n + 1}"})
    args = {"starting_at": f"{_day(20)}T00:00:00Z"}
    async with connect(upstream, max_report_requests=25) as client:  # type: ignore[arg-type]
        report = await call_ok(
            client, "read_api", {"operation": "organization.cost_report", "arguments": args, "all_pages": True}
        )
    assert len(upstream.requests) == 25 and len(report["data"]) == 25
    assert "stopped after 25 requests" in report["note"] and "page=page_25" in report["note"]
    assert report["has_more"] is True


async def test_the_typed_report_tools_walk_the_same_loop_and_stop_at_a_cursor_cycle() -> None:
    day = _day(2)
    record = {"date": f"{day}T00:00:00Z", "actor": {"type": "user_actor", "email_address": "a@acme.example"}}
    upstream = Pages(lambda n: {"data": [record], "has_more": True, "next_page": "AB"[n % 2]})
    async with connect(upstream) as client:  # type: ignore[arg-type]
        text = await call_error(client, "get_claude_code_usage", {"starting_at": day})
    assert "brought nothing new; stopped to avoid a loop" in text
    assert len(upstream.requests) == 3  # before: the request budget (500) for one day
