"""The report dashboard: the ``ui://`` view hosts with MCP Apps draw report results in, and its time series.

The view (``server/app/ui/reports.html``) draws from the result's structuredContent. A stacked chart over time
needs per-bucket figures, which the text answer leaves out unless asked (they cost the model tokens); so, only
for a client that negotiated MCP Apps, the result's ``_meta`` carries a compact series for the view. Clients
without the extension get exactly the text and structuredContent they always did.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from mcp.server.apps import client_supports_apps

from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.tools._reports_aggregate import usage_figures
from claude_api_mcp.tools._reports_models import Compact
from claude_api_mcp.tools._reports_rows import cents

R = TypeVar("R", bound=Compact)
URI = "ui://claude-api-mcp/reports.html"
META_KEY = "claude-api-mcp/dashboard"
MAX_SERIES = 8  # layers in a stacked chart before the rest are drawn as one "other" layer
OTHER = "other"
EMPTY = {"workspace_id": "Default workspace", "api_key_id": "Console"}


def label(result: dict[str, Any], groups: list[str]) -> str:
    parts = [str(result.get(g)) if result.get(g) is not None else EMPTY.get(g, "(none)") for g in groups]
    return " · ".join(parts) or "All"


def series(buckets: list[dict[str, Any]], groups: list[str], value: Any) -> dict[str, Any]:
    """Per bucket, the figure of each group (the largest MAX_SERIES groups by name, the rest as "other")."""
    points: list[tuple[str, dict[str, float]]] = []
    overall: dict[str, float] = {}
    for bucket in buckets:
        row: dict[str, float] = {}
        for result in bucket.get("results") or []:
            if not isinstance(result, dict):
                continue
            name = label(result, groups)
            figure = float(value(result))
            row[name] = row.get(name, 0.0) + figure
            overall[name] = overall.get(name, 0.0) + figure
        points.append((str(bucket.get("starting_at")), row))
    ranked = sorted(overall, key=lambda n: overall[n], reverse=True)
    kept = ranked[:MAX_SERIES] if len(ranked) <= MAX_SERIES else ranked[: MAX_SERIES - 1]
    labels = kept + ([OTHER] if len(ranked) > len(kept) else [])

    def folded(row: dict[str, float]) -> dict[str, float]:
        out = {n: round(row[n], 6) for n in kept if row.get(n)}
        rest = sum(v for n, v in row.items() if n not in kept)
        return {**out, OTHER: round(rest, 6)} if rest else out

    return {"labels": labels, "points": [{"t": t, "v": folded(row)} for t, row in points]}


def usage_tokens(result: dict[str, Any]) -> int:
    uncached, writes, reads, output, _ = usage_figures(result)
    return uncached + writes + reads + output


def cost_dollars(result: dict[str, Any]) -> Decimal:
    return cents(result.get("amount"), "amount") / 100


def attach(ctx: Ctx, report: R, build: Callable[[], dict[str, Any]]) -> R:
    """``report``, with the dashboard's series in its result ``_meta`` for a client that renders MCP Apps."""
    if client_supports_apps(ctx):
        report._result_meta = {META_KEY: build()}  # read by app.tool_build.to_result
    return report
