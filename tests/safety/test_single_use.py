"""A confirmation allows one call: a replayed answer is refused here, and on every instance sharing the store.

The attack (2026-07-28 protocol): the person accepts once; the client (or anyone holding the retry) sends
the same retry, ``requestState`` and answer included, again and again. Before, each replay within the
sealed state's ten minutes was a new billed ``send_message``, on any instance sharing ``--state-key``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from claude_api_mcp.core.config import ConfirmPolicy
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.web.http_app import http_app, servers_by_profile
from tests.listener_support import TOKEN, serving, settings

pytestmark = pytest.mark.anyio
STATE_KEY = "single-use-test-state-key-0123456789abcdef"
META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
    "io.modelcontextprotocol/clientCapabilities": {"elicitation": {"form": {}}},
}
ARGS = {"model": "claude-haiku-4-5", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}
PARAMS: dict[str, Any] = {"name": "send_message", "arguments": ARGS, "_meta": META}
HEADERS = {
    "accept": "application/json, text/event-stream",
    "content-type": "application/json",
    "authorization": f"Bearer {TOKEN}",
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": "tools/call",
    "mcp-name": "send_message",
}


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real redis-server on a free loopback port, for this test only."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed: run .ci/run (it installs it) or apt-get install -y redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def _instance(sandbox: Sandbox, **more: Any) -> Any:
    conf = settings(confirm=ConfirmPolicy.WRITES, state_keys=(Secret(STATE_KEY),), **more)
    return serving(http_app(servers_by_profile(conf, sandbox=sandbox), conf), conf)


async def _call(http: httpx.AsyncClient, url: str, params: dict[str, Any], n: int) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": params}
    answer: dict[str, Any] = (await http.post(f"{url}/mcp", json=body, headers=HEADERS)).json()
    return answer


async def _accepted_retry(http: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """The person's one accept: the retry a client sends after the question."""
    asked = (await _call(http, url, PARAMS, 1))["result"]
    assert asked["resultType"] == "input_required"
    answer = {key: {"action": "accept", "content": {"confirm": True}} for key in asked["inputRequests"]}
    return {**PARAMS, "inputResponses": answer, "requestState": asked["requestState"]}


def _billed(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.method == "POST" and r.path == "/v1/messages")


async def test_a_replayed_confirmation_is_refused_in_one_process() -> None:
    sandbox = Sandbox()
    with _instance(sandbox) as url:
        async with httpx.AsyncClient(timeout=30) as http:
            retry = await _accepted_retry(http, url)
            first = await _call(http, url, retry, 2)
            replays = [await _call(http, url, retry, 3 + i) for i in range(4)]
    assert first["result"]["isError"] is False
    assert _billed(sandbox) == 1  # five sends of the retry, one billed call
    for replay in replays:
        assert replay["result"]["isError"] is True
        assert "already used" in replay["result"]["content"][0]["text"]
        assert "Nothing was sent" in replay["result"]["content"][0]["text"]


async def test_a_replay_on_another_instance_is_refused_when_they_share_the_store(redis_url: str) -> None:
    sandbox = Sandbox()
    shared = {"state_url": Secret(redis_url)}
    with _instance(sandbox, **shared) as a, _instance(sandbox, **shared) as b:
        async with httpx.AsyncClient(timeout=30) as http:
            retry = await _accepted_retry(http, a)
            first = await _call(http, a, retry, 2)
            on_b = await _call(http, b, retry, 3)
    assert first["result"]["isError"] is False
    assert on_b["result"]["isError"] is True and "already used" in on_b["result"]["content"][0]["text"]
    assert _billed(sandbox) == 1


async def test_without_a_shared_store_the_protection_is_per_instance() -> None:
    """The limit the startup log states: the same replay succeeds on an instance with its own store."""
    sandbox = Sandbox()
    with _instance(sandbox) as a, _instance(sandbox) as b:
        async with httpx.AsyncClient(timeout=30) as http:
            retry = await _accepted_retry(http, a)
            await _call(http, a, retry, 2)
            on_b = await _call(http, b, retry, 3)
    assert on_b["result"]["isError"] is False and _billed(sandbox) == 2
