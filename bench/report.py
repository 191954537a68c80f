"""The results as rows (ours, the peer, a baseline, ratios), the targets, and their markdown rendering."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

Figure = float | str | None  # a number, or the reason it is not available


@dataclass
class Row:
    measure: str
    unit: str
    ours: Figure
    peer: Figure
    baseline: Figure = None  # the floor for latencies, the raw API pages for answers
    note: str = ""

    def ratio(self, other: Figure) -> float | None:
        if isinstance(self.ours, int | float) and isinstance(other, int | float) and other:
            return float(self.ours) / float(other)
        return None


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None  # None: could not be measured
    figure_only: bool = False  # reported, with no pass mark (a figure to shrink)

    @property
    def verdict(self) -> str:
        if self.figure_only and self.met is not None:
            return "figure"
        return {True: "met", False: "MISSED", None: "n/a"}[self.met]


def fmt(value: Figure, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return "n/a"
    if unit in ("bytes", "tokens", "tools", "calls"):
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def note_of(row: Row) -> str:
    """The row's note, plus the reason for every figure that is not available."""
    parts = [row.note] if row.note else []
    for who, value in (("ours", row.ours), ("peer", row.peer), ("baseline", row.baseline)):
        if isinstance(value, str):
            parts.append(f"{who} {value}")
    return "; ".join(parts)


def table(rows: list[Row]) -> str:
    head = "| Measure | Unit | Ours | Peer | Ours ÷ peer | Baseline | Ours ÷ baseline | Note |"
    lines = [head, "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        cells = [
            r.measure,
            r.unit,
            fmt(r.ours, r.unit),
            fmt(r.peer, r.unit),
            fmt_ratio(r.ratio(r.peer)),
            fmt(r.baseline, r.unit),
            fmt_ratio(r.ratio(r.baseline)),
            note_of(r).replace("|", "/"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets_table(targets: list[Target]) -> str:
    lines = ["| Target | Goal | Measured | Verdict |", "| --- | --- | --- | --- |"]
    lines += [f"| {t.name} | {t.goal} | {t.measured} | {t.verdict} |" for t in targets]
    return "\n".join(lines)


def markdown(meta: dict[str, Any], rows: list[Row], targets: list[Target]) -> str:
    about = ", ".join(f"{k} {v}" for k, v in meta.items() if k in ("mode", "cpus", "load", "python", "mcp", "peer"))
    return "\n\n".join(
        [
            "## claude-api-mcp benchmark",
            f"_{about}. Latencies: median over {meta.get('rounds')} rounds of {meta.get('n')} sequential calls; "
            f"{meta.get('concurrency')} concurrent calls over HTTP; baseline = the floor (direct httpx GET) for "
            "latencies, the raw API pages for answers. Tokens ≈ bytes / 4._",
            table(rows),
            "### Targets",
            targets_table(targets),
        ]
    )


def as_json(meta: dict[str, Any], rows: list[Row], targets: list[Target], raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "meta": meta,
        "rows": [
            asdict(r) | {"ours_per_peer": r.ratio(r.peer), "ours_per_baseline": r.ratio(r.baseline)} for r in rows
        ],
        "targets": [asdict(t) | {"verdict": t.verdict} for t in targets],
        "raw": raw,
    }


README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def readme_block(meta: dict[str, Any], targets: list[Target]) -> str:
    """The README's benchmark table: every goal with its figure from one run."""
    about = (
        f"_From `bench/run.py --readme` on {meta['utc'][:10]} ({meta['mode']} run, {meta['cpus']} CPUs, load average "
        f"{meta['load']}; {meta['rounds']} alternating rounds of {meta['n']} calls; peer {meta['peer']})._"
    )
    return "\n".join([README_START, about, "", targets_table(targets), README_END])


def write_readme(path: Path, meta: dict[str, Any], targets: list[Target]) -> None:
    text = path.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise SystemExit(f"{path.name} lacks the {README_START} … {README_END} markers")
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    path.write_text(head + readme_block(meta, targets) + tail, encoding="utf-8")
