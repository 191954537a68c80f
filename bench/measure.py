"""MCP sessions over stdio and HTTP, and the timing loops: sequential latency, concurrency, startup."""

from __future__ import annotations

import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from bench import procs

Call = Callable[[], Awaitable[Any]]


@dataclass
class Session:
    client: Client
    pid: int | None  # the server process, for its RSS


class CallFailed(RuntimeError):
    """A measured call came back as an error: the figure would be meaningless."""


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds (nearest rank), plus the count."""
    ordered = sorted(samples)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "n": float(len(ordered))}


def median_of(rounds: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median across repeated rounds."""
    keys = set(rounds[0]).intersection(*rounds)
    return {key: statistics.median(r[key] for r in rounds) for key in keys}


@asynccontextmanager
async def stdio_session(cmd: list[str], env: dict[str, str], log: Path, cwd: Path) -> AsyncIterator[Session]:
    """A client on a server the SDK spawns; the new child of this process is the server."""
    before = procs.child_pids()
    params = StdioServerParameters(command=cmd[0], args=cmd[1:], env=env, cwd=cwd)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            new = procs.child_pids() - before
            yield Session(client, min(new) if len(new) == 1 else None)


@asynccontextmanager
async def http_session(url: str, pid: int | None = None) -> AsyncIterator[Session]:
    # Idle connections are dropped well before uvicorn's 5 s keep-alive timeout: reusing one the server is closing
    # at that moment fails the request with a ReadError, which would be the bench's fault, not the server's.
    limits = httpx2.Limits(max_connections=256, max_keepalive_connections=256, keepalive_expiry=2.0)
    async with (
        httpx2.AsyncClient(limits=limits, timeout=httpx2.Timeout(60.0)) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield Session(client, pid)


def tool_call(client: Client, name: str, args: dict[str, Any] | None = None) -> Call:
    async def call() -> Any:
        result = await client.call_tool(name, args or {})
        if result.is_error:
            text = "".join(getattr(block, "text", "") for block in result.content)
            raise CallFailed(f"{name} failed: {text[:200]}")
        return result

    return call


def floor_call(http: httpx.AsyncClient) -> Call:
    async def call() -> Any:
        response = await http.get("/v1/organizations/users")
        response.raise_for_status()
        return response

    return call


def floor_client(upstream: str) -> httpx.AsyncClient:
    headers = {"x-api-key": procs.BENCH_ADMIN_KEY, "anthropic-version": "2023-06-01"}
    return httpx.AsyncClient(base_url=upstream, headers=headers, timeout=30.0)


async def timed(work: Awaitable[dict[str, float]], pid: int | None, calls: int) -> dict[str, float]:
    """``work``'s figures plus CPU milliseconds per call: the server's (robust to a busy machine) and this
    client's (the MCP Python client checks every result against the tool's outputSchema, at the caller's cost)."""
    before, client_before = procs.cpu_seconds(pid), time.process_time()
    figures = await work
    after, client_after = procs.cpu_seconds(pid), time.process_time()
    if before is not None and after is not None:
        figures["cpu_ms"] = (after - before) / calls * 1000
    figures["client_cpu_ms"] = (client_after - client_before) / calls * 1000
    return figures


async def sequential_figures(call: Call, n: int) -> dict[str, float]:
    return percentiles(await sequential(call, n))


async def sequential(call: Call, n: int) -> list[float]:
    samples: list[float] = []
    for _ in range(n):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return samples


async def concurrent(call: Call, total: int, concurrency: int) -> dict[str, float]:
    """``total`` calls with ``concurrency`` in flight at all times: throughput and per-call latency."""
    samples: list[float] = []
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            start = time.perf_counter()
            await call()
            samples.append(time.perf_counter() - start)

    start = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)
    elapsed = time.perf_counter() - start
    return {"calls_per_s": total / elapsed, **percentiles(samples)}


async def startup(cmd: list[str], env: dict[str, str], log: Path, cwd: Path, tool: str) -> tuple[float, float]:
    """Seconds from process start to the first tools/list response (handshake included), and to the answer of
    a first call of ``tool`` right after it (what a server defers to a tool's first call is counted there)."""
    start = time.perf_counter()
    async with stdio_session(cmd, env, log, cwd) as session:
        await session.client.list_tools()
        listed = time.perf_counter() - start
        await tool_call(session.client, tool)()
        answered = time.perf_counter() - start
    return listed, answered
