"""Sessions per client over HTTP: refusal as JSON-RPC, counted in Redis across instances (issue 25 item 1)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import anyio
import httpx
import pytest

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.web.http_app import http_app
from tests.listener_support import INITIALIZE, MCP_HEADERS, TOKEN, serving, settings
from tests.redis_support import redis_server

pytestmark = pytest.mark.anyio
AUTH = {**MCP_HEADERS, "authorization": f"Bearer {TOKEN}"}
PING = {"jsonrpc": "2.0", "id": 7, "method": "ping"}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def on(opened: httpx.Response) -> dict[str, str]:
    return {**AUTH, "mcp-session-id": opened.headers["mcp-session-id"], "mcp-protocol-version": "2025-11-25"}


async def test_when_every_session_is_busy_the_refusal_is_a_json_rpc_error_with_the_limit_and_retry_after() -> None:
    conf = settings(max_sessions_per_client=1)
    with serving(http_app(build_server(conf, sandbox=Sandbox()), conf), conf) as url:
        async with httpx.AsyncClient(timeout=10) as http:
            first = await http.post(f"{url}/mcp", json=INITIALIZE, headers=AUTH)
            await http.post(f"{url}/mcp", json=INITIALIZED, headers=on(first))
            stream_headers = {**on(first), "accept": "text/event-stream"}
            async with http.stream("GET", f"{url}/mcp", headers=stream_headers) as stream:  # keeps it busy
                assert stream.status_code == 200
                refused = await http.post(f"{url}/mcp", json={**INITIALIZE, "id": "open-2"}, headers=AUTH)
            await anyio.sleep(0.1)
            after = await http.post(f"{url}/mcp", json=INITIALIZE, headers=AUTH)  # the stream ended: idle now
    assert refused.status_code == 429 and refused.headers["content-type"] == "application/json"
    assert int(refused.headers["retry-after"]) > 0
    error = refused.json()
    assert error["jsonrpc"] == "2.0" and error["id"] == "open-2"  # the client can match it to its request
    assert error["error"]["data"] == {"limit": "max_sessions_per_client", "max": 1, "retry_after": 5}
    assert "--max-sessions-per-client" in error["error"]["message"] and "DELETE" in error["error"]["message"]
    assert after.status_code == 200


async def test_two_instances_sharing_redis_count_one_limit_and_a_delete_on_either_ends_the_session(
    tmp_path: Path,
) -> None:
    with redis_server(tmp_path) as redis_url, contextlib.ExitStack() as stack:
        conf = settings(max_sessions_per_client=2, state_url=Secret(redis_url))
        a, b = (stack.enter_context(serving(http_app(build_server(conf, sandbox=Sandbox()), conf), conf)) for _ in "ab")
        async with httpx.AsyncClient(timeout=10) as http:
            s1 = await http.post(f"{a}/mcp", json=INITIALIZE, headers=AUTH)
            s2 = await http.post(f"{b}/mcp", json=INITIALIZE, headers=AUTH)
            wrong_instance = await http.delete(f"{b}/mcp", headers=on(s1))  # s1 lives on a; b does not know it
            s1_after_delete = await http.post(f"{a}/mcp", json=PING, headers=on(s1))
            s3 = await http.post(f"{a}/mcp", json=INITIALIZE, headers=AUTH)  # the slot s1 held
            s4 = await http.post(f"{a}/mcp", json=INITIALIZE, headers=AUTH)  # beyond 2: ends s2, which lives on b
            s2_after = await http.post(f"{b}/mcp", json=PING, headers=on(s2))
            s3_after = await http.post(f"{a}/mcp", json=PING, headers=on(s3))
    assert [r.status_code for r in (s1, s2, s3, s4)] == [200, 200, 200, 200]
    assert wrong_instance.status_code == 404  # the SDK on b never had it, yet the session is ended everywhere
    assert s1_after_delete.status_code == 404
    assert s2_after.status_code == 404 and s2_after.json()["error"]["message"] == "Session not found"
    assert s3_after.status_code == 200
