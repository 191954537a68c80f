"""get_usage end to end: whole windows, exact totals, grouped rows, the query sent upstream, bounds, validation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.report_data import Stream
from claude_api_mcp.sandbox.report_state import reports
from tests.conftest import Connect
from tests.helpers import call_error, call_ok, text_of
from tests.reports_expect import DAY, FIELDS, HOUR, expected_usage, figures, group_key, replay, stamp, today

pytestmark = pytest.mark.anyio

# width, window start and end (relative to today 00:00 UTC), page cap, requests per chunk limit
WINDOWS = [
    ("1d", -40 * DAY, -5 * DAY, 5, 31),  # 35 days: 31 + 4 buckets, pages of 5
    ("1h", -10 * DAY, -1 * DAY, 50, 168),  # 216 hours: 168 + 48, pages of 50
    ("1m", -3 * DAY + 22 * HOUR, -DAY + 2 * HOUR, 500, 1440),  # 28 hours: 1440 + 240 minutes, pages of 500
]


def _sum_rows(rows: list[dict[str, object]]) -> dict[str, int]:
    return {name: sum(int(r[name]) for r in rows) for name in FIELDS}  # type: ignore[call-overload]


@pytest.mark.parametrize(("width", "since", "until", "cap", "per_request"), WINDOWS, ids=[w[0] for w in WINDOWS])
async def test_totals_equal_the_sandbox_hours_for_each_width_across_pages_and_requests(
    connect: Connect, sandbox: Sandbox, width: str, since: timedelta, until: timedelta, cap: int, per_request: int
) -> None:
    start, end = today() + since, today() + until
    reports(sandbox).page_cap = cap
    group_by = ["model", "workspace_id"]
    async with connect() as client:
        report = await call_ok(
            client,
            "get_usage",
            {"starting_at": stamp(start), "ending_at": stamp(end), "bucket_width": width, "group_by": group_by},
        )
    totals, rows = expected_usage(sandbox, start, end, group_by)
    assert totals["output_tokens"] > 0
    assert figures(report["totals"]) == totals
    assert {group_key(r, group_by): figures(r) for r in report["groups"]} == rows
    assert _sum_rows(report["groups"]) == figures(report["totals"])
    assert report["starting_at"] == stamp(start) and report["ending_at"] == stamp(end)

    sent = [dict(r.query) for r in sandbox.requests]
    windows = sorted({(q["starting_at"], q["ending_at"]) for q in sent})
    assert len(windows) == 2, "the window needs two requests"
    assert windows[0] == (stamp(start), windows[1][0]) and windows[1][1] == stamp(end)
    assert all(int(q["limit"]) <= per_request and q["bucket_width"] == width for q in sent)
    assert sum("page" in q for q in sent) == len(sent) - 2, "every page after each window's first"
    assert report["requests"] == len(sent)


async def test_group_by_and_filters_are_sent_bracketed_and_the_page_tokens_are_the_apis(
    connect: Connect, sandbox: Sandbox
) -> None:
    start, end = today() - 9 * DAY, today() - 2 * DAY
    reports(sandbox).page_cap = 3
    prod = next(ws for ws, w in sandbox.org.workspaces.items() if w["name"] == "Prod")
    args = {
        "starting_at": start.date().isoformat(),
        "ending_at": end.date().isoformat(),
        "group_by": ["api_key_id", "model"],
        "models": ["claude-sonnet-4-6", "claude-haiku-4-5"],
        "workspace_ids": [prod],
        "service_tiers": ["standard", "batch"],
        "context_window": ["0-200k"],
        "inference_geos": ["global", "not_available"],
    }
    async with connect() as client:
        report = await call_ok(client, "get_usage", args)
    first, second, third = sandbox.requests
    assert first.query == [
        ("starting_at", stamp(start)),
        ("ending_at", stamp(end)),
        ("bucket_width", "1d"),
        ("limit", "7"),
        ("group_by[]", "api_key_id"),
        ("group_by[]", "model"),
        ("models[]", "claude-sonnet-4-6"),
        ("models[]", "claude-haiku-4-5"),
        ("workspace_ids[]", prod),
        ("service_tiers[]", "standard"),
        ("service_tiers[]", "batch"),
        ("context_window[]", "0-200k"),
        ("inference_geos[]", "global"),
        ("inference_geos[]", "not_available"),
    ]
    (page1,) = await replay(sandbox, [first])
    assert second.query == [*first.query, ("page", json.loads(page1)["next_page"])]
    assert dict(third.query)["page"] != dict(second.query)["page"]

    def keep(s: Stream) -> bool:
        return (
            s.model in args["models"]
            and s.workspace_id == prod
            and s.service_tier in args["service_tiers"]
            and s.context_window == "0-200k"
            and s.inference_geo in args["inference_geos"]
        )

    totals, rows = expected_usage(sandbox, start, end, ["api_key_id", "model"], keep)
    assert figures(report["totals"]) == totals and len(rows) > 1
    assert {group_key(r, ["api_key_id", "model"]): figures(r) for r in report["groups"]} == rows


async def test_rows_are_sorted_largest_first_and_ungrouped_reports_have_no_rows(connect: Connect) -> None:
    args = {"starting_at": (today() - 3 * DAY).date().isoformat(), "ending_at": today().date().isoformat()}
    async with connect() as client:
        grouped = await call_ok(client, "get_usage", {**args, "group_by": ["service_tier", "service_tier", "model"]})
        plain = await call_ok(client, "get_usage", args)
    sizes = [r["total_tokens"] for r in grouped["groups"]]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) > 3
    assert grouped["group_by"] == ["service_tier", "model"]
    assert plain["groups"] == [] and plain["totals"] == grouped["totals"]
    t = plain["totals"]
    assert t["total_tokens"] == sum(t[k] for k in FIELDS[:4])


async def test_grouping_by_speed_sends_the_fast_mode_beta(connect: Connect) -> None:
    args = {"starting_at": (today() - 7 * DAY).date().isoformat(), "group_by": ["speed"]}
    async with connect() as client:
        report = await call_ok(client, "get_usage", args)
    assert {r["speed"] for r in report["groups"]} == {"standard", "fast"}  # the sandbox refuses speed without it


async def test_a_90_day_daily_report_by_model_and_workspace_fits_the_budget(connect: Connect) -> None:
    args = {
        "starting_at": (today() - 90 * DAY).date().isoformat(),
        "ending_at": today().date().isoformat(),
        "group_by": ["model", "workspace_id"],
    }
    async with connect() as client:
        result = await client.call_tool("get_usage", args)
        budget = 60_000
    text = text_of(result)
    assert not result.is_error and len(text) < budget
    report = json.loads(text)
    assert report["requests"] == 3 and "other_groups" not in text
    assert _sum_rows(report["groups"]) == figures(report["totals"])


async def test_rows_past_the_budget_fold_into_one_row_and_totals_stay_exact(connect: Connect, sandbox: Sandbox) -> None:
    start, end = today() - 14 * DAY, today()
    group_by = ["api_key_id", "model", "service_tier", "inference_geo"]
    async with connect(output_char_budget=3_000) as client:
        result = await client.call_tool(
            "get_usage", {"starting_at": stamp(start), "ending_at": stamp(end), "group_by": group_by}
        )
    text = text_of(result)
    report = json.loads(text)
    totals, rows = expected_usage(sandbox, start, end, group_by)
    assert len(text) <= 3_000
    *shown, other = report["groups"]
    assert other["other_groups"] == len(rows) - len(shown) > 0
    assert "other_groups" in report["note"] and "totals are exact" in report["note"]
    assert figures(report["totals"]) == totals and _sum_rows(report["groups"]) == totals
    biggest = sorted(rows.values(), key=lambda f: -sum(f[k] for k in FIELDS[:4]))[: len(shown)]
    assert [figures(r) for r in shown] == biggest


async def test_buckets_come_only_when_asked_and_are_cut_to_the_budget(connect: Connect, sandbox: Sandbox) -> None:
    args = {
        "starting_at": stamp(today() - 2 * DAY),
        "ending_at": stamp(today() - DAY),
        "bucket_width": "1h",
        "group_by": ["model"],
        "include_buckets": True,
    }
    async with connect() as client:
        full = await call_ok(client, "get_usage", args)
    assert len(full["buckets"]) == 24 and "note" not in full
    assert _sum_rows([r for b in full["buckets"] for r in b["results"]]) == figures(full["totals"])
    async with connect(output_char_budget=4_000) as client:
        result = await client.call_tool("get_usage", args)
    cut = json.loads(text_of(result))
    assert len(text_of(result)) <= 4_000 and 0 < len(cut["buckets"]) < 24
    assert f"first {len(cut['buckets'])} of 24 buckets" in cut["note"]
    assert cut["totals"] == full["totals"]


async def test_progress_notifications_reach_the_client_while_paging(connect: Connect, sandbox: Sandbox) -> None:
    reports(sandbox).page_cap = 10
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    args = {"starting_at": (today() - 40 * DAY).date().isoformat(), "ending_at": today().date().isoformat()}
    async with connect() as client:
        result = await client.call_tool("get_usage", args, progress_callback=on_progress)
    assert not result.is_error
    assert len(seen) == len(sandbox.requests) == 5  # 31 days in pages of 10, then 9
    # The two windows (31 days, then 9) are fetched concurrently: progress climbs to the total, in any interleaving.
    done = [p for p, _, _ in seen]
    assert done == sorted(done) and done[-1] == 40 and {t for _, t, _ in seen} == {40}
    assert seen[-1][2] == "40 of 40 buckets"


async def test_times_are_utc_with_offsets_converted_and_snapped_to_the_bucket(
    connect: Connect, sandbox: Sandbox
) -> None:
    day = today() - 3 * DAY
    args = {
        "starting_at": (day + timedelta(hours=1, minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.25+02:00"),
        "ending_at": day.date().isoformat() + "T05:10:00Z",
        "bucket_width": "1h",
    }
    async with connect() as client:
        report = await call_ok(client, "get_usage", args)
    assert report["starting_at"] == stamp(day - timedelta(minutes=60))  # 01:30+02:00 is 23:30Z, snapped to 23:00
    assert report["ending_at"] == stamp(day + 6 * HOUR)  # 05:10 rounds up to the end of its hour
    totals, _ = expected_usage(sandbox, day - HOUR, day + 6 * HOUR)
    assert figures(report["totals"]) == totals


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"group_by": ["user_id"]}, "group_by"),
        ({"service_tiers": ["gold"]}, "service_tiers"),
        ({"context_window": ["1M"]}, "context_window"),
        ({"inference_geos": ["eu"]}, "inference_geos"),
        ({"bucket_width": "1w"}, "bucket_width"),
        ({"workspace_ids": ["ws_123"]}, "workspace_ids"),
        ({"api_key_ids": ["key 1"]}, "api_key_ids"),
        ({"models": [""]}, "models"),
        ({"starting_at": "last week"}, "neither YYYY-MM-DD nor an RFC 3339"),
        ({"starting_at": "2026-02-30"}, "not a valid date"),
        ({"ending_at": "2020-01-01"}, "ending_at must be after starting_at"),
        ({"starting_at": "2999-01-01"}, "in the future"),
        ({"bucket_width": "1m", "ending_at": None}, "limited to 7 days"),
    ],
)
async def test_bad_arguments_are_refused_before_any_call(
    connect: Connect, sandbox: Sandbox, args: dict[str, object], expected: str
) -> None:
    base = {"starting_at": (today() - 10 * DAY).date().isoformat(), "ending_at": today().date().isoformat()}
    async with connect() as client:
        text = await call_error(client, "get_usage", {**base, **args})
    assert expected in text
    assert len(sandbox.requests) == 0
