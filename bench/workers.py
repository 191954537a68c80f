"""Scale-out: calls/s, p50/p95, each worker's share of the work and memory over rounds, for
``--workers 1, 2, 4``, with several client processes and with one pooled client.

    python bench/workers.py                 # 2,000 calls at concurrency 64 per worker count and mode
    python bench/workers.py --calls 400     # quicker

Two loads per worker count: ``several`` (``--clients`` processes, one connection per in-flight call) and
``pooled`` (one process, one ``httpx.AsyncClient`` whose keep-alive pool holds ``--pool`` connections:
how one busy team member's client meets the workers). "Share" is the least and the most busy worker's
part of the server CPU (an even spread over 2 workers is 50/50); memory is each worker's mean RSS after
each of ``--rounds`` rounds, to show it flat.

Each run starts ``python -m claude_api_mcp --transport http --sandbox --workers N`` (every worker carries its own
embedded sandbox upstream, so no shared upstream process bounds the figures), then keeps 64
``tools/call get_workspace`` requests in flight on the sessionless 2026-07-28 protocol, sent as raw
JSON-RPC over one ``httpx.AsyncClient`` (the MCP Python client's own CPU would otherwise dominate on a
small machine). Memory is ``VmRSS`` of each worker after the load. Results go to stdout and to
``bench/results/workers.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.procs import RESULTS, base_env, free_port, spawn, stop, wait_http

TOKEN = os.environ.get("BENCH_WORKERS_TOKEN") or secrets.token_urlsafe(24)  # client processes get the parent's
WORKSPACE = "wrkspc_016bWHtP3fS2qHx6kwXoIIXG"  # the sandbox's seeded "Prod"
HEADERS = {
    "accept": "application/json, text/event-stream",
    "content-type": "application/json",
    "authorization": f"Bearer {TOKEN}",
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": "tools/call",
    "mcp-name": "get_workspace",
}
META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"resource_tracker" not in cmdline:
            found.append(int(stat.parent.name))
    return found


def listening(port: int) -> int:
    """Sockets listening on ``port`` (state 0A in /proc/net/tcp): one per worker that is serving."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1].endswith(f":{port:04X}") and row.split()[3] == "0A")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def load(url: str, calls: int, concurrency: int, pool: int = 0) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    failures = 0
    remaining = iter(range(calls))
    warm_up = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "tools/call",
        "params": {"name": "get_workspace", "arguments": {"workspace_id": WORKSPACE}, "_meta": META},
    }

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal failures
        for n in remaining:
            body = {
                "jsonrpc": "2.0",
                "id": n,
                "method": "tools/call",
                "params": {"name": "get_workspace", "arguments": {"workspace_id": WORKSPACE}, "_meta": META},
            }
            started = time.perf_counter()
            response = await http.post(url, json=body, headers=HEADERS)
            latencies.append(time.perf_counter() - started)
            ok = response.status_code == 200 and '"isError":false' in response.text
            failures += not ok

    async with contextlib.AsyncExitStack() as stack:
        # One client (one connection) per in-flight call: httpx's shared pool itself slows down past a
        # few dozen concurrent connections, which would be measured instead of the server. ``pool``: one
        # client whose keep-alive pool of that many connections carries every call.
        if pool:
            shared = await stack.enter_async_context(
                httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=pool))
            )
            clients = [shared] * concurrency
        else:
            clients = [await stack.enter_async_context(httpx.AsyncClient(timeout=60)) for _ in range(concurrency)]
        for http in clients:  # warm-up: imports, caches, one connection each
            await http.post(url, json=warm_up, headers=HEADERS)
        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for http in clients:
                tg.start_soon(worker, http)
        elapsed = time.perf_counter() - started
    return elapsed, latencies, failures


