"""Benchmark claude-api-mcp side by side with the closest peer, anthropic-admin-mcp 0.1.1, as ratios.

    python bench/run.py            # the full run (under 3 minutes on 2 cores)
    python bench/run.py --quick    # a smoke run for CI: small N, one round

Both servers talk to the same upstream: the sandbox API served over a loopback port. Prints a markdown table
and writes it, with the JSON, to bench/results/ (git-ignored). Targets are reported, never asserted: the exit
code is 0 unless the bench itself failed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: make `bench` importable

import anyio

from bench import load, phases, procs, report, summary

README = procs.REPO / "README.md"


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small N and one round (CI smoke test)")
    p.add_argument("--no-peer", action="store_true", help="measure ours only")
    p.add_argument("--no-install", action="store_true", help="do not install the peer if it is not cached")
    p.add_argument("--out", type=Path, default=procs.RESULTS, help="results folder (default bench/results)")
    p.add_argument("--readme", action="store_true", help="also rewrite README.md's benchmark table from this run")
    return p.parse_args(argv)


def phase(name: str) -> None:
    print(f"bench: {name}…", file=sys.stderr, flush=True)


async def collect(cfg: phases.Config, peer: procs.Peer, out: Path) -> dict[str, Any]:
    upstream_proc, upstream = procs.start_upstream(out / "logs" / "upstream.log")
    env = phases.Env(upstream, peer.python, peer.reason, out / "logs")
    try:
        phase("context cost (tools/list, typical answers)")
        ctx = await phases.context_phase(env)
        phase("startup")
        startup = await phases.startup_phase(env, cfg)
        # Before the load phase: its 64-way storm drains the upstream's rate-limit bucket, and ours then paces
        # its requests by the API's headers (the peer does not), which a per-call figure should not measure.
        phase("raw JSON-RPC over stdio")
        raw = await phases.raw_phase(env, cfg)
        phase("latency, concurrency, memory")
        load_data = await load.load_phase(env, cfg)
    finally:
        procs.stop(upstream_proc)
    return {"context": ctx, "startup": startup, "load": load_data, "raw": raw}


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    cfg = phases.Config.of(args.quick)
    args.out.mkdir(parents=True, exist_ok=True)
    procs.RESULTS.mkdir(parents=True, exist_ok=True)  # the peer runs there (its audit log), whatever --out says
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    if args.no_peer:
        peer = procs.Peer(None, "n/a: skipped (--no-peer)")
    else:
        phase(f"peer venv ({procs.PEER_SPEC})")
        peer = procs.ensure_peer(install=not args.no_install)
        if peer.python is None:
            peer.reason = peer.reason if peer.reason.startswith("n/a") else f"n/a: {peer.reason}"
    raw = anyio.run(collect, cfg, peer, args.out)

    rows = summary.rows(raw)
    targets = summary.targets(rows, quick=args.quick)
    meta = {
        "mode": "quick" if args.quick else "full",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "mcp": version("mcp"),
        "peer": procs.PEER_SPEC if peer.python else peer.reason,
        "n": cfg.n,
        "rounds": cfg.rounds,
        "concurrency": cfg.concurrency,
        "concurrent_total": cfg.concurrent_total,
        "startup_runs": cfg.startup_runs,
        "ours": version("claude-api-mcp"),
        "seconds": round(time.perf_counter() - started, 1),
        "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load": f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after",  # 1-minute load average
    }
    text = report.markdown(meta, rows, targets)
    (args.out / "latest.md").write_text(text + "\n")
    (args.out / "latest.json").write_text(json.dumps(report.as_json(meta, rows, targets, raw), indent=2) + "\n")
    if args.readme:
        report.write_readme(README, meta, targets)
    print(text)
    print(f"\n_{meta['seconds']} s; written to {args.out / 'latest.md'} and latest.json_")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
