"""reports toolset: usage, cost and Claude Code reports that answer questions instead of dumping pages.

Each tool fetches its whole window (split into as many requests as the API's per-request bucket limit
needs, every page followed), sums it exactly, and returns totals and grouped rows sized to the output
budget. Raw buckets or records come only when asked, and are cut to the budget too, with a note.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Annotated, Literal

from pydantic import Field, WithJsonSchema

from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety.deps import settings
from claude_api_mcp.tools import _dashboard as dashboard
from claude_api_mcp.tools._args import ApiKeyId, WorkspaceId
from claude_api_mcp.tools._dates import WIDTHS, stamp, window
from claude_api_mcp.tools._ops import op
from claude_api_mcp.tools._reports_aggregate import (
    bounded,
    fold_actors,
    fold_cost,
    fold_usage,
    sum_claude_code,
    sum_cost,
    sum_usage,
)
from claude_api_mcp.tools._reports_fetch import fetch_buckets, fetch_claude_code
from claude_api_mcp.tools._reports_models import (
    ActorRow,
    ClaudeCodeReport,
    CodeRecord,
    CostBucket,
    CostReport,
    CostRow,
    TokenTotals,
    UsageBucket,
    UsageReport,
    UsageRow,
)
from claude_api_mcp.tools._reports_names import with_names, workspace_names
from claude_api_mcp.tools._reports_rows import usd

USAGE, COST = op("organization.usage_report.messages"), op("organization.cost_report")
KEY = KeyKind.ADMIN
DAY = timedelta(days=1)
MAX_BUCKETS = {"1d": 31, "1h": 168, "1m": 1440}  # per request, the API's limit
MAX_SPAN = {"1m": timedelta(days=7), "1h": timedelta(days=366)}
CLAUDE_CODE_MAX_DAYS = timedelta(days=366)
FAST_BETA = "fast-mode-2026-02-01"  # needed to group or filter by speed (the API's own rule, not a guess)

UsageGroupBy = Literal[
    "api_key_id",
    "workspace_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "speed",
    "account_id",
    "service_account_id",
]
ServiceTier = Literal["standard", "batch", "priority", "priority_on_demand", "flex", "flex_discount"]
# Checked here, published as plain strings: the pattern says nothing a caller needs.
ActorId = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$"), WithJsonSchema({"type": "string"})
]
ModelId = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$"),
    WithJsonSchema({"type": "string"}),
]
Start = Annotated[str, Field(description="UTC, inclusive: RFC 3339 or YYYY-MM-DD.")]
End = Annotated[str | None, Field(description="UTC, exclusive. Default: now.")]
IncludeBuckets = Annotated[bool, Field(description="Add per-bucket rows (bounded).")]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _unique(values: list[str] | None) -> list[str]:
    return list(dict.fromkeys(values or []))


@tool(
    "reports", KEY, title="Get usage report", read_only=True, ui=dashboard.URI, op="organization.usage_report.messages"
)
async def get_usage(
    ctx: Ctx,
    starting_at: Start,
    ending_at: End = None,
    bucket_width: Annotated[
        Literal["1d", "1h", "1m"], Field(description="Bucket size. 1m: up to 7 days; 1h: up to 366.")
    ] = "1d",
    group_by: Annotated[list[UsageGroupBy] | None, Field(description="One row per combination of these.")] = None,
    models: Annotated[list[ModelId] | None, Field(description="Only these models.")] = None,
    workspace_ids: Annotated[list[WorkspaceId] | None, Field(description="Only these workspaces.")] = None,
    api_key_ids: Annotated[list[ApiKeyId] | None, Field(description="Only these API keys.")] = None,
    service_tiers: Annotated[list[ServiceTier] | None, Field(description="Only these tiers.")] = None,
    context_window: Annotated[
        list[Literal["0-200k", "200k-1M"]] | None, Field(description="Only these windows.")
    ] = None,
    inference_geos: Annotated[
        list[Literal["global", "us", "not_available"]] | None, Field(description="Only these geos.")
    ] = None,
    account_ids: Annotated[list[ActorId] | None, Field(description="Only these users.")] = None,
    service_account_ids: Annotated[list[ActorId] | None, Field(description="Only these.")] = None,
    speeds: Annotated[list[Literal["standard", "fast"]] | None, Field(description="Only these speeds.")] = None,
    include_buckets: IncludeBuckets = False,
) -> UsageReport:
    """Token usage over a window: exact totals, then a row per group_by combination, largest first.
    workspace_id null = Default workspace."""
    win = window(
        starting_at, ending_at, WIDTHS[bucket_width], now=_now(), max_span=MAX_SPAN.get(bucket_width), unit=bucket_width
    )
    groups = _unique(list(group_by or []))
    params = {
        "group_by": groups or None,
        "models": models,
        "workspace_ids": workspace_ids,
        "api_key_ids": api_key_ids,
        "service_tiers": service_tiers,
        "context_window": context_window,
        "inference_geos": inference_geos,
        "account_ids": account_ids,
        "service_account_ids": service_account_ids,
        "speeds": speeds,
    }
    buckets, requests = await fetch_buckets(
        ctx,
        USAGE.path(),
        win,
        width_code=bucket_width,
        max_buckets=MAX_BUCKETS[bucket_width],
        params=params,
        headers={"anthropic-beta": FAST_BETA} if "speed" in groups or speeds else None,
        what="usage report",
    )
    totals, rows, kept = sum_usage(buckets, groups, include_buckets)

    def make(shown: list[UsageRow], extra: list[UsageBucket] | None, note: str | None) -> UsageReport:
        return UsageReport(
            starting_at=stamp(win.start),
            ending_at=stamp(win.end),
            bucket_width=bucket_width,
            group_by=groups,
            totals=TokenTotals.of(totals),
            groups=shown,
            buckets=extra,
            requests=requests,
            note=note,
        )

    budget = settings(ctx).output_char_budget
    report = bounded(make, rows, fold_usage, kept, budget, rows_name="groups", extra_name="buckets")
    return dashboard.attach(ctx, report, lambda: dashboard.series(buckets, groups, dashboard.usage_tokens))


@tool("reports", KEY, title="Get cost report", read_only=True, ui=dashboard.URI, op="organization.cost_report")
async def get_cost(
    ctx: Ctx,
    starting_at: Start,
    ending_at: End = None,
    group_by: Annotated[
        list[Literal["workspace_id", "description"]] | None, Field(description="One row per combination of these.")
    ] = None,
    include_buckets: IncludeBuckets = False,
) -> CostReport:
    """Cost in USD over whole UTC days: exact total, then one row per group_by combination, largest first.
    Excludes Priority Tier. workspace_id null = Default workspace."""
    win = window(starting_at, ending_at, DAY, now=_now(), unit="1d")
    groups = _unique(list(group_by or []))
    buckets, requests = await fetch_buckets(
        ctx,
        COST.path(),
        win,
        width_code="1d",
        max_buckets=31,
        params={"group_by": groups or None},
        what="cost report",
    )
    currency, total, rows, kept = sum_cost(buckets, groups, include_buckets)
    named = None
    if "workspace_id" in groups and rows:  # a person reads names: one bounded look-up of the ids shown
        names, named, lookups = await workspace_names(ctx, (getattr(r, "workspace_id", None) for r in rows))
        requests += lookups
        with_names([*rows, *(row for b in kept or [] for row in b.results)], names)

    def make(shown: list[CostRow], extra: list[CostBucket] | None, note: str | None) -> CostReport:
        note = " ".join(n for n in (note, named) if n) or None
        return CostReport(
            starting_at=stamp(win.start),
            ending_at=stamp(win.end),
            currency=currency,
            total_usd=usd(total),
            group_by=groups,
            groups=shown,
            buckets=extra,
            requests=requests,
            note=note,
        )

    budget = settings(ctx).output_char_budget
    report = bounded(make, rows, fold_cost, kept, budget, rows_name="groups", extra_name="buckets")
    return dashboard.attach(ctx, report, lambda: dashboard.series(buckets, groups, dashboard.cost_dollars))


@tool(
    "reports",
    KEY,
    title="Get Claude Code usage",
    read_only=True,
    ui=dashboard.URI,
    op="organization.usage_report.claude_code",
)
async def get_claude_code_usage(
    ctx: Ctx,
    starting_at: Annotated[str, Field(description="UTC day, YYYY-MM-DD, inclusive.")],
    ending_at: Annotated[
        str | None, Field(description="UTC day, exclusive. Default: the day after starting_at.")
    ] = None,
    include_records: Annotated[bool, Field(description="Also return the raw daily records (bounded).")] = False,
) -> ClaudeCodeReport:
    """Claude Code activity per UTC day: totals (sessions, lines, commits, PRs, estimated USD) and one row
    per user or API key."""
    win = window(
        starting_at,
        ending_at,
        DAY,
        now=_now(),
        max_span=CLAUDE_CODE_MAX_DAYS,
        default_span=DAY,
        unit="Claude Code",
    )
    records, requests = await fetch_claude_code(ctx, win.start.date(), win.buckets)
    totals, actors, models = sum_claude_code(records)

    def make(shown: list[ActorRow], extra: list[CodeRecord] | None, note: str | None) -> ClaudeCodeReport:
        return ClaudeCodeReport(
            starting_at=win.start.date().isoformat(),
            ending_at=win.end.date().isoformat(),
            totals=totals,
            actors=shown,
            models=models,
            records=extra,
            requests=requests,
            note=note,
        )

    raw = [CodeRecord.model_validate(r) for r in records] if include_records else None
    budget = settings(ctx).output_char_budget
    return bounded(make, actors, fold_actors, raw, budget, rows_name="actors", extra_name="records")


TOOLS: list[ToolDef] = [get_usage, get_cost, get_claude_code_usage]
