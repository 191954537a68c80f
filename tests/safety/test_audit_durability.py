"""The audit log survives what stops real servers: kill -9 and SIGTERM mid-write, on stdio and HTTP.

The upstream here is a real HTTP server that hangs on the write, so the server is stopped while the request
is provably in flight (the upstream has received it). Every such request must have a line on disk.
Also: arguments that fail validation are logged, and no argument can split a record for a line reader.
"""

from __future__ import annotations

import contextlib
import json
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from starlette.types import ASGIApp, Receive, Scope, Send

from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok
from tests.procs import REPO, clean_env, free_port, server_command, stop
from tests.tools.test_cancellation import upstream

pytestmark = pytest.mark.anyio
KEYS = {"ANTHROPIC_ADMIN_KEY": "sk-ant-admin01-audit-durability", "ANTHROPIC_API_KEY": "sk-ant-api03-audit-durability"}
HANG_S = 60.0
GRACE_S = 3.0


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


class HangingWrites:
    """Sandbox middleware: POST /v1/organizations/workspaces is received (recorded) and never answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.received = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/v1/organizations/workspaces":
            self.received.set()
            with anyio.move_on_after(HANG_S):
                while (await receive())["type"] != "http.disconnect":
                    pass
            return
        await self.app(scope, receive, send)


@contextmanager
def hanging_upstream() -> Iterator[tuple[str, HangingWrites]]:
    hang = HangingWrites(Sandbox().app)
    with upstream(hang) as url:
        yield url, hang


class StdioServer:
    """``python -m claude_api_mcp`` on stdio with keys, spoken to by hand (its pid is what the test signals)."""

    def __init__(self, args: list[str]) -> None:
        self.proc = subprocess.Popen(
            server_command(args, lifetime=120),
            cwd=REPO,
            env=clean_env(KEYS),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.out: queue.Queue[bytes] = queue.Queue()
        self._reader = threading.Thread(target=lambda: [self.out.put(x) for x in self.proc.stdout or []], daemon=True)
        self._reader.start()

    def close(self) -> None:
        stop(self.proc)
        self._reader.join(10)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n")
        self.proc.stdin.flush()

    def initialize(self) -> None:
        info = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}
        self.send({"id": 1, "method": "initialize", "params": info})
        assert json.loads(self.out.get(timeout=30))["id"] == 1
        self.send({"method": "notifications/initialized"})


def _start_write(url: str, log: Path, hang: HangingWrites) -> StdioServer:
    server = StdioServer(["--profile", "admin", "--base-url", url, "--audit-log", str(log)])
    server.initialize()
    server.send({"id": 2, "method": "tools/call", "params": {"name": "create_workspace", "arguments": {"name": "Mid"}}})
    assert hang.received.wait(30), "the write never reached the upstream"
    return server


@pytest.mark.slow
def test_kill_9_after_a_write_left_the_machine_leaves_its_line_on_disk(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    with hanging_upstream() as (url, hang):
        server = _start_write(url, log, hang)
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(timeout=10)
        server.close()
    (line,) = lines(log)
    assert line["outcome"] == "sending" and line["tool"] == "create_workspace"
    assert (line["method"], line["path"]) == ("POST", "/v1/organizations/workspaces")
    assert line["arguments"]["name"] == "Mid"


@pytest.mark.slow
def test_sigterm_on_stdio_records_the_in_flight_write_as_interrupted(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    with hanging_upstream() as (url, hang):
        server = _start_write(url, log, hang)
        server.proc.send_signal(signal.SIGTERM)
        code = server.proc.wait(timeout=10)
        server.close()
    ahead, interrupted = lines(log)
    assert ahead["outcome"] == "sending" and interrupted["outcome"] == "interrupted"
    assert ahead["call"] == interrupted["call"]
    assert (interrupted["method"], interrupted["path"]) == ("POST", "/v1/organizations/workspaces")
    assert "SIGTERM" in interrupted["error"]
    assert code == -signal.SIGTERM  # it still ends the way SIGTERM ends a process


@pytest.mark.slow
async def test_sigterm_on_http_records_method_and_path_of_the_interrupted_write(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    port = free_port()
    args = ["--transport", "http", "--port", str(port), "--profile", "admin", "--audit-log", str(log)]
    with hanging_upstream() as (url, hang):
        stderr = (tmp_path / "stderr").open("wb")
        proc = spawn(server_command([*args, "--base-url", url]), stderr)
        try:
            async with anyio.create_task_group() as tg:

                async def call() -> None:
                    with anyio.move_on_after(40), contextlib.suppress(Exception):  # the server goes away mid-call
                        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                            await client.call_tool("create_workspace", {"name": "Mid"})

                await _wait_for_health(port)
                tg.start_soon(call)
                await anyio.to_thread.run_sync(hang.received.wait, 30)
                proc.send_signal(signal.SIGTERM)
                try:
                    await anyio.to_thread.run_sync(proc.wait, GRACE_S)
                except subprocess.TimeoutExpired:
                    # uvicorn's graceful shutdown waits for the hung call (server/web/http_app.py sets no bound);
                    # a second signal is its documented forced exit, which cancels in-flight calls.
                    proc.send_signal(signal.SIGINT)
                    await anyio.to_thread.run_sync(proc.wait, 30)
                tg.cancel_scope.cancel()
        finally:
            stop(proc)
            stderr.close()
    outcomes = [(x["outcome"], x["method"], x["path"]) for x in lines(log)]
    assert outcomes == [
        ("sending", "POST", "/v1/organizations/workspaces"),
        ("interrupted", "POST", "/v1/organizations/workspaces"),
    ], (tmp_path / "stderr").read_text()


def spawn(cmd: list[str], log: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=REPO, env=clean_env(KEYS), stdout=log, stderr=log)


async def _wait_for_health(port: int) -> None:
    import httpx

    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await anyio.sleep(0.1)
    pytest.fail("the HTTP server did not start")


async def test_arguments_that_fail_validation_are_logged_and_nothing_is_sent(
    connect: Connect, sandbox: Sandbox, tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    async with connect(audit_log=log) as client:
        await call_error(client, "create_invite", {"email": "not-an-email", "role": "user"})
        await call_error(client, "delete_file", {"file_id": "../../v1/organizations/users"})
        await call_error(client, "create_workspace", {})
    got = [(x["tool"], x["outcome"]) for x in lines(log)]
    assert got == [("create_invite", "invalid"), ("delete_file", "invalid"), ("create_workspace", "invalid")]
    invite, file, workspace = lines(log)
    assert invite["arguments"] == {"email": "not-an-email", "role": "user"} and "email" in invite["error"]
    assert "file_id" in file["error"] and "name" in workspace["error"] and workspace["method"] is None
    assert not [r for r in sandbox.requests if r.method != "GET"]


async def test_line_separators_in_arguments_cannot_split_a_record(connect: Connect, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    name = "a\u2028b\u2029c\u0085d\x1ce\x0bf\rg\nh"
    async with connect(audit_log=log) as client:
        await call_ok(client, "create_workspace", {"name": "ok", "tags": {"note": name}, "dry_run": True})
    raw = log.read_bytes().decode()
    assert len(raw.splitlines()) == 1  # Python's own line splitting, which breaks on all of those
    assert not any(c in raw for c in "\u2028\u2029\u0085") and "\\u2028" in raw
    assert json.loads(raw)["arguments"]["tags"]["note"] == name  # escaped, not lost
