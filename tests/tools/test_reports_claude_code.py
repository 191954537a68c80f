"""get_claude_code_usage end to end: one day per request, every page, exact totals per actor and in dollars."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.claude_code_data import records_for
from claude_api_mcp.sandbox.report_state import reports
from tests.conftest import Connect
from tests.helpers import call_error, call_ok, text_of
from tests.reports_expect import DAY, today

pytestmark = pytest.mark.anyio
FIGURES = ("sessions", "lines_added", "lines_removed", "commits", "pull_requests")


def _expected(sandbox: Sandbox, days: int) -> tuple[dict[str, int], Decimal, dict[str, Decimal]]:
    state = reports(sandbox)
    totals = dict.fromkeys(FIGURES, 0)
    cost, per_actor = Decimal(0), {}
    for n in range(days, 0, -1):
        for r in records_for(state.actors, (today() - n * DAY).date()):
            core = r["core_metrics"]
            for name, value in zip(
                FIGURES,
                (
                    core["num_sessions"],
                    core["lines_of_code"]["added"],
                    core["lines_of_code"]["removed"],
                    core["commits_by_claude_code"],
                    core["pull_requests_by_claude_code"],
                ),
                strict=True,
            ):
                totals[name] += value
            spent = sum((Decimal(str(m["estimated_cost"]["amount"])) for m in r["model_breakdown"]), Decimal(0))
            cost += spent
            who = r["actor"].get("email_address") or r["actor"]["api_key_name"]
            per_actor[who] = per_actor.get(who, Decimal(0)) + spent
    return totals, cost, per_actor


async def test_totals_and_actors_sum_every_record_of_every_day_and_page(connect: Connect, sandbox: Sandbox) -> None:
    reports(sandbox).page_cap = 4
    first = today() - 7 * DAY
    args = {"starting_at": first.date().isoformat(), "ending_at": today().date().isoformat()}
    async with connect() as client:
        report = await call_ok(client, "get_claude_code_usage", args)
    totals, cost, per_actor = _expected(sandbox, 7)
    assert {k: report["totals"][k] for k in FIGURES} == totals and totals["sessions"] > 0
    assert Decimal(report["totals"]["estimated_cost_usd"]) == cost / 100
    assert {a["actor"]: Decimal(a["estimated_cost_usd"]) for a in report["actors"]} == {
        k: v / 100 for k, v in per_actor.items()
    }
    for name in FIGURES:
        assert sum(a[name] for a in report["actors"]) == totals[name]
    costs = [Decimal(a["estimated_cost_usd"]) for a in report["actors"]]
    assert costs == sorted(costs, reverse=True)
    assert {a["actor_type"] for a in report["actors"]} == {"user_actor", "api_actor"}
    assert sum(Decimal(m["estimated_cost_usd"]) for m in report["models"]) == cost / 100

    days = [dict(r.query)["starting_at"] for r in sandbox.requests]
    assert sorted(set(days)) == [(first + n * DAY).date().isoformat() for n in range(7)]
    assert all(dict(r.query)["limit"] == "1000" for r in sandbox.requests)
    assert len(days) > 7 and any("page" in dict(r.query) for r in sandbox.requests)
    assert report["requests"] == len(days)


async def test_one_day_by_default_and_records_only_when_asked(connect: Connect, sandbox: Sandbox) -> None:
    day = (today() - 2 * DAY).date().isoformat()
    async with connect() as client:
        plain = await call_ok(client, "get_claude_code_usage", {"starting_at": day})
        full = await call_ok(client, "get_claude_code_usage", {"starting_at": day, "include_records": True})
    assert plain["ending_at"] == (today() - DAY).date().isoformat() and "records" not in plain
    assert [r.query for r in sandbox.requests] == [[("starting_at", day), ("limit", "1000")]] * 2
    assert full["records"] == records_for(reports(sandbox).actors, today().date() - 2 * DAY)


async def test_records_and_actors_are_bounded_by_the_budget(connect: Connect) -> None:
    args = {
        "starting_at": (today() - 7 * DAY).date().isoformat(),
        "ending_at": today().date().isoformat(),
        "include_records": True,
    }
    async with connect(output_char_budget=3_000) as client:
        result = await client.call_tool("get_claude_code_usage", args)
    text = text_of(result)
    report = json.loads(text)
    assert len(text) <= 3_000
    assert "records fit the output budget" in report["note"]
    *_, other = report["actors"]
    assert other["actor_type"] == "other" and other["other_groups"] > 0
    assert sum(a["sessions"] for a in report["actors"]) == report["totals"]["sessions"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"starting_at": "yesterday"}, "starting_at"),
        ({"starting_at": "2026-03-10", "ending_at": "2026-03-01"}, "ending_at must be after starting_at"),
        ({"starting_at": "2999-01-01"}, "in the future"),
        ({"starting_at": "2024-01-01", "ending_at": "2026-01-01"}, "limited to 366 days"),
    ],
)
async def test_bad_days_are_refused_before_any_call(
    connect: Connect, sandbox: Sandbox, args: dict[str, object], expected: str
) -> None:
    async with connect() as client:
        text = await call_error(client, "get_claude_code_usage", args)
    assert expected in text and len(sandbox.requests) == 0
