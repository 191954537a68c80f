"""Reports cannot be made to reach too far: bounded windows, a per-call request cap, and no work after the caller left.

Attacks: ``starting_at: 0001-01-01`` (once ~24,000 sequential upstream calls), an upstream whose pages never
end, and a client that cancels or disconnects mid-report while the server keeps fetching.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client, StdioServerParameters
from starlette.types import ASGIApp, Receive, Scope, Send

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok
from tests.procs import REPO, clean_env, free_port, server_command, stop
from tests.tools.test_cancellation import upstream

pytestmark = pytest.mark.anyio
KEYS = {"ANTHROPIC_ADMIN_KEY": "sk-ant-admin01-report-reach", "ANTHROPIC_API_KEY": "sk-ant-api03-report-reach"}
REPORTS = ("/v1/organizations/usage_report/messages", "/v1/organizations/cost_report")


def reports_sent(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.path.startswith("/v1/organizations/") and "report" in r.path)


def days_ago(n: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=n)).date().isoformat()


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("get_cost", {"starting_at": "0001-01-01"}),
        ("get_usage", {"starting_at": "0001-01-01", "bucket_width": "1d"}),
        ("get_usage", {"starting_at": "0001-01-01T00:00:00Z", "ending_at": "0001-01-02", "bucket_width": "1h"}),
        ("get_claude_code_usage", {"starting_at": "0001-01-01"}),
        ("get_cost", {"starting_at": days_ago(400), "ending_at": days_ago(390)}),
    ],
)
async def test_starts_before_what_the_api_keeps_are_refused_with_the_limit_and_nothing_is_sent(
    connect: Connect, sandbox: Sandbox, tool: str, args: dict[str, Any]
) -> None:
    async with connect() as client:
        text = await call_error(client, tool, args)
    assert "too far back" in text and "365 days" in text and "Nothing was sent" in text
    assert reports_sent(sandbox) == 0


async def test_a_start_inside_the_bound_still_works_in_a_handful_of_requests(
    connect: Connect, sandbox: Sandbox
) -> None:
    async with connect() as client:
        cost = await call_ok(client, "get_cost", {"starting_at": days_ago(360)})
    assert cost["requests"] == reports_sent(sandbox) <= 12


async def test_a_window_needing_more_requests_than_the_cap_is_refused_before_the_first(
    connect: Connect, sandbox: Sandbox
) -> None:
    async with connect(max_report_requests=3) as client:
        text = await call_error(client, "get_cost", {"starting_at": days_ago(200)})
        days = await call_error(
            client, "get_claude_code_usage", {"starting_at": days_ago(10), "ending_at": days_ago(2)}
        )
    assert "needs 7 requests" in text and "at most 3" in text and "--max-report-requests" in text
    assert "needs 8 requests" in days
    assert reports_sent(sandbox) == 0


async def test_pages_that_never_end_stop_at_the_request_cap() -> None:
    served: list[str] = []

    def endless(request: httpx.Request) -> httpx.Response:
        served.append(str(request.url))
        start = request.url.params["starting_at"]
        bucket = {"starting_at": start, "ending_at": start, "results": []}
        return httpx.Response(200, json={"data": [bucket], "has_more": True, "next_page": f"p{len(served)}"})

    settings = Settings(admin_key=Secret(KEYS["ANTHROPIC_ADMIN_KEY"]), profile=Profile.ADMIN, max_report_requests=5)
    async with Client(build_server(settings, transport=httpx.MockTransport(endless))) as client:
        text = await call_error(client, "get_cost", {"starting_at": days_ago(30)})
    assert "more than 5 requests" in text and len(served) == 5


class SlowReports:
    """Upstream middleware: every report request is counted and answered only after ``delay`` seconds."""

    def __init__(self, app: ASGIApp, delay: float = 0.3) -> None:
        self.app, self.delay = app, delay
        self.times: list[float] = []
        self.lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in REPORTS:
            with self.lock:
                self.times.append(time.monotonic())
            await anyio.sleep(self.delay)
        await self.app(scope, receive, send)

    def count(self) -> int:
        with self.lock:
            return len(self.times)


@contextmanager
def slow_upstream() -> Iterator[tuple[str, SlowReports]]:
    slow = SlowReports(Sandbox().app)
    with upstream(slow) as url:
        yield url, slow


LONG_REPORT = {"starting_at": days_ago(300), "bucket_width": "1h"}  # 43 requests, ~13 s at 0.3 s each


async def _after_leaving(slow: SlowReports, left_at: float) -> tuple[int, int]:
    """Requests started before the caller left, and after (allowing the one already in flight)."""
    await anyio.sleep(2.0)
    before = sum(1 for t in slow.times if t <= left_at)
    return before, slow.count() - before


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_cancelling_a_report_over_stdio_stops_its_upstream_requests(mode: str) -> None:
    with slow_upstream() as (url, slow):
        # Two requests in flight at a time: the report takes ~7 s, and at most two can be on the wire when
        # the cancellation arrives; nothing may start after it.
        args = ["-m", "claude_api_mcp", "--profile", "admin", "--base-url", url, "--report-concurrency", "2"]
        params = StdioServerParameters(command=sys.executable, args=args, env=clean_env(KEYS), cwd=str(REPO))
        async with Client(params, mode=mode) as client:
            with anyio.move_on_after(1.5) as scope:
                await client.call_tool("get_usage", LONG_REPORT)
            assert scope.cancelled_caught
            left_at = time.monotonic()
            before, after = await _after_leaving(slow, left_at)
            assert before >= 1 and after <= 2, (before, after)
            assert (await client.call_tool("get_organization", {})).is_error is False  # still serving


@pytest.mark.slow
async def test_a_client_that_disconnects_over_http_stops_the_report(tmp_path: Path) -> None:
    port = free_port()
    with slow_upstream() as (url, slow):
        log = (tmp_path / "stderr").open("wb")
        flags = ["--transport", "http", "--port", str(port), "--profile", "admin", "--base-url", url]
        cmd = server_command([*flags, "--report-concurrency", "2"])  # at most two on the wire when it leaves
        proc = spawn(cmd, log)
        try:
            await _healthy(port)
            meta = {  # a 2026-07-28 request carries its protocol version and capabilities itself
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"},
            }
            params = {"name": "get_usage", "arguments": LONG_REPORT, "_meta": meta}
            body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
            headers = {
                "accept": "application/json, text/event-stream",
                "mcp-protocol-version": "2026-07-28",
                "mcp-method": "tools/call",
                "mcp-name": "get_usage",
            }
            async with httpx.AsyncClient(timeout=30) as http:
                with anyio.move_on_after(1.5):  # then the connection is dropped mid-response
                    async with http.stream("POST", f"http://127.0.0.1:{port}/mcp", json=body, headers=headers) as r:
                        async for _ in r.aiter_bytes():
                            pass
            left_at = time.monotonic()  # the connection is closed: the client is gone
            before, after = await _after_leaving(slow, left_at)
        finally:
            stop(proc)
            log.close()
    assert before >= 1 and after <= 2, (before, after, json.dumps((tmp_path / "stderr").read_text()[-2000:]))


def spawn(cmd: list[str], log: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=REPO, env=clean_env(KEYS), stdout=log, stderr=log)


async def _healthy(port: int) -> None:
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


def test_the_request_cap_and_the_writes_policy_come_from_flags_or_the_environment() -> None:
    from claude_api_mcp.cli.flags import parser
    from claude_api_mcp.cli.main import ConfigError, settings_from
    from claude_api_mcp.core.config import ConfirmPolicy

    flag = settings_from(parser().parse_args(["--max-report-requests", "40", "--confirm", "writes"]), {})
    env = settings_from(
        parser().parse_args([]), {"CLAUDE_API_MCP_MAX_REPORT_REQUESTS": "7", "CLAUDE_API_MCP_CONFIRM": "writes"}
    )
    assert (flag.max_report_requests, flag.confirm) == (40, ConfirmPolicy.WRITES)
    assert (env.max_report_requests, env.confirm) == (7, ConfirmPolicy.WRITES)
    assert settings_from(parser().parse_args([]), {}).max_report_requests == 500
    for bad in ("0", "-3", "many"):
        with pytest.raises(ConfigError, match="--max-report-requests must be a positive whole number"):
            settings_from(parser().parse_args([]), {"CLAUDE_API_MCP_MAX_REPORT_REQUESTS": bad})
