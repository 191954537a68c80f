"""The load phase: sequential latency, 64-way concurrency and memory, for every contender side by side.

Each server session lives in a task of its own (``Contender``). A session whose transport dies (a connection
reset under load, say) takes down only that task: the peer then reads "n/a" with the reason, while a failure
of ours still fails the run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
from anyio.abc import TaskStatus
from anyio.streams.memory import MemoryObjectSendStream

from bench import measure, procs
from bench.measure import Call, Session
from bench.phases import Config, Env, http_server, ours_stdio, peer_stdio, reason

Job = Callable[[Call], Awaitable[Any]]
JOB_TIMEOUT = 300.0


class ContenderDown(RuntimeError):
    pass


class Contender:
    """One server's session, kept open in its own task; the main task sends it jobs to run against it."""

    def __init__(self, name: str, tool: str, opener: Callable[[], AbstractAsyncContextManager[Session]]) -> None:
        self.name, self.tool, self._opener = name, tool, opener
        self.pid: int | None = None
        self.failure: str | None = None
        self._jobs_tx, self._jobs_rx = anyio.create_memory_object_stream[tuple[Job, MemoryObjectSendStream[Any]]]()
        self._done = anyio.Event()

    async def serve(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        started = False
        try:
            async with self._opener() as session, self._jobs_rx:
                self.pid = session.pid
                call = measure.tool_call(session.client, self.tool)
                task_status.started()
                started = True
                async for job, reply in self._jobs_rx:
                    with reply:
                        try:
                            with anyio.fail_after(JOB_TIMEOUT):
                                result = await job(call)
                        except Exception as exc:
                            await reply.send(("err", exc))
                        else:
                            await reply.send(("ok", result))
        except Exception as exc:  # the session failed to open, or its transport's task group crashed
            self.failure = reason(exc)
        finally:
            self._done.set()
            if not started:
                task_status.started()

    async def do(self, job: Job) -> Any:
        if self.failure:
            raise ContenderDown(self.failure)
        reply_tx, reply_rx = anyio.create_memory_object_stream[tuple[str, Any]](1)
        try:
            await self._jobs_tx.send((job, reply_tx))
            with reply_rx:
                kind, value = await reply_rx.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
            await self._done.wait()  # the session died mid-job: wait for its reason
            raise ContenderDown(self.failure or "n/a: the session ended") from None
        if kind == "err":
            raise value
        return value

    async def close(self) -> None:
        await self._jobs_tx.aclose()


def _http(cmd: list[str], env: dict[str, str], log: Any, ready: str, url: str, cwd: Any) -> Callable[[], Any]:
    @asynccontextmanager
    async def opener() -> AsyncIterator[Session]:
        async with http_server(cmd, env, log, ready, cwd) as pid, measure.http_session(url, pid) as session:
            yield session

    return opener


def contenders(env: Env) -> tuple[dict[str, Contender], dict[str, str]]:
    """Ours over stdio and HTTP, and the peer's the same where it is installed (else the reason)."""
    port = procs.free_port()
    base = f"http://127.0.0.1:{port}"
    ours_http = _http(
        procs.ours_cmd(http_port=port),
        procs.ours_env(env.upstream),
        env.logs / "ours.log",
        base + "/health",
        base + "/mcp",
        procs.REPO,
    )
    out = {
        "ours_stdio": Contender("ours_stdio", "list_users", lambda: ours_stdio(env)),
        "ours_http": Contender("ours_http", "list_users", ours_http),
    }
    if not env.peer_python:
        return out, {"peer_stdio": env.peer_reason, "peer_http": env.peer_reason}
    port = procs.free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    cmd, penv = procs.peer_cmd(env.peer_python, http_port=port), procs.peer_env(env.upstream)
    peer_http = _http(cmd, penv, env.logs / "peer.log", url, url, procs.RESULTS)
    out["peer_stdio"] = Contender("peer_stdio", "list_members", lambda: peer_stdio(env))
    out["peer_http"] = Contender("peer_http", "list_members", peer_http)
    return out, {}


def sequential_job(n: int, pid: int | None) -> Job:
    async def job(call: Call) -> dict[str, float]:
        return await measure.timed(measure.sequential_figures(call, n), pid, n)

    return job


def concurrent_job(total: int, width: int, pid: int | None) -> Job:
    async def job(call: Call) -> dict[str, float]:
        return await measure.timed(measure.concurrent(call, total, width), pid, total)

    return job


async def load_phase(env: Env, cfg: Config) -> dict[str, Any]:
    out: dict[str, Any] = {"latency": {}, "concurrency": {}, "rss": {}}
    running, down = contenders(env)
    everyone = list(running.values())

    def retire(name: str, why: str) -> None:
        if name.startswith("ours"):
            raise RuntimeError(f"{name}: {why}")
        running.pop(name, None)
        out["latency"][name] = out["concurrency"][name] = why

    async with measure.floor_client(env.upstream) as http, anyio.create_task_group() as tg:
        for name, why in down.items():
            retire(name, why)
        for name, c in list(running.items()):
            await tg.start(c.serve)
            if c.failure:
                retire(name, c.failure)
        floor = measure.floor_call(http)

        async def run(name: str, job: Job) -> Any:
            if name == "floor":
                return await job(floor)
            try:
                return await running[name].do(job)
            except Exception as exc:
                retire(name, reason(exc) if not isinstance(exc, ContenderDown) else str(exc))
                return None

        def pid(name: str) -> int | None:
            return running[name].pid if name in running else None

        try:
            for name in ["floor", *running]:
                await run(name, lambda call: measure.sequential(call, cfg.warmup))
            out["rss"] = {name: {"warm": procs.rss_mib(c.pid)} for name, c in running.items()}
            for _ in range(cfg.rounds):  # interleaved, so drift on a busy machine hits every contender alike
                for name in ["floor", *running]:
                    figures = await run(name, sequential_job(cfg.n, pid(name)))
                    if figures is not None:
                        out["latency"].setdefault(name, []).append(figures)
            for name in ("ours_stdio", "peer_stdio"):
                if name in running:
                    out["rss"][name]["after"] = procs.rss_mib(pid(name))
            total, width = cfg.concurrent_total, cfg.concurrency
            for _ in range(cfg.rounds):
                for name in [n for n in ("ours_http", "peer_http") if n in running]:
                    figures = await run(name, concurrent_job(total, width, pid(name)))
                    if figures is not None:
                        out["concurrency"].setdefault(name, []).append(figures)
            for name in ("ours_http", "peer_http"):
                if name in running:
                    out["rss"][name]["after"] = procs.rss_mib(pid(name))
        finally:
            for c in everyone:
                await c.close()
    return out
