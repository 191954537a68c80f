"""Time to answer at real API latency: reports and an all-pages list against a slow, rate-limited upstream.

    .venv/bin/python bench/latency.py                  # ours, ours before (a git revision) and the peer
    .venv/bin/python bench/latency.py --delay 0.25 --rate 50 --before origin/main~1 --no-peer

The upstream (``bench/slow_upstream.py``) adds ``--delay`` ± ``--jitter`` seconds to every request and
rate-limits like the API. Each scenario is the whole answer to one question, timed from the first tool call
to the last result through the MCP client over stdio. The peer answers a page per call, so its time is the
calls a model would make one after another to read every page (model thinking time not counted). "Chain"
is the longest run of requests that must follow each other (the pages of one window); the ideal is one
chain at the upstream's latency. Writes ``bench/results/latency.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: make `bench` importable

import anyio

from bench import procs
from bench.measure import Session, stdio_session
from bench.slow_upstream import Limits, Running, serving

USERS = 2_000
CONCURRENCY = ""  # --concurrency: ours' report concurrency (the server's default when empty)
Scenario = Callable[[Session], Awaitable[None]]


def days_ago(n: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=n)).date().isoformat()


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


async def call(session: Session, name: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await session.client.call_tool(name, args)
    if result.is_error:
        text = "".join(getattr(b, "text", "") for b in result.content)
        raise RuntimeError(f"{name} failed: {text[:300]}")
    if result.structured_content is not None:
        return result.structured_content
    text = "".join(getattr(b, "text", "") for b in result.content)
    data: dict[str, Any] = json.loads(text)
    return data


def ours() -> dict[str, Scenario]:
    async def usage(s: Session) -> None:
        args = {"starting_at": days_ago(90), "ending_at": today(), "bucket_width": "1h", "group_by": ["model"]}
        await call(s, "get_usage", args)

    async def cost(s: Session) -> None:
        await call(s, "get_cost", {"starting_at": days_ago(90), "ending_at": today(), "group_by": ["workspace_id"]})

    async def claude_code(s: Session) -> None:
        await call(s, "get_claude_code_usage", {"starting_at": days_ago(30), "ending_at": today()})

    async def users(s: Session) -> None:
        await call(s, "list_users", {"all_pages": True})

    return {
        "usage by model, 90 days, 1 h": usage,
        "cost by workspace, 90 days": cost,
        "Claude Code usage, 30 days": claude_code,
        f"list_users, all pages ({USERS:,} users)": users,
    }


def peer() -> dict[str, Scenario]:
    """The same questions through the peer's tools, following its pages as a model would."""

    async def pages(s: Session, name: str, args: dict[str, Any], cursor: str = "page") -> None:
        token: str | None = None
        for _ in range(1000):
            body = await call(s, name, {**args, **({cursor: token} if token else {})})
            more = body.get("has_more")
            token = body.get("next_page") if cursor == "page" else body.get("last_id")
            if not more or not token:
                return

    async def usage(s: Session) -> None:
        await pages(
            s,
            "get_usage_report",
            {
                "starting_at": f"{days_ago(90)}T00:00:00Z",
                "ending_at": f"{today()}T00:00:00Z",
                "bucket_width": "1h",
                "group_by": ["model"],
                "limit": 31,
            },
        )

    async def cost(s: Session) -> None:
        await pages(
            s,
            "get_cost_report",
            {
                "starting_at": f"{days_ago(90)}T00:00:00Z",
                "ending_at": f"{today()}T00:00:00Z",
                "group_by": ["workspace_id"],
                "limit": 31,
            },
        )

    async def claude_code(s: Session) -> None:
        for n in range(30, 0, -1):  # the API serves one day per request
            await pages(s, "get_claude_code_usage", {"starting_at": days_ago(n), "limit": 100})  # the API takes a day

    async def users(s: Session) -> None:
        await pages(s, "list_members", {"limit": 100}, cursor="after_id")

    keys = list(ours())
    return dict(zip(keys, (usage, cost, claude_code, users), strict=True))


@asynccontextmanager
async def contender(
    name: str, upstream: Running, root: Path, peer_python: str | None, logs: Path
) -> AsyncIterator[Session]:
    if name == "peer":
        assert peer_python
        cmd, env = procs.peer_cmd(peer_python, read_only=True), procs.peer_env(upstream.base_url)
    else:
        cmd, env = procs.ours_cmd("read-only"), procs.ours_env(upstream.base_url)
        if CONCURRENCY:
            env["CLAUDE_API_MCP_REPORT_CONCURRENCY"] = CONCURRENCY
    async with stdio_session(cmd, env, logs / f"latency-{name}.log", root) as session:
        yield session


