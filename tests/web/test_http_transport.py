"""The HTTP transport's protections, against a real uvicorn server on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import ElicitResult

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.cli.flags import parser
from claude_api_mcp.cli.main import settings_from
from claude_api_mcp.cli.serve import serve
from claude_api_mcp.core.config import Profile, Settings, Transport
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.web.http_app import bind_problem, http_app, is_loopback

pytestmark = pytest.mark.anyio

TOKEN = "test-token-0123456789abcdef"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
}
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


@contextmanager
def running(settings: Settings, sandbox: Sandbox | None = None) -> Iterator[str]:
    """Serve ``settings`` on a free loopback port in a thread; stop it (bounded) on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = http_app(build_server(settings, sandbox=sandbox or Sandbox()), settings)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", server_header=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        assert not thread.is_alive()


def settings(**overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "sandbox": True,
        "profile": Profile.ADMIN,
        "transport": Transport.HTTP,
        "http_token": Secret(TOKEN),
    }
    return Settings(**{**base, **overrides})


async def test_health_answers_without_a_token_and_says_nothing_else() -> None:
    with running(settings()) as url:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{url}/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "server" not in response.headers


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer", f"bearer {TOKEN[:-1]}"],
)
async def test_requests_without_the_right_token_get_401_and_no_information(authorization: str | None) -> None:
    headers = {**MCP_HEADERS, **({"authorization": authorization} if authorization else {})}
    with running(settings()) as url:
        async with httpx.AsyncClient() as http:
            post = await http.post(f"{url}/mcp", json=INITIALIZE, headers=headers)
            other = await http.get(f"{url}/anything", headers=headers)
    for response in (post, other):
        assert response.status_code == 401 and response.content == b""
        assert response.headers["www-authenticate"] == "Bearer" and "server" not in response.headers


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_client_with_the_token_can_use_the_tools_on_both_eras(mode: str) -> None:
    with running(settings()) as url:
        async with httpx2.AsyncClient(headers={"authorization": f"Bearer {TOKEN}"}) as hc:
            transport = streamable_http_client(f"{url}/mcp", http_client=hc)
            async with Client(transport, mode=mode) as client:  # type: ignore[arg-type]
                tools = await client.list_tools()
                users = await client.call_tool("list_users", {"limit": 2})
    assert "archive_workspace" in {t.name for t in tools.tools}
    assert not users.is_error and len((users.structured_content or {})["data"]) == 2


async def test_the_scheme_is_case_insensitive_but_the_token_is_exact() -> None:
    with running(settings()) as url:
        async with httpx.AsyncClient() as http:
            ok = await http.post(
                f"{url}/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "authorization": f"bearer {TOKEN}"}
            )
    assert ok.status_code == 200


async def test_dns_rebinding_is_refused_by_host_and_origin_with_an_allow_list_for_proxies() -> None:
    auth = {**MCP_HEADERS, "authorization": f"Bearer {TOKEN}"}
    with running(settings(allowed_hosts=("mcp.example.com",), allowed_origins=("https://app.example.com",))) as url:
        async with httpx.AsyncClient() as http:
            evil_host = await http.post(f"{url}/mcp", json=INITIALIZE, headers={**auth, "host": "evil.example"})
            evil_origin = await http.post(
                f"{url}/mcp", json=INITIALIZE, headers={**auth, "origin": "http://evil.example"}
            )
            proxied = await http.post(
                f"{url}/mcp",
                json=INITIALIZE,
                headers={**auth, "host": "mcp.example.com", "origin": "https://app.example.com"},
            )
    assert evil_host.status_code == 421 and evil_origin.status_code == 403
    assert proxied.status_code == 200


async def test_a_body_over_the_limit_is_refused_with_413() -> None:
    auth = {**MCP_HEADERS, "authorization": f"Bearer {TOKEN}"}
    big = {**INITIALIZE, "params": {**INITIALIZE["params"], "padding": "x" * 20_000}}
    with running(settings(max_request_body_size=10_000)) as url:
        async with httpx.AsyncClient() as http:
            too_big = await http.post(f"{url}/mcp", json=big, headers=auth)
            fine = await http.post(f"{url}/mcp", json=INITIALIZE, headers=auth)
    assert too_big.status_code == 413 and fine.status_code == 200


