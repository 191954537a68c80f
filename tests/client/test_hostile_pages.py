"""Issue 10 #14 and #16: pages that never end, and retries the API cannot prove harmless.

A list walk (``all_pages``) stops after the first page that brings nothing new while still claiming more
(``has_more`` / ``next_page``) and says so; before, both helpers followed such pages forever, and Claude
Code reports for up to 10,000 pages a day. ``x-should-retry: true`` makes reads retry, never a create.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import text_of
from tests.hostile import Upstream, connect

pytestmark = pytest.mark.anyio

USERS = [{"id": f"user_0{n}", "type": "user", "email": f"u{n}@acme.example"} for n in (1, 2)]


def always(body: dict[str, Any]) -> Upstream:
    return Upstream(lambda request: httpx.Response(200, json=body))


@pytest.mark.parametrize(
    ("case", "page", "requests", "items"),
    [
        ("empty pages claiming more", {"data": [], "has_more": True, "first_id": None, "last_id": "user_09"}, 1, 0),
        ("the same page again", {"data": USERS, "has_more": True, "first_id": "user_01", "last_id": "user_02"}, 2, 2),
    ],
)
async def test_an_id_cursor_walk_stops_at_a_page_that_brings_nothing_new(
    case: str, page: dict[str, Any], requests: int, items: int, tmp_path: Path
) -> None:
    upstream = always(page)
    async with connect(upstream, tmp_path) as client:
        result = await client.call_tool("list_users", {"all_pages": True})
    data = result.structured_content or {}
    assert not result.is_error, text_of(result)
    assert len(upstream.requests) == requests, case
    assert len(data["data"]) == items and data["has_more"] is True
    assert f"page {requests} brought nothing new although the API said more exist" in data["note"]


@pytest.mark.parametrize(
    ("case", "page", "requests", "items"),
    [
        ("empty pages with a next page", {"data": [], "has_more": True, "next_page": "page_x"}, 1, 0),
        ("the same token again", {"data": [{"id": "file_01", "type": "file"}], "next_page": "page_x"}, 2, 1),
    ],
)
async def test_a_page_token_walk_stops_at_a_page_that_brings_nothing_new(
    case: str, page: dict[str, Any], requests: int, items: int, tmp_path: Path
) -> None:
    upstream = always(page)
    async with connect(upstream, tmp_path) as client:
        result = await client.call_tool("list_files", {"all_pages": True})
    data = result.structured_content or {}
    assert not result.is_error, text_of(result)
    assert len(upstream.requests) == requests, case
    assert len(data["data"]) == items and data["has_more"] is True
    assert "brought nothing new" in data["note"]


async def test_a_claude_code_report_that_repeats_its_page_stops_and_says_so(tmp_path: Path) -> None:
    day = (datetime.now(timezone.utc) - timedelta(days=2)).date().isoformat()  # within the reports' reach
    record = {"date": f"{day}T00:00:00Z", "actor": {"type": "user_actor", "email_address": "a@acme.example"}}
    upstream = always({"data": [record], "has_more": True, "next_page": "page_same"})
    async with connect(upstream, tmp_path) as client:
        result = await client.call_tool("get_claude_code_usage", {"starting_at": day})
    assert result.is_error and "brought nothing new; stopped to avoid a loop" in text_of(result), text_of(result)
    assert len(upstream.requests) == 2  # before: up to 10,000 for the day


def failing(status: int) -> Upstream:
    envelope = {"type": "error", "error": {"type": "api_error", "message": "try again"}}
    return Upstream(lambda request: httpx.Response(status, json=envelope, headers={"x-should-retry": "true"}))


async def test_x_should_retry_true_never_resends_a_create(tmp_path: Path) -> None:
    upstream = failing(500)
    async with connect(upstream, tmp_path) as client:
        result = await client.call_tool("create_workspace", {"name": "Once only"})
    assert result.is_error and "HTTP 500" in text_of(result)
    assert upstream.count("POST", "/v1/organizations/workspaces") == 1  # before: 4


async def test_x_should_retry_true_still_retries_reads_and_provably_unprocessed_creates(tmp_path: Path) -> None:
    reads, overloaded = failing(500), failing(529)
    async with connect(reads, tmp_path) as client:
        await client.call_tool("get_organization", {})
    async with connect(overloaded, tmp_path) as client:
        await client.call_tool("create_workspace", {"name": "Rejected before processing"})
    assert len(reads.requests) == 4  # 1 + max_retries
    assert overloaded.count("POST", "/v1/organizations/workspaces") == 4  # 529: nothing was processed
