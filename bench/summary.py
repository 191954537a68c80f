"""From the phases' data to the table's rows and the targets' verdicts."""

from __future__ import annotations

import statistics
from dataclasses import replace
from typing import Any

from bench.context import tokens
from bench.measure import median_of
from bench.report import Figure, Row, Target

# Issue 22's goals.
PER_CALL_VS_PEER = 0.9  # ours / peer, p50 over stdio through the MCP client
STARTUP_VS_PEER = 0.75
OWN_STARTUP_SHARE = 0.10  # what we add beyond importing the MCP SDK, of the start-up
WIRE_ADMIN_MAX = 48_000  # bytes: tools/list, admin profile, every toolset
VISIBLE_ADMIN_MAX, VISIBLE_READ_ONLY_MAX = 7_000, 4_000  # tokens: name + description + inputSchema
ANSWER_MIN_SHRINK = 5.0  # a report's answer vs the raw pages it replaces
LIST_ANSWERS = {"Active keys of a workspace"}  # a list answer is the API's objects: within 5% of the pages
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
        + raw_rows(raw.get("raw"))
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


def raw_rows(raw: dict[str, Any] | None) -> list[Row]:
    """Per call without the MCP client (bench/rawrpc.py), against the floor."""
    if raw is None:
        return [Row("Raw JSON-RPC per call p50, stdio", "ms", NOT_MEASURED, NOT_MEASURED)]
    note = "no MCP client: JSON-RPC lines over stdio; baseline: direct httpx GET (the floor)"
    floor = _rounds(raw["floor"], "p50")
    return [
        Row(
            "Raw JSON-RPC per call p50, stdio",
            "ms",
            _rounds(raw["ours"], "p50"),
            _rounds(raw["peer"], "p50"),
            floor,
            note,
        )
    ]


def startup_memory_rows(startup: dict[str, Any], load: dict[str, Any]) -> list[Row]:
    def med(v: list[float] | str) -> Figure:
        return v if isinstance(v, str) else statistics.median(v)

    out = [Row("Startup to first tools/list (median)", "s", med(startup["ours"]), med(startup["peer"]))]
    if "ours_first" in startup:  # what a server defers to a tool's first call shows here
        first = Row(
            "Startup to a first call's answer (median)",
            "s",
            med(startup["ours_first"]),
            med(startup["peer_first"]),
            note="list_users (peer: list_members) right after tools/list: a tool's deferred work counts here",
        )
        out.append(first)
    split = startup.get("split")
    if split:
        note = (
            f"fresh interpreters: SDK import {split['sdk_import']:.0f} ms, our modules {split['ours_import']:.0f} ms, "
            f"listing 51 tools from the index {split['build_server']:.0f} ms; moved to a tool's first call: "
            f"{split['first_call_build']:.0f} ms for list_users (bench/startup_split.py)"
        )
        out.append(
            Row("Startup: our share beyond importing the MCP SDK", "%", split["ours_share"] * 100, None, note=note)
        )
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
        out.append(Row(f"tools/list {label}: tokens", "tokens", tok_o, tok_p))
        vis_o, vis_p = (v if isinstance(v, str) else tokens(v) for v in (_sum(o, "visible"), _sum(p, "visible")))
        note = "name+description+inputSchema of every tool: the part hosts put in the prompt"
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


def _ratio_target(name: str, row: Row, goal: float) -> Target:
    o, p = _num(row, "ours"), _num(row, "peer")
    if o is None or p is None or not p:
        return Target(name, f"≤ {goal:.2f}× the peer", "n/a", None)
    return Target(name, f"≤ {goal:.2f}× the peer", f"{o / p:.2f}× ({o:,.2f} vs {p:,.2f} {row.unit})", o / p <= goal)


def _at_most(name: str, row: Row, limit: float, unit: str) -> Target:
    o = _num(row, "ours")
    measured = f"{o:,.0f} {unit}" if o is not None else "n/a"
    return Target(name, f"≤ {limit:,.0f} {unit}", measured, None if o is None else o <= limit)


QUICK = " (quick run: too few samples to judge a timing; run without --quick)"
TIMINGS = ("Per call", "Raw JSON-RPC", "Startup")  # the targets a --quick run reports but does not judge


def targets(rows: list[Row], *, quick: bool = False) -> list[Target]:
    """Issue 22's goals, each against the figure it is about. A --quick run takes a handful of samples in one
    round: its timings are reported but not judged (n/a), since a verdict would say more than was measured."""
    out = _targets(rows)
    if quick:
        out = [replace(t, met=None, measured=t.measured + QUICK) if t.name.startswith(TIMINGS) else t for t in out]
    return out


def _targets(rows: list[Row]) -> list[Target]:
    by = {r.measure: r for r in rows}
    out = [_ratio_target("Per call vs the peer (stdio p50)", by["list_users latency p50, stdio"], PER_CALL_VS_PEER)]
    raw = by["Raw JSON-RPC per call p50, stdio"]
    o, floor = _num(raw, "ours"), _num(raw, "baseline")
    measured = f"{o / floor:.2f}× ({o:.2f} vs {floor:.2f} ms)" if o and floor else "n/a"
    out.append(
        Target("Raw JSON-RPC per call vs direct HTTP", "a figure: shrink it", measured, bool(o and floor) or None, True)
    )
    out.append(_ratio_target("Startup vs the peer", by["Startup to first tools/list (median)"], STARTUP_VS_PEER))
    share = by.get("Startup: our share beyond importing the MCP SDK")
    s_o = _num(share, "ours") if share else None
    out.append(
        Target(
            "Startup: our share beyond importing the SDK",
            f"< {OWN_STARTUP_SHARE:.0%}",
            f"{s_o:.0f}%" if s_o is not None else "n/a",
            None if s_o is None else s_o < OWN_STARTUP_SHARE * 100,
        )
    )
    out.append(
        _at_most("tools/list on the wire, admin", by["tools/list admin, every toolset: size"], WIRE_ADMIN_MAX, "bytes")
    )
    for label, limit in (("admin, every toolset", VISIBLE_ADMIN_MAX), ("read-only", VISIBLE_READ_ONLY_MAX)):
        row = by[f"tools/list {label}: model-visible tokens"]
        out.append(_at_most(f"Model-visible tool definitions, {label}", row, limit, "tokens"))
    for row in rows:
        if row.measure.startswith("Answer: "):
            o, raw_size = _num(row, "ours"), _num(row, "baseline")
            shrink = raw_size / o if o and raw_size else None
            listed = row.measure.removeprefix("Answer: ") in LIST_ANSWERS
            least = 1 / 1.05 if listed else ANSWER_MIN_SHRINK
            why = next((v for v in (row.ours, row.baseline) if isinstance(v, str)), "n/a")
            measured = (
                f"{shrink:.2f}× smaller ({o:,.0f} vs {raw_size:,.0f} bytes)" if shrink and o and raw_size else why
            )
            goal = "within 5% of the raw pages" if listed else f"≥ {least:.0f}× smaller than the raw pages"
            out.append(Target(row.measure, goal, measured, None if shrink is None else shrink >= least))
    return out
