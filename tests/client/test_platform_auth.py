"""Issue 20 #5: each platform is an httpx.Auth (signing) plus a transport wrapper (answers read like Anthropic's).

The Auth runs on every attempt, so a retry carries a fresh signature or token; the transport wrapper adapts
only the calls a platform rewrote (an Admin API call on the same client passes untouched), and it wraps the
proxy transports httpx builds from the environment too.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from claude_api_mcp.client.http import AnthropicAPI, make_client
from claude_api_mcp.client.platforms.auth import PlatformAuth
from claude_api_mcp.client.platforms.transport import PlatformTransport
from claude_api_mcp.client.platforms.vertex import Vertex
from claude_api_mcp.core.config import KeyKind, Settings
from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName
from claude_api_mcp.core.secret import Secret

pytestmark = pytest.mark.anyio

VERTEX = PlatformConfig(PlatformName.VERTEX, region="us-east5", project="p")
COUNT = {"model": "claude-sonnet-4-5@20250929", "messages": [{"role": "user", "content": "hi"}]}


class Minting:
    """google.auth credentials that are expired at every use, so each signing mints a new token."""

    def __init__(self) -> None:
        self.minted, self.token, self.valid = 0, None, False

    def refresh(self, request: Any) -> None:
        self.minted += 1
        self.token = f"ya29.token-number-{self.minted}"  # valid stays False: the next attempt refreshes again


async def no_sleep(seconds: float) -> None:
    return None


async def test_every_attempt_is_signed_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    import google.auth

    credentials = Minting()
    monkeypatch.setattr(google.auth, "default", lambda scopes=None: (credentials, "p"))
    seen: list[str] = []

    def overloaded_once(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        if len(seen) == 1:
            return httpx.Response(529, json={"type": "error", "error": {"type": "overloaded_error", "message": "x"}})
        return httpx.Response(200, json={"input_tokens": 3})

    settings = Settings(platform=VERTEX)
    platform = Vertex(VERTEX)
    assert isinstance(platform.auth, PlatformAuth) and isinstance(platform.auth, httpx.Auth)
    async with make_client(settings, httpx.MockTransport(overloaded_once)) as client:
        api = AnthropicAPI(client, settings, platform=platform, sleep=no_sleep)
        counted = await api.request("POST", "/v1/messages/count_tokens", key=KeyKind.API, json_body=COUNT)
    assert counted == {"input_tokens": 3}
    assert seen == ["Bearer ya29.token-number-1", "Bearer ya29.token-number-2"]  # the retry was signed again


async def test_only_the_platforms_own_calls_are_adapted() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"x-goog-request-id": "goog-1"}, json={"input_tokens": 1, "data": []})

    settings = Settings(platform=VERTEX, admin_key=Secret("sk-ant-admin01-" + "k" * 30))
    config = PlatformConfig(PlatformName.VERTEX, region="us-east5", project="p", token=Secret("t" * 20))
    seen: dict[str, httpx.Headers] = {}
    async with make_client(settings, httpx.MockTransport(answer)) as client:
        api = AnthropicAPI(client, settings, platform=Vertex(config))
        assert isinstance(client._transport, PlatformTransport)
        await api.request(
            "POST",
            "/v1/messages/count_tokens",
            key=KeyKind.API,
            json_body=COUNT,
            on_response=lambda r: seen.setdefault("platform", r.headers),
        )
        await api.request(
            "GET",
            "/v1/organizations/users",
            key=KeyKind.ADMIN,
            on_response=lambda r: seen.setdefault("admin", r.headers),
        )
    assert seen["platform"]["request-id"] == "goog-1"  # Vertex's request id, as Anthropic's header
    assert "request-id" not in seen["admin"]  # the Admin API's answer is Anthropic's own: not touched


async def test_proxy_transports_from_the_environment_are_wrapped_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    settings = Settings(platform=VERTEX)
    config = PlatformConfig(PlatformName.VERTEX, region="us-east5", project="p", token=Secret("t" * 20))
    async with make_client(settings) as client:
        assert client._mounts  # httpx made a proxy transport from the environment
        AnthropicAPI(client, settings, platform=Vertex(config))
        assert all(isinstance(t, PlatformTransport) for t in client._mounts.values() if t is not None)
        assert isinstance(client._transport, PlatformTransport)


def test_a_rewritten_call_carries_no_credential_until_its_auth_signs_it() -> None:
    config = PlatformConfig(PlatformName.VERTEX, region="us-east5", project="p", token=Secret("t" * 20))
    first = httpx.Request("POST", "https://api.anthropic.com/v1/messages/count_tokens", json=COUNT)
    rewritten = Vertex(config).rewrite_request(first, "/v1/messages/count_tokens")
    assert "authorization" not in rewritten.headers and json.loads(rewritten.content)["model"] == COUNT["model"]
