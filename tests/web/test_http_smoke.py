"""Streamable HTTP in a real subprocess on a free loopback port: the SDK client lists and calls tools."""

from __future__ import annotations

from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.helpers import call_ok
from tests.procs import http_server

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "smoke-test-token-0123456789abcdef"


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # the 2026-07-28 envelope and the initialize handshake
async def test_an_http_server_lists_and_calls_tools_with_the_bearer_token(tmp_path: Path, mode: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with http_server(["--sandbox", "--http-token", TOKEN], tmp_path) as server:
        async with (
            httpx2.AsyncClient(headers=auth) as http,
            Client(streamable_http_client(server.url, http_client=http), mode=mode) as client,
        ):
            names = {t.name for t in (await client.list_tools()).tools}
            org = await call_ok(client, "get_organization")
            keys = await call_ok(client, "list_api_keys", {"limit": 2})
        async with httpx.AsyncClient(timeout=5) as plain:
            refused = await plain.post(server.url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert {"get_organization", "list_api_keys"} <= names
    assert org["type"] == "organization" and len(keys["data"]) == 2
    assert refused.status_code == 401
    assert f"listening on {server.url}" in server.stderr()


async def test_an_http_server_on_loopback_runs_without_a_token(tmp_path: Path) -> None:
    with http_server(["--sandbox", "--profile", "admin", "--toolsets", "workspaces"], tmp_path) as server:
        async with Client(server.url) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            page = await call_ok(client, "list_workspaces")
        async with httpx.AsyncClient(timeout=5) as plain:
            health = await plain.get(f"{server.base}/health")
    assert names == {"list_workspaces", "get_workspace", "create_workspace", "update_workspace", "archive_workspace"}
    assert page["data"] and health.json()["status"] == "ok"