async def measure(
    name: str,
    scenarios: dict[str, Scenario],
    upstream: Running,
    root: Path,
    peer_python: str | None,
    logs: Path,
    rounds: int,
    delay: float,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with contender(name, upstream, root, peer_python, logs) as session:
        await session.client.list_tools()
        for label, scenario in scenarios.items():
            walls, counts = [], []
            with contextlib.suppress(Exception):  # a failure shows in the timed rounds
                await scenario(session)  # warm-up, untimed: fills the upstream's replay cache, as for every contender
            for _ in range(rounds):
                upstream.app.counts.reset()
                started = time.perf_counter()
                try:
                    await scenario(session)
                except Exception as exc:  # a failure is a figure too
                    out[label] = {"error": str(exc)[:200]}
                    break
                walls.append(time.perf_counter() - started)
                c = upstream.app.counts
                counts.append(
                    {
                        "requests": c.requests,
                        "limited": c.limited,
                        "most_in_flight": c.most_in_flight,
                        "chain": max(c.chains.values(), default=0),
                    }
                )
            else:
                last = counts[-1]
                out[label] = {
                    "wall_s": statistics.median(walls),
                    **last,
                    "ideal_s": last["chain"] * delay,
                    "ratio": statistics.median(walls) / max(last["chain"] * delay, 1e-9),
                }
    return out


def checkout(rev: str) -> Path:
    where = Path(tempfile.mkdtemp(prefix="claude-api-mcp-before-"))
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(where), rev], cwd=procs.REPO, check=True, capture_output=True
    )
    return where


def table(results: dict[str, dict[str, Any]], limits: Limits) -> str:
    names = list(results)
    lines = [
        f"Time to answer at {limits.delay * 1000:.0f} ms ± {limits.jitter * 1000:.0f} ms upstream latency, "
        f"rate limit {limits.rate:g}/s (bursts of {limits.burst}); wall seconds (requests; 429s; most in flight)",
        "",
        "| Question | " + " | ".join(names) + " | Ideal (one chain) |",
        "| --- |" + " ---: |" * (len(names) + 1),
    ]
    for label in next(iter(results.values())):
        cells, ideal = [], ""
        for name in names:
            r = results[name].get(label) or {}
            if "error" in r or not r:
                cells.append(f"n/a: {r.get('error', 'not measured')[:60]}")
                continue
            cells.append(f"{r['wall_s']:.2f} ({r['requests']}; {r['limited']}; {r['most_in_flight']})")
            if name == "ours":
                ideal = f"{r['ideal_s']:.2f} (chain {r['chain']}; ours {r['ratio']:.2f}×)"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ideal} |")
    return "\n".join(lines)


async def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python bench/latency.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--delay", type=float, default=0.25)
    p.add_argument("--jitter", type=float, default=0.05)
    p.add_argument("--rate", type=float, default=50.0, help="upstream requests per second (token bucket)")
    p.add_argument("--burst", type=int, default=50)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--before", help="a git revision to measure as 'before' (checked out to a temporary worktree)")
    p.add_argument("--no-peer", action="store_true")
    p.add_argument("--concurrency", default="", help="ours' CLAUDE_API_MCP_REPORT_CONCURRENCY (default: the server's)")
    p.add_argument("--out", type=Path, default=procs.RESULTS)
    args = p.parse_args(argv)
    global CONCURRENCY
    CONCURRENCY = args.concurrency
    limits = Limits(delay=args.delay, jitter=args.jitter, rate=args.rate, burst=args.burst)
    logs = args.out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    peer_python = None if args.no_peer else procs.ensure_peer(install=True).python
    before = checkout(args.before) if args.before else None
    results: dict[str, dict[str, Any]] = {}
    try:
        with serving(limits, users=USERS) as upstream:
            if before:
                results["before"] = await measure(
                    "before", ours(), upstream, before, None, logs, args.rounds, args.delay
                )
            results["ours"] = await measure("ours", ours(), upstream, procs.REPO, None, logs, args.rounds, args.delay)
            if peer_python:
                results["peer"] = await measure("peer", peer(), upstream, procs.REPO, peer_python, logs, 1, args.delay)
    finally:
        if before:
            await anyio.run_process(["git", "worktree", "remove", "--force", str(before)], cwd=procs.REPO, check=False)
    text = table(results, limits)
    print(text)
    (args.out / "latency.md").write_text(text + "\n")
    (args.out / "latency.json").write_text(json.dumps({"limits": vars(limits), "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(anyio.run(main))
