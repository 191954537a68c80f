"""The sandbox's report endpoints behave like the API's: pagination, limits, empty intervals, consistent widths."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from claude_api_mcp.sandbox import SANDBOX_ADMIN_KEY, Sandbox
from claude_api_mcp.sandbox.report_data import GROUP_FIELDS
from tests.reports_expect import DAY, HOUR, stamp, today

pytestmark = pytest.mark.anyio
USAGE = "/v1/organizations/usage_report/messages"
TOKENS = ("uncached_input_tokens", "cache_read_input_tokens", "output_tokens")


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=sandbox.transport(),
        base_url="https://api.anthropic.com",
        headers={"x-api-key": SANDBOX_ADMIN_KEY, "anthropic-version": "2023-06-01"},
    ) as client:
        yield client


async def _all(http: httpx.AsyncClient, path: str, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
    buckets, token = [], None
    while True:
        body = (await http.get(path, params=params + ([("page", token)] if token else []))).json()
        buckets += body["data"]
        if not body["has_more"]:
            assert body["next_page"] is None
            return buckets
        token = body["next_page"]


def _sum(buckets: list[dict[str, Any]]) -> dict[str, int]:
    return {k: sum(r[k] for b in buckets for r in b["results"]) for k in TOKENS}


async def test_a_day_is_the_sum_of_its_hours_and_an_hour_of_its_minutes(http: httpx.AsyncClient) -> None:
    day = today() - 3 * DAY
    window = [("starting_at", stamp(day)), ("ending_at", stamp(day + DAY))]
    daily = await _all(http, USAGE, [*window, ("bucket_width", "1d")])
    hourly = await _all(http, USAGE, [*window, ("bucket_width", "1h"), ("limit", "5")])
    minutes = await _all(http, USAGE, [*window, ("bucket_width", "1m"), ("limit", "1440")])
    assert (len(daily), len(hourly), len(minutes)) == (1, 24, 1440)
    assert _sum(daily) == _sum(hourly) == _sum(minutes) and _sum(daily)["output_tokens"] > 0
    assert hourly[0]["starting_at"] == stamp(day) and hourly[-1]["ending_at"] == stamp(day + DAY)


async def test_default_and_maximum_limits_count_buckets(http: httpx.AsyncClient) -> None:
    start = stamp(today() - 60 * DAY)
    for width, default, most in (("1d", 7, 31), ("1h", 24, 168), ("1m", 60, 1440)):
        body = (await http.get(USAGE, params={"starting_at": start, "bucket_width": width})).json()
        assert len(body["data"]) == default and body["has_more"] is True
        too_many = await http.get(USAGE, params={"starting_at": start, "bucket_width": width, "limit": most + 1})
        assert too_many.status_code == 400 and too_many.json()["error"]["type"] == "invalid_request_error"


async def test_every_interval_is_listed_and_group_fields_are_null_unless_grouped(http: httpx.AsyncClient) -> None:
    window = {"starting_at": stamp(today() - 4 * DAY), "ending_at": stamp(today() - 2 * DAY)}
    nothing = (await http.get(USAGE, params={**window, "models[]": "claude-none"})).json()
    assert [b["results"] for b in nothing["data"]] == [[], []]
    grouped = (await http.get(USAGE, params={**window, "group_by[]": "model"})).json()
    for result in (r for b in grouped["data"] for r in b["results"]):
        assert result["model"] and all(result[f] is None for f in GROUP_FIELDS if f != "model")
        assert set(result["cache_creation"]) == {"ephemeral_1h_input_tokens", "ephemeral_5m_input_tokens"}
    refused = await http.get(USAGE, params={**window, "group_by[]": "speed"})
    assert refused.status_code == 400  # speed needs the fast-mode beta header


async def test_cost_report_is_daily_only_with_amounts_in_cents_as_decimal_strings(http: httpx.AsyncClient) -> None:
    path = "/v1/organizations/cost_report"
    window = {"starting_at": stamp(today() - 2 * DAY), "ending_at": stamp(today() - DAY)}
    body = (await http.get(path, params={**window, "group_by[]": ["workspace_id", "description"]})).json()
    items = body["data"][0]["results"]
    assert items and all(isinstance(i["amount"], str) and i["currency"] == "USD" for i in items)
    assert all(i["token_type"] or i["cost_type"] == "web_search" for i in items)
    plain = (await http.get(path, params=window)).json()["data"][0]["results"]
    assert len(plain) == 1 and plain[0]["description"] is None and plain[0]["model"] is None
    assert (await http.get(path, params={**window, "bucket_width": "1h"})).status_code == 400
    assert (await http.get(path, params={**window, "limit": 32})).status_code == 400


async def test_claude_code_report_is_one_day_per_request_in_pages(http: httpx.AsyncClient) -> None:
    path = "/v1/organizations/usage_report/claude_code"
    moment = next(today() - n * DAY for n in range(2, 9) if (today() - n * DAY).weekday() < 5)  # a busy day
    day = moment.date().isoformat()
    records = await _all(http, path, [("starting_at", day), ("limit", "3")])
    whole = (await http.get(path, params={"starting_at": day})).json()
    assert len(records) > 3 and records[:3] == whole["data"][:3]
    assert all(r["date"] == f"{day}T00:00:00Z" for r in records)
    assert {r["actor"]["type"] for r in records} <= {"user_actor", "api_actor"}
    assert (await http.get(path, params={"starting_at": stamp(moment + HOUR)})).status_code == 400