def test_binding_a_non_loopback_address_without_a_token_refuses_to_start(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve(settings(host="0.0.0.0", http_token=None)) == 2
    assert "refusing to serve HTTP on 0.0.0.0" in capsys.readouterr().err
    args = parser().parse_args(["--transport", "http", "--host", "192.168.1.20", "--sandbox", "--profile", "admin"])
    assert serve(settings_from(args, {})) == 2
    assert "--http-token" in capsys.readouterr().err
    assert bind_problem(settings(host="0.0.0.0")) is None  # with a token it may start
    assert bind_problem(settings(host="127.0.0.1", http_token=None)) is None


def test_loopback_addresses_are_recognized() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.5", "example.com", "localhost.evil.com"))


def test_the_body_limit_is_set_by_flag_or_environment_in_bytes_k_or_m() -> None:
    from claude_api_mcp.cli.main import ConfigError

    assert settings_from(parser().parse_args(["--max-request-body", "512K"]), {}).max_request_body_size == 512 * 1024
    env = {"CLAUDE_API_MCP_MAX_REQUEST_BODY": "2M"}
    assert settings_from(parser().parse_args([]), env).max_request_body_size == 2 * 1024 * 1024
    assert settings_from(parser().parse_args([]), {}).max_request_body_size == 32 * 1024 * 1024
    with pytest.raises(ConfigError, match="positive size"):
        settings_from(parser().parse_args(["--max-request-body", "lots"]), {})


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_person_is_asked_over_http_on_both_eras_and_a_decline_sends_nothing(mode: str) -> None:
    sandbox = Sandbox()
    prod = next(w["id"] for w in sandbox.org.workspaces.values() if w["name"] == "Prod")
    asked: list[str] = []

    async def decline(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="decline")

    with running(settings(), sandbox) as url:
        async with httpx2.AsyncClient(headers={"authorization": f"Bearer {TOKEN}"}) as hc:
            transport = streamable_http_client(f"{url}/mcp", http_client=hc)
            async with Client(transport, mode=mode, elicitation_callback=decline) as client:  # type: ignore[arg-type]
                result = await client.call_tool("archive_workspace", {"workspace_id": prod})
    assert result.is_error and "declined" in result.content[0].text  # type: ignore[union-attr]
    assert len(asked) == 1 and "'Prod'" in asked[0]
    assert [r for r in sandbox.requests if r.method != "GET"] == []


async def test_a_get_asking_to_resume_gets_a_fresh_stream_not_a_500() -> None:
    """No event store keeps past events: Last-Event-ID (which this server never hands out) cannot be
    honoured, and the SDK alone answers nothing at all (HTTP 500). A fresh stream is what resuming is."""
    auth = {**MCP_HEADERS, "authorization": f"Bearer {TOKEN}"}
    with running(settings()) as url:
        async with httpx.AsyncClient(timeout=10) as http:
            init = await http.post(f"{url}/mcp", json=INITIALIZE, headers=auth)
            session = {"mcp-session-id": init.headers["mcp-session-id"], "mcp-protocol-version": "2025-11-25"}
            initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
            assert (await http.post(f"{url}/mcp", json=initialized, headers={**auth, **session})).status_code == 202
            resume = {**auth, **session, "accept": "text/event-stream", "last-event-id": "0123-forged"}
            async with http.stream("GET", f"{url}/mcp", headers=resume) as stream:
                status, kind = stream.status_code, stream.headers["content-type"]
            unknown_session = {**resume, "mcp-session-id": "not-a-session"}
            async with http.stream("GET", f"{url}/mcp", headers=unknown_session) as stale:
                stale_status = stale.status_code
    assert (status, kind.split(";")[0]) == (200, "text/event-stream")
    assert stale_status == 404
