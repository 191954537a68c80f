"""The bench's verdicts say no more than was measured: sizes against their limits on the part the limit is
about (model-visible tokens for the definitions, bytes on the wire for the list), and a --quick run's timings
not judged."""

from __future__ import annotations

from bench.report import Row
from bench.summary import QUICK, VISIBLE_READ_ONLY_MAX, targets, tool_list_rows


def spread(total: int, count: int) -> dict[str, int]:
    sizes = {f"t{i}": total // count for i in range(count)}
    sizes["t0"] += total - sum(sizes.values())
    return sizes


def lists(visible_bytes: int, wire_bytes: int, count: int = 40) -> dict[str, object]:
    side = {"sizes": spread(wire_bytes, count), "visible": spread(visible_bytes, count)}
    return {"read-only": side, "admin": side}


def rows(timings: tuple[float, float]) -> list[Row]:
    ours, peer = timings
    return [
        Row("list_users latency p50, stdio", "ms", ours, peer, baseline=1.0),
        Row("Raw JSON-RPC per call p50, stdio", "ms", 2.0, 2.3, baseline=1.0),
        Row("Startup to first tools/list (median)", "s", 1.2, 1.0),
        Row("Startup: our share beyond importing the MCP SDK", "%", 33.0, None),
        # ours: 3,900 model-visible tokens but 10,946 on the wire
        *tool_list_rows({"ours": lists(3_900 * 4, 10_946 * 4), "peer": lists(30_000 * 4, 40_000 * 4)}),
    ]


def test_the_definitions_limit_is_judged_on_model_visible_tokens() -> None:
    verdicts = {t.name: t for t in targets(rows((5.0, 4.0)))}
    read_only = verdicts["Model-visible tool definitions, read-only"]
    assert 3_900 <= VISIBLE_READ_ONLY_MAX < 10_946
    assert read_only.met is True and "3,900 tokens" in read_only.measured


def test_a_quick_run_does_not_judge_timings_but_still_judges_sizes() -> None:
    quick = {t.name: t for t in targets(rows((5.0, 4.0)), quick=True)}
    full = {t.name: t for t in targets(rows((5.0, 4.0)))}
    for name in ("Per call vs the peer (stdio p50)", "Startup vs the peer"):
        assert quick[name].met is None and quick[name].verdict == "n/a" and QUICK in quick[name].measured
        assert full[name].met is False  # the same figures in a full run are judged, and missed
    assert quick["Model-visible tool definitions, read-only"].met is True
