"""From the phases' data to the table's rows and the targets' verdicts."""

from __future__ import annotations

import statistics
from typing import Any

from bench.context import tokens
from bench.measure import median_of
from bench.report import Figure, Row, Target

TOOLS_READ_ONLY_MAX, TOOLS_ADMIN_MAX = 6_000, 12_000
ANSWER_MIN_SHRINK = 5.0
NOT_MEASURED = "n/a: not measured"
ToolLists = dict[str, Any] | str  # {"sizes": {name: bytes}, "visible": {...}} or the reason it is missing


def _rounds(value: list[dict[str, float]] | str | None, key: str) -> Figure:
    """The median over rounds of one figure, or the reason there is none."""
    if value is None:
        return NOT_MEASURED
    if isinstance(value, str):
        return value
    return median_of(value).get(key, NOT_MEASURED)


def rows(raw: dict[str, Any]) -> list[Row]:
    return (
        latency_rows(raw["load"])
        + startup_memory_rows(raw["startup"], raw["load"])
        + tool_list_rows(raw["context"]["lists"])
        + answer_rows(raw["context"]["answers"])
    )


def latency_rows(load: dict[str, Any]) -> list[Row]:
    lat, conc, out = load["latency"], load["concurrency"], []
    for transport, label in (("stdio", "stdio"), ("http", "streamable HTTP")):
        for q in ("p50", "p95", "p99"):
            note = "peer: list_members; baseline: direct httpx GET (the floor)" if q == "p50" else ""
            ours, peer = _rounds(lat.get(f"ours_{transport}"), q), _rounds(lat.get(f"peer_{transport}"), q)
            out.append(Row(f"list_users latency {q}, {label}", "ms", ours, peer, _rounds(lat.get("floor"), q), note))
    for transport, label in (("stdio", "stdio"), ("http", "streamable HTTP")):
        ours, peer = _rounds(lat.get(f"ours_{transport}"), "cpu_ms"), _rounds(lat.get(f"peer_{transport}"), "cpu_ms")
        note = "server process user+system time / calls; robust to a busy machine"
        out.append(Row(f"Server CPU per call, {label}", "ms", ours, peer, note=note))
        ours = _rounds(lat.get(f"ours_{transport}"), "client_cpu_ms")
        peer = _rounds(lat.get(f"peer_{transport}"), "client_cpu_ms")
        note = "the MCP Python client's CPU: transport, parsing, outputSchema validation"
        out.append(Row(f"Client CPU per call, {label}", "ms", ours, peer, note=note))
    ours_c, peer_c = conc.get("ours_http"), conc.get("peer_http")
    note = "higher is better; one client, 64 calls in flight"
    out.append(
        Row(
            "64 concurrent calls over HTTP: throughput",
            "calls/s",
            _rounds(ours_c, "calls_per_s"),
            _rounds(peer_c, "calls_per_s"),
            note=note,
        )
    )
    out.append(Row("64 concurrent calls over HTTP: p95", "ms", _rounds(ours_c, "p95"), _rounds(peer_c, "p95")))
    for key, who in (("cpu_ms", "server"), ("client_cpu_ms", "client")):
        out.append(
            Row(f"64 concurrent calls over HTTP: {who} CPU per call", "ms", _rounds(ours_c, key), _rounds(peer_c, key))
        )
    return out


def startup_memory_rows(startup: dict[str, Any], load: dict[str, Any]) -> list[Row]:
    def med(v: list[float] | str) -> Figure:
        return v if isinstance(v, str) else statistics.median(v)

    out = [Row("Startup to first tools/list (median)", "s", med(startup["ours"]), med(startup["peer"]))]
    rss = load["rss"]
    for transport, label, load_kind in (("stdio", "stdio", "sequential"), ("http", "HTTP", "64-concurrent")):
        for phase, what in (("warm", "after warm-up"), ("after", f"after the {load_kind} load")):
            ours = rss.get(f"ours_{transport}", {}).get(phase)
            peer = rss.get(f"peer_{transport}", {}).get(phase)
            if peer is None:  # the reason the peer's session could not be opened, if that is why
                why = load["latency"].get(f"peer_{transport}")
                peer = why if isinstance(why, str) else NOT_MEASURED
            out.append(Row(f"Server RSS {label}, {what}", "MiB", ours, peer))
    return out


def _profile(side: ToolLists, profile: str) -> ToolLists:
    return side if isinstance(side, str) else side.get(profile) or NOT_MEASURED


def _sum(lists: ToolLists, field: str = "sizes") -> Figure:
    return lists if isinstance(lists, str) else float(sum(lists[field].values()))


def _per_tool(lists: ToolLists, field: str = "sizes") -> Figure:
    return lists if isinstance(lists, str) else tokens(sum(lists[field].values()) / max(1, len(lists[field])))


def _ranked(lists: ToolLists) -> list[tuple[str, int]] | str:
    return lists if isinstance(lists, str) else sorted(lists["sizes"].items(), key=lambda kv: -kv[1])


