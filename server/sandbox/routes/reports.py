"""Reports: usage (/usage_report/messages), cost (/cost_report) and Claude Code (/usage_report/claude_code).

Report pagination (style C): ``limit`` counts buckets (records for Claude Code), ``page`` continues,
``{data, has_more, next_page}``. Buckets come oldest first and every interval is listed, empty ones too;
intervals that have not started by the sandbox clock are not listed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.betas import has_beta
from claude_api_mcp.sandbox.report_data import GROUP_FIELDS, WIDTHS
from claude_api_mcp.sandbox.report_state import ReportState, reports
from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import decode_token, encode_token, invalid, ok, q_int, q_list

UTC = timezone.utc
FAST_BETA = "fast-mode-2026-02-01"
LIMITS = {"1d": (7, 31), "1h": (24, 168), "1m": (60, 1440)}  # default, max buckets per page
COST_LIMITS = (7, 31)
SERVICE_TIERS = ("standard", "batch", "priority", "priority_on_demand", "flex", "flex_discount")
CONTEXT_WINDOWS = ("0-200k", "200k-1M")
GEOS = ("global", "us", "not_available")
SPEEDS = ("standard", "fast")
COST_GROUP_BY = ("workspace_id", "description")
# query parameter → stream field, allowed values (None: any id)
_FILTERS = (
    ("api_key_ids", "api_key_id", None),
    ("workspace_ids", "workspace_id", None),
    ("models", "model", None),
    ("account_ids", "account_id", None),
    ("service_account_ids", "service_account_id", None),
    ("service_tiers", "service_tier", SERVICE_TIERS),
    ("context_window", "context_window", CONTEXT_WINDOWS),
    ("inference_geos", "inference_geo", GEOS),
)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _state(request: Request) -> ReportState:
    return reports(sandbox(request))


def _time(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise invalid(f"{name}: Input should be a valid datetime (RFC 3339); got {raw!r}") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _floor(moment: datetime, width: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + (moment - epoch) // width * width


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _bucket_page(
    request: Request, state: ReportState, width: timedelta, limits: tuple[int, int], salt: str
) -> tuple[list[datetime], dict[str, Any]]:
    """The starts of this page's buckets, and the page's has_more/next_page."""
    start = _time(request, "starting_at")
    if start is None:
        raise invalid("starting_at: Field required")
    start = _floor(start, width)
    end = _time(request, "ending_at")
    if end is not None and end <= start:
        raise invalid("ending_at: must be after starting_at")
    limit = q_int(request, "limit", limits[0], 1, limits[1]) or limits[0]
    if state.page_cap:
        limit = min(limit, state.page_cap)
    stop = _floor(state.clock(), width) + width  # the current interval is listed; later ones are not
    if end is not None:
        stop = min(stop, _floor(end, width))  # buckets that end by ending_at
    count = max(0, (stop - start) // width)
    token = request.query_params.get("page")
    offset = decode_token(token, salt) if token else 0
    starts = [start + i * width for i in range(offset, min(offset + limit, count))]
    more = offset + limit < count
    return starts, {"has_more": more, "next_page": encode_token(offset + limit, salt) if more else None}


async def usage_report(request: Request) -> Response:
    state = _state(request)
    width = request.query_params.get("bucket_width", "1d")
    if width not in WIDTHS:
        raise invalid(f"bucket_width: Input should be '1d', '1h' or '1m'; got {width!r}")
    with_speed = has_beta(request.headers.get("anthropic-beta"), FAST_BETA)
    group_by = q_list(request, "group_by", (*GROUP_FIELDS, "speed") if with_speed else GROUP_FIELDS)
    if not with_speed and q_list(request, "speeds"):
        raise invalid(f"speeds[]: filtering by speed requires the anthropic-beta header {FAST_BETA}")
    filters = [(field, q_list(request, param, allowed)) for param, field, allowed in _FILTERS]
    if with_speed:
        filters.append(("speed", q_list(request, "speeds", SPEEDS)))
    streams = [s for s in state.streams if all(not wanted or s.dim(f) in wanted for f, wanted in filters)]
    starts, page = _bucket_page(request, state, WIDTHS[width], LIMITS[width], f"usage{width}")
    data = [
        {
            "starting_at": _stamp(t),
            "ending_at": _stamp(t + WIDTHS[width]),
            "results": state.usage_results(t, width, streams, group_by, with_speed),
        }
        for t in starts
    ]
    return ok({"data": data, **page})


async def cost_report(request: Request) -> Response:
    state = _state(request)
    width = request.query_params.get("bucket_width", "1d")
    if width != "1d":
        raise invalid(f"bucket_width: Input should be '1d'; got {width!r}")
    group_by = q_list(request, "group_by", COST_GROUP_BY)
    starts, page = _bucket_page(request, state, WIDTHS["1d"], COST_LIMITS, "cost")
    data = [
        {"starting_at": _stamp(t), "ending_at": _stamp(t + WIDTHS["1d"]), "results": state.cost_results(t, group_by)}
        for t in starts
    ]
    return ok({"data": data, **page})


async def claude_code_report(request: Request) -> Response:
    state = _state(request)
    raw = request.query_params.get("starting_at")
    if raw is None:
        raise invalid("starting_at: Field required")
    if not _DAY.match(raw):
        raise invalid(f"starting_at: Input should be a UTC day, YYYY-MM-DD; got {raw!r}")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise invalid(f"starting_at: {raw!r} is not a valid date") from None
    limit = q_int(request, "limit", 20, 1, 1000) or 20
    if state.page_cap:
        limit = min(limit, state.page_cap)
    records = state.claude_code_records(day)
    token = request.query_params.get("page")
    salt = f"cc{raw}"
    offset = decode_token(token, salt) if token else 0
    more = offset + limit < len(records)
    return ok(
        {
            "data": records[offset : offset + limit],
            "has_more": more,
            "next_page": encode_token(offset + limit, salt) if more else None,
        }
    )


ROUTES: list[BaseRoute] = [
    Route("/v1/organizations/usage_report/messages", usage_report, methods=["GET"]),
    Route("/v1/organizations/cost_report", cost_report, methods=["GET"]),
    Route("/v1/organizations/usage_report/claude_code", claude_code_report, methods=["GET"]),
]