def drive(url: str, calls: int, concurrency: int, clients: int, pool: int = 0) -> tuple[float, list[float], int]:
    """The load from ``clients`` processes at once, so the client side is not what is measured."""
    cmd = [sys.executable, __file__, "--client", url, "--concurrency", str(concurrency // clients)]
    cmd += ["--pool", str(pool)]
    procs = [
        subprocess.Popen(
            [*cmd, "--calls", str(calls // clients)],
            stdout=subprocess.PIPE,
            env=base_env() | {"BENCH_WORKERS_TOKEN": TOKEN},
        )
        for _ in range(clients)
    ]
    outputs = [json.loads(p.communicate(timeout=600)[0]) for p in procs]
    elapsed = max(o["elapsed"] for o in outputs)
    return elapsed, [x for o in outputs for x in o["latencies"]], sum(o["failures"] for o in outputs)


def run(workers: int, calls: int, concurrency: int, logs: Path, clients: int, pool: int, rounds: int) -> dict[str, Any]:
    port = free_port()
    token_file = logs / "token"
    token_file.write_text(TOKEN)
    cmd = [sys.executable, "-m", "claude_api_mcp", "--transport", "http", "--sandbox", "--port", str(port)]
    cmd += ["--workers", str(workers), "--http-token-file", str(token_file), "--state-key", secrets.token_hex(32)]
    env = base_env() | {"CLAUDE_API_MCP_LOG_LEVEL": "WARNING"}
    proc = spawn(cmd, env, logs / f"workers-{workers}.log")
    try:
        wait_http(f"http://127.0.0.1:{port}/health", proc, timeout=180)
        deadline = time.monotonic() + 180
        while workers > 1 and listening(port) < workers and time.monotonic() < deadline:
            time.sleep(0.2)  # each worker listens on its own socket once it has loaded the app
        pids = children(proc.pid) if workers > 1 else [proc.pid]
        cpu_before = [cpu_seconds(pid) for pid in pids]
        elapsed, latencies, failures, memory = 0.0, [], 0, []
        for _ in range(rounds):
            took, lat, failed = drive(
                f"http://127.0.0.1:{port}/mcp", calls // rounds, concurrency, 1 if pool else clients, pool
            )
            elapsed, failures = elapsed + took, failures + failed
            latencies += lat
            memory.append(statistics.mean(rss_mb(pid) for pid in pids))
        cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before, strict=True)]
    finally:
        stop(proc)
    q = statistics.quantiles(latencies, n=100)
    return {
        "workers": workers,
        "mode": f"pooled ({pool} connections)" if pool else f"several ({clients} processes)",
        "calls_per_s": calls // rounds * rounds / elapsed,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "failures": failures,
        "share": f"{min(cpu) / sum(cpu) * 100:.0f}/{max(cpu) / sum(cpu) * 100:.0f}%" if workers > 1 else "-",
        "rss_rounds": " → ".join(f"{m:.0f}" for m in memory),
        "server_cpu_ms_per_call": sum(cpu) / calls * 1000,
        "load_average": os.getloadavg()[0],
    }


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--calls", type=int, default=2000)
    args.add_argument("--concurrency", type=int, default=64)
    args.add_argument("--workers", default="1,2,4")
    args.add_argument("--clients", type=int, default=4, help="client processes sharing the load")
    args.add_argument("--pool", type=int, default=16, help="connections of the one pooled client")
    args.add_argument("--rounds", type=int, default=4, help="rounds per run; memory is read after each")
    args.add_argument("--client", help=argparse.SUPPRESS)  # internal: be one client process against this URL
    opts = args.parse_args()
    if opts.client:
        elapsed, latencies, failures = anyio.run(load, opts.client, opts.calls, opts.concurrency, opts.pool)
        sys.stdout.write(json.dumps({"elapsed": elapsed, "latencies": latencies, "failures": failures}))
        return 0
    logs = RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    rows = [
        run(int(n), opts.calls, opts.concurrency, logs, opts.clients, pool, opts.rounds)
        for n in opts.workers.split(",")
        for pool in (0, opts.pool)
    ]
    lines = [
        f"{opts.calls} calls (get_workspace, 2026-07-28 protocol) at concurrency {opts.concurrency} per run, "
        f"in {opts.rounds} rounds, {os.cpu_count()} CPU(s) shared with the clients",
        "",
        "| workers | load | calls/s | p50 ms | p95 ms | failures | share least/most busy | RSS per worker MB by round "
        "| server CPU ms/call | load avg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['workers']} | {r['mode']} | {r['calls_per_s']:.0f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{r['failures']} | {r['share']} | {r['rss_rounds']} | {r['server_cpu_ms_per_call']:.1f} | "
            f"{r['load_average']:.1f} |"
        )
    text = "\n".join(lines)
    sys.stdout.write(text + "\n")
    (RESULTS / "workers.md").write_text(text + "\n")
    return 0 if all(r["failures"] == 0 for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
