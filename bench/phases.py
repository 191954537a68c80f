"""The phases of a run: context cost and startup here, load (latency, concurrency, memory) in load.py.

Each returns plain JSON-able data. A peer failure becomes an "n/a: ..." reason in place of its figures; a
failure of ours propagates (the smoke test must see it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import anyio

from bench import context, measure, procs, rawrpc, startup_split
from bench.measure import Session


@dataclass(frozen=True)
class Config:
    n: int  # sequential calls per round
    rounds: int
    warmup: int
    concurrency: int
    concurrent_total: int  # calls per concurrency round
    startup_runs: int

    @classmethod
    def of(cls, quick: bool) -> Config:
        if quick:
            return cls(n=30, rounds=1, warmup=5, concurrency=64, concurrent_total=128, startup_runs=2)
        # Alternating rounds of 100 calls (issue 22): drift on a shared machine hits every contender alike.
        return cls(n=100, rounds=5, warmup=30, concurrency=64, concurrent_total=1280, startup_runs=5)


@dataclass
class Env:
    upstream: str
    peer_python: str | None
    peer_reason: str
    logs: Path


def reason(exc: BaseException) -> str:
    inner = getattr(exc, "exceptions", None)  # an exception group (no BaseExceptionGroup on Python 3.10)
    if inner:
        return reason(inner[0])
    return f"n/a: {type(exc).__name__}: {str(exc)[:160]}"


@asynccontextmanager
async def ours_stdio(env: Env, profile: str = "read-only", api_key: bool = False) -> AsyncIterator[Session]:
    cmd, penv = procs.ours_cmd(profile), procs.ours_env(env.upstream, api_key=api_key)
    async with measure.stdio_session(cmd, penv, env.logs / "ours.log", procs.REPO) as session:
        yield session


@asynccontextmanager
async def peer_stdio(env: Env, read_only: bool = False) -> AsyncIterator[Session]:
    assert env.peer_python
    cmd, penv = procs.peer_cmd(env.peer_python, read_only=read_only), procs.peer_env(env.upstream)
    async with measure.stdio_session(cmd, penv, env.logs / "peer.log", procs.RESULTS) as session:
        yield session


@asynccontextmanager
async def http_server(cmd: list[str], penv: dict[str, str], log: Path, ready: str, cwd: Path) -> AsyncIterator[int]:
    """Start an HTTP server process, wait until ``ready`` answers, yield its pid, stop it afterwards."""
    proc = procs.spawn(cmd, penv, log, cwd)
    try:
        await anyio.to_thread.run_sync(procs.wait_http, ready, proc)
        yield proc.pid
    finally:
        procs.stop(proc)


# --- context cost -----------------------------------------------------------------------------------------


def _list_data(tl: context.ToolList) -> dict[str, Any]:
    return {"sizes": tl.sizes, "visible": tl.visible}


async def context_phase(env: Env) -> dict[str, Any]:
    out: dict[str, Any] = {"lists": {"ours": {}, "peer": {}}, "answers": {}, "workspace_id": None}
    for profile in ("read-only", "admin"):
        async with ours_stdio(env, profile, api_key=True) as s:
            out["lists"]["ours"][profile] = _list_data(await context.tool_list(s.client))
    if env.peer_python:
        try:
            for profile, read_only in (("read-only", True), ("admin", False)):
                async with peer_stdio(env, read_only) as s:
                    out["lists"]["peer"][profile] = _list_data(await context.tool_list(s.client))
        except Exception as exc:
            out["lists"]["peer"] = reason(exc)
    else:
        out["lists"]["peer"] = env.peer_reason

    async with measure.floor_client(env.upstream) as http:
        workspace = await context.pick_workspace(http)
        out["workspace_id"] = workspace
        qs = context.questions(workspace)
        for q in qs:
            out["answers"][q.key] = {"label": q.label, "raw": asdict(await context.raw_pages(http, q))}
    async with ours_stdio(env, "read-only", api_key=True) as s:
        for q in qs:
            out["answers"][q.key]["ours"] = asdict(await context.answer(s, q.ours))
    for q in qs:
        out["answers"][q.key]["peer"] = asdict(context.Answer(why=env.peer_reason or "n/a"))
    if env.peer_python:
        try:
            async with peer_stdio(env) as s:
                for q in qs:
                    ans = await context.answer(s, q.peer, q.cursor if q.cursor == "token" else None)
                    out["answers"][q.key]["peer"] = asdict(ans)
        except Exception as exc:
            for q in qs:
                out["answers"][q.key]["peer"] = asdict(context.Answer(why=reason(exc)))
    return out


# --- startup ----------------------------------------------------------------------------------------------


async def startup_phase(env: Env, cfg: Config) -> dict[str, Any]:
    ours: list[float] = []
    ours_first: list[float] = []
    peer: list[float] | str = [] if env.peer_python else env.peer_reason
    peer_first: list[float] | str = [] if env.peer_python else env.peer_reason
    for _ in range(cfg.startup_runs):  # interleaved, so drift on the machine hits both alike
        listed, answered = await measure.startup(
            procs.ours_cmd(), procs.ours_env(env.upstream), env.logs / "ours.log", procs.REPO, "list_users"
        )
        ours.append(listed)
        ours_first.append(answered)
        if env.peer_python and isinstance(peer, list) and isinstance(peer_first, list):
            try:
                cmd = procs.peer_cmd(env.peer_python)
                listed, answered = await measure.startup(
                    cmd, procs.peer_env(env.upstream), env.logs / "peer.log", procs.RESULTS, "list_members"
                )
                peer.append(listed)
                peer_first.append(answered)
            except Exception as exc:
                peer = peer_first = reason(exc)
    split = await anyio.to_thread.run_sync(startup_split.measure, cfg.startup_runs, procs.REPO)
    return {"ours": ours, "peer": peer, "ours_first": ours_first, "peer_first": peer_first, "split": split}


# --- per call without the MCP client ----------------------------------------------------------------------


async def raw_phase(env: Env, cfg: Config) -> dict[str, Any]:
    """Raw JSON-RPC over stdio, ours and the peer's, and the floor, in interleaved rounds (bench/rawrpc.py)."""
    out: dict[str, Any] = {"ours": [], "peer": env.peer_reason or None, "floor": []}
    async with AsyncExitStack() as stack:
        ours = await stack.enter_async_context(
            rawrpc.open_raw(procs.ours_cmd(), procs.ours_env(env.upstream), procs.REPO, env.logs / "ours.log")
        )
        peer = None
        if env.peer_python:
            try:
                cmd, penv = procs.peer_cmd(env.peer_python), procs.peer_env(env.upstream)
                peer = await stack.enter_async_context(rawrpc.open_raw(cmd, penv, procs.RESULTS, env.logs / "peer.log"))
                out["peer"] = []
            except Exception as exc:
                out["peer"] = reason(exc)
        http = await stack.enter_async_context(measure.floor_client(env.upstream))
        floor = measure.floor_call(http)
        await rawrpc.raw_round(ours, "list_users", cfg.warmup)
        if peer is not None:
            await rawrpc.raw_round(peer, "list_members", cfg.warmup)
        await measure.sequential(floor, cfg.warmup)
        for _ in range(cfg.rounds):
            out["ours"].append(await rawrpc.raw_round(ours, "list_users", cfg.n))
            if peer is not None and isinstance(out["peer"], list):
                try:
                    out["peer"].append(await rawrpc.raw_round(peer, "list_members", cfg.n))
                except Exception as exc:
                    out["peer"], peer = reason(exc), None
            out["floor"].append(await measure.sequential_figures(floor, cfg.n))
    return out
