"""Load: 5,000 tool calls at concurrency 64 over streamable HTTP against the sandbox, on loopback.

The server runs as a real subprocess (``python -m claude_api_mcp --transport http --sandbox``) so its memory can be
read from /proc. Zero failures, and its RSS after the run within 20 MB of where it was after warm-up.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.paths import REPO

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CALLS, CONCURRENCY, WARMUP = 5_000, 64, 3_000  # warm-up: until the allocator reaches its steady state
RSS_GROWTH_LIMIT_KB = 20 * 1024
TOKEN = "load-test-token-0123456789abcdef"
MIX: list[tuple[str, dict[str, Any]]] = [
    ("get_organization", {}),
    ("list_users", {"limit": 5}),
    ("list_workspaces", {}),
    ("list_api_keys", {"status": "active"}),
    ("create_workspace", {"name": "Load test", "dry_run": True}),
    ("count_tokens", {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}]}),
    ("list_models", {"limit": 3}),
    ("send_message", {"model": "claude-sonnet-4-5", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}),
]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[tuple[str, int]]:
    if not Path("/proc/self/status").exists():
        pytest.skip("RSS is read from /proc: run this test on Linux (the CI runs it there)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The sandbox keeps the last 10,000 requests for tests to inspect: a bounded log that would fill during the
    # run and read as growth. Keeping 200 leaves the measurement to the server itself.
    boot = (
        "import sys, server.sandbox.core as core; core.Sandbox.__init__.__kwdefaults__['record_limit'] = 200; "
        "from claude_api_mcp.cli.main import main; sys.exit(main(sys.argv[1:]))"
    )
    cmd = [sys.executable, "-c", boot, "--transport", "http", "--sandbox", "--profile", "admin"]
    cmd += ["--port", str(port), "--audit-log", str(tmp_path / "audit.jsonl"), "--log-level", "WARNING"]
    env = {**os.environ, "CLAUDE_API_MCP_HTTP_TOKEN": TOKEN}
    root = REPO
    log = tmp_path / "server.log"  # a file, not a pipe: nobody has to keep reading it for the server to run
    with log.open("wb") as stderr:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


async def run_calls(url: str, total: int) -> list[str]:
    """``total`` calls from CONCURRENCY workers sharing one client; returns the failures."""
    failures: list[str] = []
    jobs = itertools.islice(itertools.cycle(MIX), total)
    limits = httpx2.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with (
        httpx2.AsyncClient(headers={"authorization": f"Bearer {TOKEN}"}, limits=limits, timeout=60) as http,
        Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client,
    ):  # type: ignore[arg-type]

        async def worker() -> None:
            for name, args in jobs:  # the shared iterator hands each job to exactly one worker
                try:
                    result = await client.call_tool(name, args)
                except Exception as exc:  # a protocol or transport failure counts, it does not stop the run
                    failures.append(f"{name}: {type(exc).__name__}: {exc}")
                    continue
                if result.is_error:
                    failures.append(f"{name}: {result.content}")

        async with anyio.create_task_group() as tg:
            for _ in range(CONCURRENCY):
                tg.start_soon(worker)
    return failures


async def test_5000_calls_at_concurrency_64_with_no_failures_and_flat_memory(
    server_process: tuple[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    url, pid = server_process
    with anyio.fail_after(600):
        assert await run_calls(url, WARMUP) == []
        warm = rss_kb(pid)
        started = time.monotonic()
        failures = await run_calls(url, CALLS)
        elapsed = time.monotonic() - started
        after = rss_kb(pid)
    with capsys.disabled():
        print(
            f"\nload: {CALLS} calls, concurrency {CONCURRENCY}, {len(failures)} failures, {elapsed:.1f} s "
            f"({CALLS / elapsed:.0f} calls/s); server RSS after warm-up {warm / 1024:.1f} MB, "
            f"after the run {after / 1024:.1f} MB ({(after - warm) / 1024:+.1f} MB)"
        )
    assert failures == [], failures[:5]
    assert after - warm <= RSS_GROWTH_LIMIT_KB