def tool_list_rows(lists: dict[str, ToolLists]) -> list[Row]:
    out: list[Row] = []
    for profile, label in (("read-only", "read-only"), ("admin", "admin, every toolset")):
        o, p = _profile(lists["ours"], profile), _profile(lists["peer"], profile)
        count_o = o if isinstance(o, str) else float(len(o["sizes"]))
        count_p = p if isinstance(p, str) else float(len(p["sizes"]))
        out.append(Row(f"tools/list {label}: tools", "tools", count_o, count_p))
        out.append(Row(f"tools/list {label}: size", "bytes", _sum(o), _sum(p)))
        tok_o, tok_p = (v if isinstance(v, str) else tokens(v) for v in (_sum(o), _sum(p)))
        out.append(Row(f"tools/list {label}: tokens", "tokens", tok_o, tok_p, note="the whole entry, as on the wire"))
        vis_o, vis_p = (v if isinstance(v, str) else tokens(v) for v in (_sum(o, "visible"), _sum(p, "visible")))
        note = "name+description+inputSchema: what the README's headline and the target count"
        out.append(Row(f"tools/list {label}: model-visible tokens", "tokens", vis_o, vis_p, note=note))
    o, p = _profile(lists["ours"], "admin"), _profile(lists["peer"], "admin")
    out.append(Row("Tokens per tool (average, all tools)", "tokens", _per_tool(o), _per_tool(p)))
    note = "name+description+inputSchema: the part hosts put in the prompt"
    out.append(
        Row("Model-visible tokens per tool", "tokens", _per_tool(o, "visible"), _per_tool(p, "visible"), note=note)
    )
    ranked_o, ranked_p = _ranked(o), _ranked(p)
    for i in range(5):
        cells: list[Figure] = []
        names: list[str] = []
        for ranked in (ranked_o, ranked_p):
            if isinstance(ranked, str):
                cells.append(ranked)
                names.append("—")
            elif i < len(ranked):
                cells.append(tokens(ranked[i][1]))
                names.append(ranked[i][0])
            else:
                cells.append("n/a: fewer tools")
                names.append("—")
        out.append(
            Row(f"Largest tool #{i + 1}", "tokens", cells[0], cells[1], note=f"ours {names[0]}, peer {names[1]}")
        )
    return out


def answer_rows(answers: dict[str, Any]) -> list[Row]:
    def size(a: dict[str, Any]) -> Figure:
        return float(a["bytes"]) if a["bytes"] is not None else str(a["why"])

    out: list[Row] = []
    for ans in answers.values():
        raw, ours, peer = size(ans["raw"]), size(ans["ours"]), size(ans["peer"])
        note = f"raw: {ans['raw']['calls']} page(s)" if isinstance(raw, float) else ""
        if isinstance(raw, float) and isinstance(ours, float) and ours:
            note += f"; ours {raw / ours:.1f}× smaller than raw"
        out.append(Row(f"Answer: {ans['label']}", "bytes", ours, peer, raw, note))
    return out


def _num(row: Row, attr: str) -> float | None:
    v = getattr(row, attr)
    return float(v) if isinstance(v, int | float) else None


QUICK = " (quick run: too few samples to judge a timing; run without --quick)"


def targets(rows: list[Row], *, quick: bool = False) -> list[Target]:
    """The verdicts. A --quick run takes a handful of samples in one round: its timings are reported but not
    judged (n/a), since a verdict on them would say more than was measured. Sizes are judged either way."""
    by = {r.measure: r for r in rows}
    out: list[Target] = []
    stdio = by["list_users latency p50, stdio"]
    ours, floor = _num(stdio, "ours"), _num(stdio, "baseline")
    measured = f"{ours:.2f} ms = {ours / floor:.1f}× floor ({floor:.2f} ms)" if ours and floor else "n/a"
    met = (ours <= 2 * floor) if ours and floor and not quick else None
    out.append(Target("Ours stdio p50 vs floor", "≤ 2× floor", measured + (QUICK if quick else ""), met))

    def ahead(name: str, row: Row, higher_better: bool, timing: bool = True) -> None:
        o, p = _num(row, "ours"), _num(row, "peer")
        met = None if o is None or p is None else (o > p if higher_better else o < p)
        measured = f"ours {o:,.2f} vs peer {p:,.2f} {row.unit}" if o is not None and p is not None else "n/a"
        if quick and timing:
            met, measured = None, measured + QUICK
        out.append(Target(name, "ahead of the peer", measured, met))

    ahead("Stdio p50 vs peer", stdio, higher_better=False)
    ahead("Concurrency (64, HTTP) vs peer", by["64 concurrent calls over HTTP: throughput"], higher_better=True)
    ahead("Startup vs peer", by["Startup to first tools/list (median)"], higher_better=False)
    for label, limit in (("read-only", TOOLS_READ_ONLY_MAX), ("admin, every toolset", TOOLS_ADMIN_MAX)):
        # Like with like: the limits are on the model-visible part (the README's headline), not the wire size.
        o = _num(by[f"tools/list {label}: model-visible tokens"], "ours")
        wire = _num(by[f"tools/list {label}: tokens"], "ours")
        measured = f"{o:,.0f} model-visible tokens" if o is not None else "n/a"
        measured += f" ({wire:,.0f} on the wire)" if wire is not None else ""
        goal = f"≤ {limit:,} model-visible tokens"
        out.append(Target(f"tools/list {label}", goal, measured, None if o is None else o <= limit))
    ahead("Tokens per tool vs peer", by["Model-visible tokens per tool"], higher_better=False, timing=False)
    for row in rows:
        if row.measure.startswith("Answer: "):
            o, raw = _num(row, "ours"), _num(row, "baseline")
            shrink = raw / o if o and raw else None
            why = next((v for v in (row.ours, row.baseline) if isinstance(v, str)), "n/a")
            measured = f"{shrink:.1f}× smaller ({o:,.0f} vs {raw:,.0f} bytes)" if shrink and o and raw else why
            met = None if shrink is None else shrink >= ANSWER_MIN_SHRINK
            out.append(Target(row.measure, f"≥ {ANSWER_MIN_SHRINK:.0f}× smaller than the raw pages", measured, met))
    return out
