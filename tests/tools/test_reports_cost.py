"""get_cost end to end: exact decimal dollars from the API's cents, grouped rows, whole windows, compact answers."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from claude_api_mcp.sandbox import Fault, Sandbox
from claude_api_mcp.sandbox.report_state import reports
from tests.conftest import Connect
from tests.helpers import call_error, call_ok, text_of
from tests.reports_expect import DAY, replay, stamp, today

pytestmark = pytest.mark.anyio
COST = "/v1/organizations/cost_report"


def _raw_items(pages: list[bytes]) -> list[dict[str, object]]:
    return [item for page in pages for bucket in json.loads(page)["data"] for item in bucket["results"]]


async def test_total_usd_is_the_exact_decimal_sum_of_the_cents_over_every_page(
    connect: Connect, sandbox: Sandbox
) -> None:
    reports(sandbox).page_cap = 4
    start, end = today() - 45 * DAY, today() - DAY
    async with connect() as client:
        report = await call_ok(
            client, "get_cost", {"starting_at": stamp(start), "ending_at": stamp(end), "group_by": ["workspace_id"]}
        )
    sent = [r for r in sandbox.requests if r.path == COST]  # and one look-up of the workspaces' names
    items = _raw_items(await replay(sandbox, sent))
    cents = [Decimal(str(item["amount"])) for item in items]
    assert all(isinstance(item["amount"], str) for item in items)
    assert Decimal(report["total_usd"]) == sum(cents, Decimal(0)) / 100  # exact, not just to the cent
    assert Decimal(report["total_usd"]).quantize(Decimal("0.01")) == (sum(cents, Decimal(0)) / 100).quantize(
        Decimal("0.01")
    )
    per_ws: dict[object, Decimal] = {}
    for item in items:
        per_ws[item["workspace_id"]] = per_ws.get(item["workspace_id"], Decimal(0)) + Decimal(str(item["amount"]))
    assert {r["workspace_id"]: Decimal(r["amount_usd"]) for r in report["groups"]} == {
        k: v / 100 for k, v in per_ws.items()
    }
    assert sum(Decimal(r["amount_usd"]) for r in report["groups"]) == Decimal(report["total_usd"])
    assert report["currency"] == "USD" and report["requests"] == len(sent) + 1
    windows = sorted({(dict(r.query)["starting_at"], dict(r.query)["ending_at"]) for r in sent})
    assert windows == [(stamp(start), stamp(start + 31 * DAY)), (stamp(start + 31 * DAY), stamp(end))]
    assert all(dict(r.query)["limit"] in ("31", "13") and dict(r.query)["bucket_width"] == "1d" for r in sent)
    assert sum("page" in dict(r.query) for r in sent) == len(sent) - 2  # every page after each window's first


async def test_cost_per_workspace_for_the_last_30_days_is_one_compact_exact_answer(
    connect: Connect, sandbox: Sandbox
) -> None:
    args = {"starting_at": (today() - 30 * DAY).date().isoformat(), "group_by": ["workspace_id"]}
    async with connect() as client:
        result = await client.call_tool("get_cost", args)
    answer = text_of(result)
    report = json.loads(answer)
    sent = [r for r in sandbox.requests if r.path == COST]
    raw = await replay(sandbox, sent)
    answer_tokens, raw_tokens = len(answer.encode()) / 4, sum(len(page) for page in raw) / 4
    print(f"\ncost per workspace, last 30 days: answer {answer_tokens:.0f} tokens; raw pages {raw_tokens:.0f} tokens")
    assert not result.is_error and report["ending_at"] == stamp(today() + DAY)  # through today, so far
    assert len(report["groups"]) == len({item["workspace_id"] for item in _raw_items(raw)})
    assert answer_tokens * 10 < raw_tokens


async def test_grouping_by_description_partitions_the_total_and_folds_past_the_budget(
    connect: Connect, sandbox: Sandbox
) -> None:
    args = {
        "starting_at": (today() - 10 * DAY).date().isoformat(),
        "ending_at": today().date().isoformat(),
        "group_by": ["workspace_id", "description"],
    }
    async with connect() as client:
        full = await call_ok(client, "get_cost", args)
    async with connect(output_char_budget=2_500) as client:
        result = await client.call_tool("get_cost", args)
    folded = json.loads(text_of(result))
    assert len(text_of(result)) <= 2_500
    for report in (full, folded):
        assert sum(Decimal(r["amount_usd"]) for r in report["groups"]) == Decimal(report["total_usd"])
    amounts = [Decimal(r["amount_usd"]) for r in full["groups"]]
    assert amounts == sorted(amounts, reverse=True) and "note" not in full
    *shown, other = folded["groups"]
    assert shown == full["groups"][: len(shown)] and other["other_groups"] == len(full["groups"]) - len(shown)
    assert folded["total_usd"] == full["total_usd"]
    assert any(r["description"] == "Web Search Usage" for r in full["groups"])


async def test_buckets_when_asked_are_daily_in_dollars(connect: Connect) -> None:
    args = {"starting_at": (today() - 5 * DAY).date().isoformat(), "ending_at": today().date().isoformat()}
    async with connect() as client:
        plain = await call_ok(client, "get_cost", args)
        report = await call_ok(client, "get_cost", {**args, "include_buckets": True})
    assert "buckets" not in plain and plain["groups"] == []
    assert [b["starting_at"] for b in report["buckets"]] == [stamp(today() - n * DAY) for n in range(5, 0, -1)]
    daily = [Decimal(r["amount_usd"]) for b in report["buckets"] for r in b["results"]]
    assert sum(daily, Decimal(0)) == Decimal(report["total_usd"])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"group_by": ["model"]}, "group_by"),
        ({"starting_at": "2026/01/01"}, "starting_at"),
        ({"ending_at": "2000-01-01"}, "ending_at must be after starting_at"),
        ({"starting_at": "2999-12-31"}, "in the future"),
    ],
)
async def test_bad_arguments_are_refused_before_any_call(
    connect: Connect, sandbox: Sandbox, args: dict[str, object], expected: str
) -> None:
    async with connect() as client:
        text = await call_error(client, "get_cost", {"starting_at": "2026-01-01", **args})
    assert expected in text and len(sandbox.requests) == 0


async def test_rows_grouped_by_workspace_name_it_with_one_look_up(connect: Connect, sandbox: Sandbox) -> None:
    args = {"starting_at": (today() - 5 * DAY).date().isoformat(), "group_by": ["workspace_id", "description"]}
    async with connect() as client:
        workspaces = (await call_ok(client, "list_workspaces", {"all_pages": True, "include_archived": True}))["data"]
        sandbox.requests.clear()
        report = await call_ok(client, "get_cost", {**args, "include_buckets": True})
    names = {w["id"]: w["name"] for w in workspaces} | {None: "Default"}
    rows = [*report["groups"], *(row for bucket in report["buckets"] for row in bucket["results"])]
    assert rows and all(row["workspace_name"] == names[row["workspace_id"]] for row in rows)
    assert list(report["groups"][0])[:2] == ["workspace_id", "workspace_name"]  # the name beside its id
    lookups = [r for r in sandbox.requests if r.path == "/v1/organizations/workspaces"]
    assert len(lookups) == 1 and report["requests"] == len(sandbox.requests)


async def test_a_failed_name_look_up_keeps_the_report_and_says_so(connect: Connect, sandbox: Sandbox) -> None:
    sandbox.inject(Fault("status", match="GET /v1/organizations/workspaces", status=403, error_type="permission_error"))
    args = {"starting_at": (today() - 5 * DAY).date().isoformat(), "group_by": ["workspace_id"]}
    async with connect() as client:
        report = await call_ok(client, "get_cost", args)
    assert report["groups"] and all("workspace_name" not in r or r["workspace_id"] is None for r in report["groups"])
    assert "Workspace names could not be looked up" in report["note"] and "rows show ids only" in report["note"]
