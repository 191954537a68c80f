"""Two server processes behind HAProxy with sign-in: both protocols, a confirmation answered on the other
worker, a dry run, and a load of 2,000 calls. This is the README's "Team deployment", run for real."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import ElicitResult

from tests.e2e.test_team_readme import AUDIENCE as README_AUDIENCE
from tests.e2e.test_team_readme import worker_args, worker_lines
from tests.listener_support import serving, settings
from tests.oauth_issuer import AUDIENCE, Issuer
from tests.procs import http_server
from tests.proxy_support import haproxy

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
WORKSPACES = {
    "auto": "wrkspc_01UbbYrEqmSM9wCZ7Uw9xfog",
    "legacy": "wrkspc_01h6yYTWmE4lBYOvfZ8UzDzV",
}  # Staging, Research
PROD = "wrkspc_016bWHtP3fS2qHx6kwXoIIXG"


@dataclass
class Team:
    proxy: str
    issuer: Issuer
    served_by: list[tuple[dict[str, str], str]] = field(default_factory=list)  # (request headers, worker)


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    tmp = tmp_path_factory.mktemp("team")
    issuer = Issuer()
    state_key = secrets.token_hex(32)
    with contextlib.ExitStack() as stack:
        issuer.url = stack.enter_context(serving(issuer.app(), settings()))
        workers = []
        for line in worker_lines():  # the README's own command lines, with this test's IdP and ports
            args = worker_args(line.replace("https://idp.example.com", issuer.url).replace(README_AUDIENCE, AUDIENCE))
            del args[args.index("--port") : args.index("--port") + 2]  # http_server picks a free port
            args += ["--sandbox", "--state-key", state_key]  # the README exports the key; no real keys here
            workers.append(stack.enter_context(http_server(args, tmp)))
        proxy = stack.enter_context(haproxy([w.base.removeprefix("http://") for w in workers], tmp))
        yield Team(proxy=proxy, issuer=issuer)


def client(team: Team, token: str, mode: str, **kwargs: Any) -> tuple[Any, Client]:
    async def record(response: Any) -> None:
        team.served_by.append((dict(response.request.headers), response.headers.get("x-served-by", "")))

    hc = httpx2.AsyncClient(headers={"authorization": f"Bearer {token}"}, event_hooks={"response": [record]})
    return hc, Client(streamable_http_client(f"{team.proxy}/mcp", http_client=hc), mode=mode, **kwargs)  # type: ignore[arg-type]


def test_sign_in_starts_from_the_proxy(team: Team) -> None:
    denied = httpx.post(f"{team.proxy}/mcp", json={}, headers={"content-type": "application/json"})
    metadata = httpx.get(f"{team.proxy}/.well-known/oauth-protected-resource/mcp")
    assert denied.status_code == 401 and "resource_metadata=" in denied.headers["www-authenticate"]
    assert metadata.json()["authorization_servers"] == [team.issuer.url]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_both_protocols_through_the_proxy_with_a_confirmation_and_a_dry_run(team: Team, mode: str) -> None:
    token = team.issuer.token("user-bob", "claude-api:admin", email="bob@example.com")
    asked: list[str] = []

    async def confirm(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    team.served_by.clear()
    hc, mcp = client(team, token, mode, elicitation_callback=confirm)
    async with hc, mcp:
        tools = {t.name for t in (await mcp.list_tools()).tools}
        got = await mcp.call_tool("get_workspace", {"workspace_id": PROD})
        dry = await mcp.call_tool("archive_workspace", {"workspace_id": WORKSPACES[mode], "dry_run": True})
        done = await mcp.call_tool("archive_workspace", {"workspace_id": WORKSPACES[mode]})
    assert "archive_workspace" in tools and not got.is_error
    assert not dry.is_error and (dry.structured_content or {}).get("dry_run") is not None
    assert not done.is_error, done.content
    assert (done.structured_content or {}).get("archived_at")
    assert len(asked) == 1  # the dry run asked nobody; the real one asked once
    workers = {w for _, w in team.served_by}
    if mode == "auto":  # sessionless: the confirmation's two legs went to different workers
        legs = [w for h, w in team.served_by if h.get("mcp-name") == "archive_workspace"]
        assert len(legs) == 3 and legs[1] != legs[2], legs
        assert workers == {"w1", "w2"}
    else:  # one session, pinned to the worker that issued it
        pinned = {w for h, w in team.served_by if "mcp-session-id" in h}
        assert len(pinned) == 1, team.served_by


async def test_a_reader_signed_in_through_the_proxy_cannot_reach_admin_tools(team: Team) -> None:
    hc, mcp = client(team, team.issuer.token("user-ada", "claude-api:read"), "auto")
    async with hc, mcp:
        tools = {t.name for t in (await mcp.list_tools()).tools}
        refused = await mcp.call_tool("archive_workspace", {"workspace_id": PROD})
    assert "get_workspace" in tools and "archive_workspace" not in tools
    assert refused.is_error


@pytest.mark.slow
async def test_two_thousand_calls_at_concurrency_64_through_the_proxy_all_succeed(team: Team) -> None:
    token = team.issuer.token("user-load", "claude-api:read", expires_in=3600)
    outcomes: list[bool] = []
    calls = 2000
    concurrency = 64

    async def worker(n: int) -> None:
        hc = httpx2.AsyncClient(headers={"authorization": f"Bearer {token}"}, timeout=60)
        async with hc, Client(streamable_http_client(f"{team.proxy}/mcp", http_client=hc), mode="auto") as mcp:  # type: ignore[arg-type]
            for _ in range(n):
                result = await mcp.call_tool("get_workspace", {"workspace_id": PROD})
                outcomes.append(not result.is_error)

    async with anyio.create_task_group() as tg:
        for i in range(concurrency):
            tg.start_soon(worker, calls // concurrency + (1 if i < calls % concurrency else 0))
    assert len(outcomes) == calls and all(outcomes)
