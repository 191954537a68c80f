"""The sandbox's report area (``sandbox.area("reports")``): one bucket's results for each report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from claude_api_mcp.sandbox.claude_code_data import build_actors, records_for
from claude_api_mcp.sandbox.cost_data import cents_text, cost_lines
from claude_api_mcp.sandbox.report_data import GROUP_FIELDS, ZERO, Stream, build_streams, usage_in

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.state import SandboxState as Sandbox

_COST_DETAIL = ("cost_type", "context_window", "model", "service_tier", "token_type", "inference_geo")


class ReportState:
    def __init__(self, box: Sandbox) -> None:
        self.clock: Callable[[], datetime] = box.clock
        self.streams: list[Stream] = build_streams(box.org, box.started_at)
        self.actors = build_actors(box.org)
        # When set, pages hold at most this many buckets or records whatever `limit` asks, as a server may do.
        self.page_cap: int | None = None

    def usage_results(
        self, start: datetime, width: str, streams: list[Stream], group_by: list[str], with_speed: bool
    ) -> list[dict[str, Any]]:
        now = self.clock()
        fields = (*GROUP_FIELDS, "speed")
        acc: dict[tuple[str | None, ...], list[int]] = {}
        for s in streams:
            u = usage_in(s, start, width, now)
            if u == ZERO:
                continue
            row = acc.setdefault(tuple(s.dim(g) if g in group_by else None for g in fields), [0] * 6)
            for i, v in enumerate(u):
                row[i] += v
        results = []
        for key, t in sorted(acc.items(), key=lambda kv: tuple(x or "" for x in kv[0])):
            result: dict[str, Any] = {
                "uncached_input_tokens": t[0],
                "cache_creation": {"ephemeral_1h_input_tokens": t[2], "ephemeral_5m_input_tokens": t[1]},
                "cache_read_input_tokens": t[3],
                "output_tokens": t[4],
                "server_tool_use": {"web_search_requests": t[5]},
                **dict(zip(GROUP_FIELDS, key[:-1], strict=True)),
            }
            if with_speed:
                result["speed"] = key[-1]
            results.append(result)
        return results

    def cost_results(self, day: datetime, group_by: list[str]) -> list[dict[str, Any]]:
        now = self.clock()
        by_ws, by_desc = "workspace_id" in group_by, "description" in group_by
        acc: dict[tuple[str | None, str | None], Decimal] = {}
        detail: dict[tuple[str | None, str | None], dict[str, Any]] = {}
        for s in self.streams:
            u = usage_in(s, day, "1d", now)
            if u == ZERO:
                continue
            for fields, cents in cost_lines(s, u):
                key = (s.workspace_id if by_ws else None, fields["description"] if by_desc else None)
                acc[key] = acc.get(key, Decimal(0)) + cents
                detail[key] = fields
        results = []
        for key, cents in sorted(acc.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "")):
            item: dict[str, Any] = {
                "amount": cents_text(cents),
                "currency": "USD",
                "workspace_id": key[0],
                "description": key[1],
            }
            item.update({f: detail[key][f] if by_desc else None for f in _COST_DETAIL})
            results.append(item)
        return results

    def claude_code_records(self, day: date) -> list[dict[str, Any]]:
        if day > self.clock().date():
            return []
        return records_for(self.actors, day)


def reports(box: Sandbox) -> ReportState:
    state: ReportState = box.area("reports", ReportState)
    return state
