"""OAuth resource-server mode against a local issuer: token validation, metadata, per-scope tools, audit, metrics."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import ElicitResult

from claude_api_mcp.core.config import Profile
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.transport import Fault
from claude_api_mcp.web.http_app import http_app, servers_by_profile
from claude_api_mcp.web.oauth import AuthFailure, JWKSCache, JWTVerifier
from tests.listener_support import serving, settings
from tests.oauth_issuer import AUDIENCE, Issuer, new_key

pytestmark = pytest.mark.anyio
PROD = "wrkspc_016bWHtP3fS2qHx6kwXoIIXG"  # the sandbox's seeded "Prod" workspace


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    iss = Issuer()
    with serving(iss.app(), settings()) as url:
        iss.url = url
        yield iss


def verifier(iss: Issuer, client: httpx.AsyncClient, min_refresh: float = 0.0) -> JWTVerifier:
    return JWTVerifier(iss.url, AUDIENCE, Profile.ADMIN, JWKSCache(client, iss.url, None, min_refresh=min_refresh))


async def test_a_good_token_names_the_person_and_its_scope_picks_the_profile(issuer: Issuer) -> None:
    async with httpx.AsyncClient() as client:
        check = verifier(issuer, client)
        reader = await check.verify(issuer.token())
        admin = await check.verify(issuer.token("user-bob", "openid claude-api:admin", email=None))
    assert (reader.subject, reader.email, reader.client_id, reader.profile) == (
        "user-ada",
        "ada@example.com",
        "claude-desktop",
        "read-only",
    )
    assert (admin.subject, admin.email, admin.profile) == ("user-bob", None, "admin")


async def test_admin_scope_never_goes_beyond_the_servers_profile(issuer: Issuer) -> None:
    async with httpx.AsyncClient() as client:
        capped = JWTVerifier(
            issuer.url, AUDIENCE, Profile.READ_ONLY, JWKSCache(client, issuer.url, None, min_refresh=0)
        )
        caller = await capped.verify(issuer.token(scope="claude-api:admin"))
    assert caller.profile == "read-only"


@pytest.mark.parametrize(
    ("mint", "reason"),
    [
        (lambda i: i.token(issuer="https://other-idp.example"), "another issuer"),
        (lambda i: i.token(audience="https://some-other-api.example"), "another resource"),
        (lambda i: i.token(key=(i.keys[0][0], new_key()[1])), "signature"),  # right kid, wrong private key
        (lambda i: i.token(expires_in=-120), "expired"),
        (lambda i: i.token(scope="openid profile"), "needs the scope"),
        (lambda i: i.token(kid="no-such-kid"), "key the issuer does not publish"),
        (lambda i: "not.a.jwt", "not a JWT"),
    ],
)
async def test_bad_tokens_are_refused_with_the_reason(issuer: Issuer, mint: Any, reason: str) -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(AuthFailure, match=reason):
            await verifier(issuer, client).verify(mint(issuer))


@pytest.mark.parametrize("configured", ["{url}/", "{url}"])
async def test_the_issuer_is_compared_exactly_as_configured_with_or_without_its_trailing_slash(
    issuer: Issuer, configured: str
) -> None:
    from claude_api_mcp.cli.flags import parser
    from claude_api_mcp.cli.main import settings_from

    exact = configured.format(url=issuer.url)
    other = exact.removesuffix("/") if exact.endswith("/") else exact + "/"
    settled = settings_from(parser().parse_args(["--oauth-issuer", exact, "--transport", "http"]), {})
    assert settled.oauth_issuer == exact  # not normalised: an Auth0-style issuer keeps its slash
    async with httpx.AsyncClient() as client:
        check = JWTVerifier(exact, AUDIENCE, Profile.ADMIN, JWKSCache(client, exact, None, min_refresh=0))
        caller = await check.verify(issuer.token(issuer=exact))
        with pytest.raises(AuthFailure, match="another issuer"):
            await check.verify(issuer.token(issuer=other))
    assert caller.subject is not None


async def test_an_hmac_token_signed_with_the_public_key_is_refused(issuer: Issuer) -> None:
    import jwt

    public_pem = issuer.jwks()["keys"][0]["n"]
    forged = jwt.encode(
        {"iss": issuer.url, "aud": AUDIENCE, "sub": "x", "exp": 2**31, "scope": "claude-api:admin"},
        public_pem,
        algorithm="HS256",
        headers={"kid": issuer.keys[0][0]},
    )
    async with httpx.AsyncClient() as client:
        with pytest.raises(AuthFailure, match="algorithm"):
            await verifier(issuer, client).verify(forged)


async def test_rotated_keys_are_fetched_on_an_unknown_kid_and_retired_keys_stop_working(issuer: Issuer) -> None:
    async with httpx.AsyncClient() as client:
        check = verifier(issuer, client)
        old_token = issuer.token()
        assert (await check.verify(old_token)).subject == "user-ada"
        issuer.rotate()  # the old key is gone from the JWKS
        new_token = issuer.token()
        assert (await check.verify(new_token)).subject == "user-ada"
        assert issuer.jwks_fetches == 2
        with pytest.raises(AuthFailure, match="key the issuer does not publish"):
            await check.verify(old_token)


async def test_made_up_kids_do_not_make_the_server_hammer_the_issuer(issuer: Issuer) -> None:
    async with httpx.AsyncClient() as client:
        check = verifier(issuer, client, min_refresh=30)
        await check.verify(issuer.token())
        for i in range(50):
            with pytest.raises(AuthFailure):
                await check.verify(issuer.token(kid=f"made-up-{i}"))
    assert issuer.jwks_fetches == 1


# --- over HTTP -----------------------------------------------------------------------------------------


def oauth_settings(iss: Issuer, tmp_path: Path, **overrides: Any) -> Any:
    return settings(
        http_token=None, oauth_issuer=iss.url, oauth_audience=AUDIENCE, audit_log=tmp_path / "audit.jsonl", **overrides
    )


async def test_without_a_token_the_answer_points_to_the_metadata_which_names_the_issuer(
    issuer: Issuer, tmp_path: Path
) -> None:
    conf = oauth_settings(issuer, tmp_path)
    with serving(http_app(servers_by_profile(conf, sandbox=Sandbox()), conf), conf) as url:
        async with httpx.AsyncClient() as http:
            denied = await http.post(f"{url}/mcp", json={}, headers={"content-type": "application/json"})
            expired = await http.post(
                f"{url}/mcp",
                json={},
                headers={"content-type": "application/json", "authorization": f"Bearer {issuer.token(expires_in=-99)}"},
            )
            no_scope = await http.post(
                f"{url}/mcp",
                json={},
                headers={"content-type": "application/json", "authorization": f"Bearer {issuer.token(scope='openid')}"},
            )
            metadata = await http.get(f"{url}/.well-known/oauth-protected-resource/mcp")
    assert no_scope.status_code == 403 and 'error="insufficient_scope"' in no_scope.headers["www-authenticate"]
    hint = denied.headers["www-authenticate"]
    assert denied.status_code == 401
    assert hint == 'Bearer resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/mcp"'
    assert expired.status_code == 401 and 'error="invalid_token"' in expired.headers["www-authenticate"]
    assert metadata.status_code == 200
    assert metadata.json() == {
        "resource": AUDIENCE,
        "authorization_servers": [issuer.url],
        "scopes_supported": ["claude-api:read", "claude-api:admin"],
        "bearer_methods_supported": ["header"],
        "resource_name": "Claude API (claude-api-mcp)",
    }


def client_for(url: str, token: str, mode: str = "auto", **kwargs: Any) -> Any:
    hc = httpx2.AsyncClient(headers={"authorization": f"Bearer {token}"})
    return hc, Client(streamable_http_client(f"{url}/mcp", http_client=hc), mode=mode, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_each_person_sees_and_calls_only_their_scopes_tools_and_the_audit_names_them(
    issuer: Issuer, tmp_path: Path, mode: str
) -> None:
    conf = oauth_settings(issuer, tmp_path)
    sandbox = Sandbox()
    asked: list[str] = []

    async def confirm(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    reader_token = issuer.token("user-ada", "claude-api:read", email="ada@example.com", client="desktop")
    admin_token = issuer.token("user-bob", "claude-api:admin", email="bob@example.com", client="cli")
    with serving(http_app(servers_by_profile(conf, sandbox=sandbox), conf), conf) as url:
        hc, reader = client_for(url, reader_token, mode)
        async with hc, reader:
            reader_tools = {t.name for t in (await reader.list_tools()).tools}
            listed = await reader.call_tool("list_workspaces", {})
            refused = await reader.call_tool("archive_workspace", {"workspace_id": PROD})
        hc, admin = client_for(url, admin_token, mode, elicitation_callback=confirm)
        async with hc, admin:
            admin_tools = {t.name for t in (await admin.list_tools()).tools}
            archived = await admin.call_tool("archive_workspace", {"workspace_id": PROD})
    assert "list_workspaces" in reader_tools and not reader_tools & {
        "archive_workspace",
        "create_invite",
        "remove_user",
    }
    assert {"archive_workspace", "create_invite", "remove_user"} <= admin_tools
    assert not listed.is_error
    said = refused.content[0].text  # type: ignore[union-attr]
    assert (
        refused.is_error and "not enabled" in said and "claude-api:admin scope" in said and "Nothing was sent" in said
    )
    assert [r.method for r in sandbox.requests if r.method != "GET"] == ["POST"]  # only bob's archive
    assert not archived.is_error and len(asked) == 1 and "Prod" in asked[0]
    lines = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    done = [x for x in lines if x["tool"] == "archive_workspace" and x["outcome"] == "succeeded"]
    assert len(done) == 1
    assert (done[0]["subject"], done[0]["email"], done[0]["client"]) == ("user-bob", "bob@example.com", "cli")
    assert re.fullmatch(r"[0-9a-f]{16}", done[0]["request"])


async def test_metrics_count_the_calls_made_and_need_the_admin_scope(issuer: Issuer, tmp_path: Path) -> None:
    conf = oauth_settings(issuer, tmp_path)
    admin_token = issuer.token("user-bob", "claude-api:admin")
    sandbox = Sandbox()
    with serving(http_app(servers_by_profile(conf, sandbox=sandbox), conf), conf) as url:
        async with httpx.AsyncClient() as http:
            before = await http.get(f"{url}/metrics", headers={"authorization": f"Bearer {admin_token}"})
        hc, admin = client_for(url, admin_token)
        async with hc, admin:
            for _ in range(3):
                await admin.call_tool("get_workspace", {"workspace_id": PROD})
            missing = await admin.call_tool("get_workspace", {"workspace_id": "wrkspc_nope"})
            sandbox.inject(Fault("status", "GET /v1/organizations/me", status=429, headers={"retry-after-ms": "50"}))
            retried = await admin.call_tool("get_organization", {})

        async def decline(context: Any, params: Any) -> ElicitResult:
            return ElicitResult(action="decline")

        hc, careful = client_for(url, admin_token, elicitation_callback=decline)
        async with hc, careful:
            declined = await careful.call_tool("archive_workspace", {"workspace_id": PROD})
        async with httpx.AsyncClient() as http:
            after = await http.get(f"{url}/metrics", headers={"authorization": f"Bearer {admin_token}"})
            as_reader = await http.get(f"{url}/metrics", headers={"authorization": f"Bearer {issuer.token()}"})
            anonymous = await http.get(f"{url}/metrics")
    assert missing.is_error and not retried.is_error and declined.is_error

    def value(text: str, name: str, labels: str) -> float:
        found = re.search(rf"^{name}\{{{labels}\}} (\S+)$", text, re.M)
        return float(found.group(1)) if found else 0.0

    calls = 'tool="get_workspace"'
    assert (
        value(after.text, "claude_api_mcp_tool_calls_total", calls)
        - value(before.text, "claude_api_mcp_tool_calls_total", calls)
        == 4
    )
    assert (
        value(after.text, "claude_api_mcp_tool_errors_total", calls)
        - value(before.text, "claude_api_mcp_tool_errors_total", calls)
        == 1
    )
    assert (
        value(after.text, "claude_api_mcp_tool_seconds_count", calls)
        - value(before.text, "claude_api_mcp_tool_seconds_count", calls)
        == 4
    )
    not_found = 'method="GET",status="404"'
    assert value(after.text, "claude_api_mcp_upstream_responses_total", not_found) >= 1
    retries = "claude_api_mcp_upstream_retries_total"
    assert re.search(rf"^{retries} (\S+)$", after.text, re.M) is not None
    assert (
        float(re.findall(rf"^{retries} (\S+)$", after.text, re.M)[0])
        - float((re.findall(rf"^{retries} (\S+)$", before.text, re.M) or ["0"])[0])
        == 1
    )
    assert value(after.text, "claude_api_mcp_upstream_responses_total", 'method="GET",status="429"') >= 1
    for outcome in ("asked", "declined"):
        label = f'outcome="{outcome}"'
        assert (
            value(after.text, "claude_api_mcp_confirmations_total", label)
            - value(before.text, "claude_api_mcp_confirmations_total", label)
            == 1
        )
    assert as_reader.status_code == 403 and anonymous.status_code == 401
    assert "sk-ant" not in after.text


async def test_a_confirmation_can_be_answered_only_by_the_person_who_was_asked(issuer: Issuer, tmp_path: Path) -> None:
    conf = oauth_settings(issuer, tmp_path)
    sandbox = Sandbox()
    bob = issuer.token("user-bob", "claude-api:admin", client="cli")
    eve = issuer.token("user-eve", "claude-api:admin", client="cli")  # another admin, same client app
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {"form": {}}},
    }
    params: dict[str, Any] = {"name": "archive_workspace", "arguments": {"workspace_id": PROD}, "_meta": meta}

    def headers(token: str) -> dict[str, str]:
        return {
            "accept": "application/json, text/event-stream",
            "content-type": "application/json",
            "authorization": f"Bearer {token}",
            "mcp-protocol-version": "2026-07-28",
            "mcp-method": "tools/call",
            "mcp-name": "archive_workspace",
        }

    with serving(http_app(servers_by_profile(conf, sandbox=sandbox), conf), conf) as url:
        async with httpx.AsyncClient() as http:
            leg1 = await http.post(
                f"{url}/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params},
                headers=headers(bob),
            )
            asked = leg1.json()["result"]
            answer = {key: {"action": "accept", "content": {"confirm": True}} for key in asked["inputRequests"]}
            retry = {**params, "inputResponses": answer, "requestState": asked["requestState"]}
            body = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": retry}
            by_eve = await http.post(f"{url}/mcp", json=body, headers=headers(eve))
            archived_after_eve = [r for r in sandbox.requests if r.method == "POST"]
            by_bob = await http.post(f"{url}/mcp", json=body, headers=headers(bob))
    assert asked["resultType"] == "input_required"
    assert by_eve.json()["error"]["data"]["reason"] == "invalid_request_state"  # sealed to bob
    assert archived_after_eve == []  # eve's answer to bob's question sent nothing
    assert by_bob.json()["result"]["isError"] is False
    assert [r.method for r in sandbox.requests if r.method == "POST"] == ["POST"]


async def test_an_explicit_jwks_url_is_used_without_discovery(issuer: Issuer) -> None:
    async with httpx.AsyncClient() as client:
        jwks = JWKSCache(client, "https://idp-without-metadata.example", f"{issuer.url}/jwks", min_refresh=0)
        check = JWTVerifier(issuer.url, AUDIENCE, Profile.ADMIN, jwks)
        caller = await check.verify(issuer.token())
    assert caller.subject == "user-ada" and issuer.jwks_fetches == 1


async def test_sessions_are_limited_per_person_not_per_shared_address(issuer: Issuer, tmp_path: Path) -> None:
    conf = oauth_settings(issuer, tmp_path, max_sessions_per_client=2)
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
    }
    base = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
    with serving(http_app(servers_by_profile(conf, sandbox=Sandbox()), conf), conf) as url:
        async with httpx.AsyncClient() as http:  # both people behind one address (one proxy, one NAT)
            opened: dict[str, list[str]] = {}
            for person in ("user-ada", "user-bob", "user-ada"):
                headers = {**base, "authorization": f"Bearer {issuer.token(person)}"}
                response = await http.post(f"{url}/mcp", json=initialize, headers=headers)
                opened.setdefault(person, []).append(response.headers["mcp-session-id"])
            headers = {**base, "authorization": f"Bearer {issuer.token('user-ada')}"}
            await http.post(f"{url}/mcp", json=initialize, headers=headers)  # Ada's third: ends her oldest
            ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
            alive = {}
            for person, sids in opened.items():
                for sid in sids:
                    answer = await http.post(
                        f"{url}/mcp",
                        json=ping,
                        headers={**base, "authorization": f"Bearer {issuer.token(person)}", "mcp-session-id": sid},
                    )
                    alive[(person, sid)] = answer.status_code == 200
    assert alive[("user-bob", opened["user-bob"][0])]  # Bob's session is his own: Ada's openings never touch it
    assert [alive[("user-ada", s)] for s in opened["user-ada"]] == [False, True]
