"""Summing report pages into answers: exact totals, one row per group (largest first), and the fold row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel

from claude_api_mcp.tools._reports_models import (
    ActorRow,
    CodeFigures,
    CostBucket,
    CostRow,
    ModelRow,
    UsageBucket,
    UsageRow,
)
from claude_api_mcp.tools._reports_rows import cents, count, cut, fit, size, usd

R = TypeVar("R", bound=BaseModel)
Row = TypeVar("Row", bound=BaseModel)
B = TypeVar("B", bound=BaseModel)
NOTE_ROOM = 400  # characters kept for the note


def _results(bucket: dict[str, Any]) -> list[dict[str, Any]]:
    results = bucket.get("results") or []
    if not isinstance(results, list):
        raise ToolError("A report bucket came back in an unexpected shape (results is not a list).")
    return [r for r in results if isinstance(r, dict)]


def usage_figures(result: dict[str, Any]) -> list[int]:
    """uncached input, cache writes (5m + 1h), cache reads, output, web search requests."""
    writes = result.get("cache_creation") or {}
    tools = result.get("server_tool_use") or {}
    return [
        count(result.get("uncached_input_tokens"), "uncached_input_tokens"),
        count(writes.get("ephemeral_5m_input_tokens"), "cache_creation")
        + count(writes.get("ephemeral_1h_input_tokens"), "cache_creation"),
        count(result.get("cache_read_input_tokens"), "cache_read_input_tokens"),
        count(result.get("output_tokens"), "output_tokens"),
        count(tools.get("web_search_requests"), "web_search_requests"),
    ]


def _add(acc: list[int], figures: list[int]) -> None:
    for i, v in enumerate(figures):
        acc[i] += v


def sum_usage(
    buckets: list[dict[str, Any]], groups: list[str], keep_buckets: bool
) -> tuple[list[int], list[UsageRow], list[UsageBucket] | None]:
    totals = [0] * 5
    by_group: dict[tuple[Any, ...], list[int]] = {}
    kept: list[UsageBucket] | None = [] if keep_buckets else None
    for bucket in buckets:
        rows = []
        for result in _results(bucket):
            figures = usage_figures(result)
            key = tuple(result.get(g) for g in groups)
            _add(totals, figures)
            _add(by_group.setdefault(key, [0] * 5), figures)
            if kept is not None:
                rows.append(UsageRow.of(figures, **dict(zip(groups, key, strict=True))))
        if kept is not None:
            kept.append(UsageBucket(starting_at=str(bucket.get("starting_at")), results=rows))
    rows = [
        UsageRow.of(v, **dict(zip(groups, k, strict=True)))
        for k, v in sorted(by_group.items(), key=lambda kv: repr(kv[0]))
    ]
    rows.sort(key=lambda r: (r.total_tokens, r.web_search_requests), reverse=True)
    return totals, (rows if groups else []), kept


def fold_usage(rows: Sequence[UsageRow]) -> UsageRow:
    acc = [0] * 5
    for r in rows:
        _add(
            acc,
            [
                r.uncached_input_tokens,
                r.cache_creation_input_tokens,
                r.cache_read_input_tokens,
                r.output_tokens,
                r.web_search_requests,
            ],
        )
    row: UsageRow = UsageRow.of(acc, other_groups=len(rows))
    return row


def sum_cost(
    buckets: list[dict[str, Any]], groups: list[str], keep_buckets: bool
) -> tuple[str, Decimal, list[CostRow], list[CostBucket] | None]:
    total = Decimal(0)
    currencies: set[str] = set()
    by_group: dict[tuple[Any, ...], Decimal] = {}
    details: dict[tuple[Any, ...], dict[str, Any]] = {}  # what a description stands for (model, token type...)
    kept: list[CostBucket] | None = [] if keep_buckets else None
    for bucket in buckets:
        rows = []
        for item in _results(bucket):
            amount = cents(item.get("amount"), "amount")
            currencies.add(str(item.get("currency") or "USD"))
            key = tuple(item.get(g) for g in groups)
            total += amount
            by_group[key] = by_group.get(key, Decimal(0)) + amount
            detail = {f: item[f] for f in COST_DETAIL if f not in groups and item.get(f) is not None}
            details.setdefault(key, {}).update(detail)
            if kept is not None:
                rows.append(CostRow(amount_usd=usd(amount), **dict(zip(groups, key, strict=True)), **detail))
        if kept is not None:
            kept.append(CostBucket(starting_at=str(bucket.get("starting_at")), results=rows))
    if len(currencies) > 1:
        raise ToolError(f"The cost report mixes currencies ({', '.join(sorted(currencies))}); not summing them.")
    ordered = sorted(by_group.items(), key=lambda kv: repr(kv[0]))
    ordered.sort(key=lambda kv: kv[1], reverse=True)
    rows = [CostRow(amount_usd=usd(v), **dict(zip(groups, k, strict=True)), **details.get(k, {})) for k, v in ordered]
    rows = rows if groups else []
    return (currencies.pop() if currencies else "USD"), total, rows, kept


def fold_cost(rows: Sequence[CostRow]) -> CostRow:
    return CostRow(amount_usd=usd(sum((Decimal(r.amount_usd) * 100 for r in rows), Decimal(0))), other_groups=len(rows))


# Cost item fields the API fills when grouping by description: kept on the row, never summed over.
COST_DETAIL = ("cost_type", "model", "service_tier", "token_type", "context_window", "inference_geo")
# Claude Code record fields kept on an actor's row: the value when all its records agree, else every value.
ACTOR_DETAIL = ("customer_type", "subscription_type", "terminal_type", "is_remote")
_CODE_FIELDS = ("sessions", "lines_added", "lines_removed", "commits", "pull_requests", "accepted", "rejected")


def _code_figures(record: dict[str, Any]) -> tuple[list[int], Decimal]:
    core = record.get("core_metrics") or {}
    lines = core.get("lines_of_code") or {}
    actions = record.get("tool_actions") or {}
    figures = [
        count(core.get("num_sessions"), "num_sessions"),
        count(lines.get("added"), "lines_of_code.added"),
        count(lines.get("removed"), "lines_of_code.removed"),
        count(core.get("commits_by_claude_code"), "commits_by_claude_code"),
        count(core.get("pull_requests_by_claude_code"), "pull_requests_by_claude_code"),
        sum(count((a or {}).get("accepted"), "tool_actions") for a in actions.values()),
        sum(count((a or {}).get("rejected"), "tool_actions") for a in actions.values()),
    ]
    cost = sum(
        (cents((m.get("estimated_cost") or {}).get("amount"), "estimated_cost") for m in _breakdown(record)),
        Decimal(0),
    )
    return figures, cost


def _breakdown(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in record.get("model_breakdown") or [] if isinstance(m, dict)]


def _actor(record: dict[str, Any]) -> tuple[str, str]:
    actor = record.get("actor") or {}
    kind = str(actor.get("type") or "unknown")
    return kind, str(actor.get("email_address") or actor.get("api_key_name") or "unknown")


def _figures_model(cls: type[R], figures: list[int], cost: Decimal, **extra: Any) -> R:
    values = dict(
        zip(("sessions", "lines_added", "lines_removed", "commits", "pull_requests"), figures[:5], strict=True)
    )
    return cls(
        **values,
        tool_actions_accepted=figures[5],
        tool_actions_rejected=figures[6],
        estimated_cost_usd=usd(cost),
        **extra,
    )


def _merged(values: dict[str, list[Any]]) -> dict[str, Any]:
    """One value when an actor's records agree; several (remote and local rows, two terminals) as a list."""
    return {f: v[0] if len(v) == 1 else v for f, v in values.items()}


