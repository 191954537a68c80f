"""The stdio transport in a real subprocess: the SDK client, and the raw stream checked line by line."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from tests.helpers import call_ok
from tests.procs import REPO, clean_env, server_command, stop

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_a_stdio_subprocess_lists_and_calls_tools() -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "claude_api_mcp", "--sandbox"], env=clean_env(), cwd=str(REPO)
    )
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        org = await call_ok(client, "get_organization")
        users = await call_ok(client, "list_users", {"limit": 3})
    assert {"get_organization", "list_users"} <= names
    assert "update_user" not in names  # the default profile is read-only
    assert org["name"] and org["type"] == "organization"
    assert len(users["data"]) == 3 and users["has_more"] is True


async def test_environment_variables_configure_a_stdio_server() -> None:
    env = clean_env(
        {"CLAUDE_API_MCP_SANDBOX": "1", "CLAUDE_API_MCP_PROFILE": "admin", "CLAUDE_API_MCP_TOOLSETS": "users"}
    )
    params = StdioServerParameters(command=sys.executable, args=["-m", "claude_api_mcp"], env=env, cwd=str(REPO))
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert names == {"list_users", "get_user", "update_user", "remove_user"}


async def test_progress_notifications_arrive_over_stdio_during_a_long_report() -> None:
    seen: list[tuple[float, float | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total))

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "claude_api_mcp", "--sandbox"], env=clean_env(), cwd=str(REPO)
    )
    args = {"starting_at": "2026-06-01T00:00:00Z", "ending_at": "2026-09-01T00:00:00Z", "bucket_width": "1d"}
    async with Client(params) as client:
        result = await client.call_tool("get_usage", args, progress_callback=on_progress)
    assert not result.is_error
    assert len(seen) >= 2 and seen[-1][0] == seen[-1][1]  # several pages, the last one completes the total


class RawStdio:
    """The server as a subprocess spoken to by hand: one JSON-RPC message per line, every stdout line kept."""

    def __init__(self, args: list[str]) -> None:
        self.proc = subprocess.Popen(
            server_command(args, lifetime=120),
            cwd=REPO,
            env=clean_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.lines: list[bytes] = []
        self._queue: queue.Queue[bytes] = queue.Queue()
        self._stderr: list[bytes] = []
        self._threads = [
            threading.Thread(target=self._pump, daemon=True),
            threading.Thread(target=lambda: self._stderr.extend(self.proc.stderr or []), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            self._queue.put(line)

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n")
        self.proc.stdin.flush()

    def request(self, id_: int, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.send({"id": id_, "method": method, "params": params or {}})
        while True:
            try:
                line = self._queue.get(timeout=30)
            except queue.Empty:
                pytest.fail(f"no answer to {method} within 30 s; stderr:\n{self.stderr()}")
            message = json.loads(line)
            if message.get("id") == id_:
                return dict(message)

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()  # end of input: a stdio server exits
        try:
            return self.proc.wait(timeout=15)
        finally:
            stop(self.proc)
            for thread in self._threads:
                thread.join(timeout=10)
            for pipe in (self.proc.stdout, self.proc.stderr):
                if pipe is not None:
                    pipe.close()

    def stderr(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")


def test_nothing_but_protocol_messages_is_written_to_stdout() -> None:
    server = RawStdio(["--sandbox", "--profile", "admin", "--log-level", "DEBUG"])
    init = server.request(
        1,
        "initialize",
        {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    )
    server.send({"method": "notifications/initialized"})
    listed = server.request(2, "tools/list")
    called = server.request(3, "tools/call", {"name": "list_workspaces", "arguments": {"limit": 2}})
    failed = server.request(4, "tools/call", {"name": "get_user", "arguments": {"user_id": "user_01nobody"}})
    code = server.close()

    assert init["result"]["serverInfo"]["name"] == "claude-api-mcp"
    assert len(listed["result"]["tools"]) > 10
    assert called["result"]["isError"] is False and called["result"]["structuredContent"]["data"]
    assert failed["result"]["isError"] is True
    assert code == 0
    for line in server.lines:  # every line, including any written while shutting down
        message = json.loads(line)
        assert message["jsonrpc"] == "2.0" and ("id" in message or "method" in message), line
    assert "profile admin" in server.stderr()  # the logs went to stderr