def sum_claude_code(records: list[dict[str, Any]]) -> tuple[CodeFigures, list[ActorRow], list[ModelRow]]:
    totals, total_cost = [0] * len(_CODE_FIELDS), Decimal(0)
    actors: dict[tuple[str, str], tuple[list[int], list[Decimal]]] = {}
    seen: dict[tuple[str, str], dict[str, list[Any]]] = {}
    models: dict[str, tuple[list[int], list[Decimal]]] = {}
    for record in records:
        figures, cost = _code_figures(record)
        _add(totals, figures)
        total_cost += cost
        acc, spent = actors.setdefault(_actor(record), ([0] * len(_CODE_FIELDS), [Decimal(0)]))
        values = seen.setdefault(_actor(record), {})
        for f in ACTOR_DETAIL:
            if f in record and record[f] not in values.setdefault(f, []):
                values[f].append(record[f])
        _add(acc, figures)
        spent[0] += cost
        for m in _breakdown(record):
            tokens = m.get("tokens") or {}
            figures_m = [
                count(tokens.get(k), f"tokens.{k}") for k in ("input", "output", "cache_read", "cache_creation")
            ]
            macc, mcost = models.setdefault(str(m.get("model")), ([0] * 4, [Decimal(0)]))
            _add(macc, figures_m)
            mcost[0] += cents((m.get("estimated_cost") or {}).get("amount"), "estimated_cost")
    actor_rows = [
        _figures_model(ActorRow, acc, spent[0], actor_type=kind, actor=name, **_merged(seen.get((kind, name), {})))
        for (kind, name), (acc, spent) in sorted(actors.items(), key=lambda kv: (-kv[1][1][0], -kv[1][0][0], kv[0]))
    ]
    model_rows = [
        ModelRow(
            model=name,
            input_tokens=t[0],
            output_tokens=t[1],
            cache_read_tokens=t[2],
            cache_creation_tokens=t[3],
            estimated_cost_usd=usd(c[0]),
        )
        for name, (t, c) in sorted(models.items(), key=lambda kv: -kv[1][1][0])
    ]
    return _figures_model(CodeFigures, totals, total_cost), actor_rows, model_rows


def fold_actors(rows: Sequence[ActorRow]) -> ActorRow:
    figures = [0] * len(_CODE_FIELDS)
    cost = Decimal(0)
    for r in rows:
        _add(
            figures,
            [
                r.sessions,
                r.lines_added,
                r.lines_removed,
                r.commits,
                r.pull_requests,
                r.tool_actions_accepted,
                r.tool_actions_rejected,
            ],
        )
        cost += Decimal(r.estimated_cost_usd) * 100
    return _figures_model(
        ActorRow, figures, cost, actor_type="other", actor=f"{len(rows)} more", other_groups=len(rows)
    )


def bounded(
    make: Callable[[list[Row], list[B] | None, str | None], R],
    rows: list[Row],
    fold: Callable[[Sequence[Row]], Row],
    extra: list[B] | None,
    budget: int,
    *,
    rows_name: str,
    extra_name: str,
) -> R:
    """The report with as many rows (then buckets/records) as fit ``budget`` characters; it says what it left out."""
    room = budget - size(make([], [] if extra is not None else None, None)) - NOTE_ROOM
    kept, folded = fit(rows, room // 2 if extra else room, fold)
    notes = []
    if folded:
        notes.append(
            f"The {folded} smallest {rows_name} are folded into the last row (other_groups) to fit the output "
            "budget; totals are exact."
        )
    shown = None
    if extra is not None:
        shown = cut(extra, room - sum(size(r) for r in kept))
        if len(shown) < len(extra):
            notes.append(
                f"Only the first {len(shown)} of {len(extra)} {extra_name} fit the output budget; "
                "narrow the window to see the rest."
            )
    return make(kept, shown, " ".join(notes) or None)
