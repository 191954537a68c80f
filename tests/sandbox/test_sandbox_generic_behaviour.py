"""The generic simulator behaves like the API: state that persists, pages that add up, the API's refusals.

Every call goes through ``AnthropicAPI`` over the sandbox transport, as the generic tools' calls will.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import pytest

from claude_api_mcp.client.catalog import load_catalog
from claude_api_mcp.client.http import AnthropicAPI, make_client
from claude_api_mcp.core.config import KeyKind, Settings
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import SANDBOX_ADMIN_KEY, SANDBOX_API_KEY, Sandbox
from claude_api_mcp.sandbox.generic_shapes import Shape, shape_of
from claude_api_mcp.sandbox.generic_state import properties_of
from claude_api_mcp.sandbox.synth import MISSING, Synth

pytestmark = pytest.mark.anyio
ADMIN, API = KeyKind.ADMIN, KeyKind.API
AGENTS_BETA = {"anthropic-beta": "managed-agents-2026-04-01"}
GROUPS = "/v1/organizations/rbac_groups"
HAND_SERVED_REPORTS = {
    "organization.usage_report.messages",
    "organization.cost_report",
    "organization.usage_report.claude_code",
}


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[AnthropicAPI]:
    settings = Settings(
        sandbox=True, admin_key=Secret(SANDBOX_ADMIN_KEY), api_key=Secret(SANDBOX_API_KEY), max_retries=0
    )
    async with make_client(settings, sandbox.transport()) as client:
        yield AnthropicAPI(client, settings)


async def refused(call: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await call
    return caught.value


async def test_a_created_group_is_retrieved_as_created_and_an_update_merges(api: AnthropicAPI) -> None:
    made = await api.request("POST", GROUPS, key=ADMIN, json_body={"name": "Finance EU"})
    assert made["id"].startswith("rbac_group_") and made["name"] == "Finance EU"
    assert await api.request("GET", f"{GROUPS}/{made['id']}", key=ADMIN) == made
    updated = await api.request("POST", f"{GROUPS}/{made['id']}", key=ADMIN, json_body={"name": "Finance"})
    assert updated["name"] == "Finance"
    assert {k: v for k, v in updated.items() if k not in ("name", "updated_at")} == {
        k: v for k, v in made.items() if k not in ("name", "updated_at")
    }
    listed = await api.request("GET", GROUPS, key=ADMIN, params={"limit": 100})
    assert updated in listed["data"]


async def test_an_agent_update_merges_metadata_key_by_key(api: AnthropicAPI) -> None:
    body = {"name": "Triage", "model": "claude-sonnet-5-5", "metadata": {"team": "support", "tier": "1"}}
    agent = await api.request("POST", "/v1/agents", key=API, json_body=body, headers=AGENTS_BETA)
    assert agent["id"].startswith("agent_") and agent["metadata"] == {"team": "support", "tier": "1"}
    change = {"version": agent["version"], "metadata": {"tier": None, "owner": "avery"}}
    updated = await api.request("POST", f"/v1/agents/{agent['id']}", key=API, json_body=change, headers=AGENTS_BETA)
    assert updated["metadata"] == {"team": "support", "owner": "avery"} and updated["name"] == "Triage"
    assert (agent["model"]["id"], agent["version"], updated["version"]) == ("claude-sonnet-5-5", 1, 2)
    change = {"version": 2, "model": "claude-haiku-5-5"}  # a model named by id comes back as the model object
    again = await api.request("POST", f"/v1/agents/{agent['id']}", key=API, json_body=change, headers=AGENTS_BETA)
    assert again["model"]["id"] == "claude-haiku-5-5" and again["metadata"] == updated["metadata"]


async def test_delete_answers_the_deleted_shape_then_the_id_is_gone(api: AnthropicAPI) -> None:
    made = await api.request("POST", GROUPS, key=ADMIN, json_body={"name": "Temp"})
    gone = await api.request("DELETE", f"{GROUPS}/{made['id']}", key=ADMIN)
    assert gone == {"id": made["id"], "type": "rbac_group_deleted"}
    err = await refused(api.request("GET", f"{GROUPS}/{made['id']}", key=ADMIN))
    assert (err.status, err.type) == (404, "not_found_error") and made["id"] in err.message
    assert err.request_id and err.request_id.startswith("req_")


async def test_archive_stamps_archived_at_and_archived_items_leave_the_default_list(api: AnthropicAPI) -> None:
    path = "/v1/organizations/service_accounts"
    made = await api.request("POST", path, key=ADMIN, json_body={"name": "nightly-export"})
    assert made["id"].startswith("svac_") and made["archived_at"] is None
    archived = await api.request("POST", f"{path}/{made['id']}/archive", key=ADMIN)
    assert archived["archived_at"] is not None and archived["id"] == made["id"]
    listed = await api.request("GET", path, key=ADMIN, params={"limit": 100})
    assert made["id"] not in {s["id"] for s in listed["data"]}
    everything = await api.request("GET", path, key=ADMIN, params={"limit": 100, "include_archived": True})
    assert made["id"] in {s["id"] for s in everything["data"]}


async def test_group_members_are_the_organizations_users_and_adding_one_shows_in_the_list(
    api: AnthropicAPI, sandbox: Sandbox
) -> None:
    groups = (await api.request("GET", GROUPS, key=ADMIN))["data"]
    assert {g["name"] for g in groups} >= {"Engineering", "Finance", "Support"}
    finance = next(g for g in groups if g["name"] == "Finance")
    members = (await api.request("GET", f"{GROUPS}/{finance['id']}/members", key=ADMIN))["data"]
    users = {u["id"]: u["email"] for u in sandbox.org.users.values()}
    assert members and all(users[m["user_id"]] == m["email"] for m in members)
    avery = next(uid for uid, email in users.items() if email.startswith("avery.chen@"))
    hers = [
        g["name"]
        for g in groups
        if avery in {m["user_id"] for m in (await api.request("GET", f"{GROUPS}/{g['id']}/members", key=ADMIN))["data"]}
    ]
    assert hers == ["Engineering"]  # the seed tells a story: "which groups is Avery in, and add her to Finance"
    added = await api.request("POST", f"{GROUPS}/{finance['id']}/members", key=ADMIN, json_body={"user_id": avery})
    assert (added["user_id"], added["rbac_group_id"]) == (avery, finance["id"])
    after = (await api.request("GET", f"{GROUPS}/{finance['id']}/members", key=ADMIN, params={"limit": 100}))["data"]
    assert avery in {m["user_id"] for m in after}
    removed = await api.request("DELETE", f"{GROUPS}/{finance['id']}/members/{avery}", key=ADMIN)
    assert removed["type"] == "rbac_group_member_deleted"
    err = await refused(api.request("GET", f"{GROUPS}/rbac_group_01nope/members", key=ADMIN))
    assert err.status == 404


async def test_a_service_accounts_workspaces_are_the_workspaces_service_accounts(
    api: AnthropicAPI, sandbox: Sandbox
) -> None:
    path = "/v1/organizations/service_accounts"
    account = (await api.request("GET", path, key=ADMIN))["data"][0]
    listed = (await api.request("GET", f"{path}/{account['id']}/workspaces", key=ADMIN))["data"]
    assert listed and {w["workspace_id"] for w in listed} <= set(sandbox.org.workspaces)
    research = next(w["id"] for w in sandbox.org.workspaces.values() if w["name"] == "Research")
    workspace_side = f"/v1/organizations/workspaces/{research}/service_accounts"
    body = {"service_account_id": account["id"], "workspace_role": "workspace_developer"}
    await api.request("POST", workspace_side, key=ADMIN, json_body=body)
    mine = (await api.request("GET", f"{path}/{account['id']}/workspaces", key=ADMIN, params={"limit": 100}))["data"]
    assert research in {w["workspace_id"] for w in mine}  # added from one side, seen from the other
    await api.request("DELETE", f"{path}/{account['id']}/workspaces/{research}", key=ADMIN)
    left = (await api.request("GET", workspace_side, key=ADMIN, params={"limit": 100}))["data"]
    assert account["id"] not in {m["service_account_id"] for m in left}


async def test_token_pages_cover_the_collection_once_in_order(api: AnthropicAPI) -> None:
    for name in ("Ops", "Legal", "Sales"):
        await api.request("POST", GROUPS, key=ADMIN, json_body={"name": name})
    everything = (await api.request("GET", GROUPS, key=ADMIN, params={"limit": 1000}))["data"]
    seen: list[str] = []
    page: str | None = None
    while True:
        answer = await api.request("GET", GROUPS, key=ADMIN, params={"limit": 2, "page": page})
        assert set(answer) == {"data", "next_page"} and len(answer["data"]) <= 2
        seen += [g["id"] for g in answer["data"]]
        page = answer["next_page"]
        if page is None:
            break
    assert seen == [g["id"] for g in everything] and len(seen) == 6


async def test_cursor_and_bidirectional_pages(api: AnthropicAPI) -> None:
    beta = {"anthropic-beta": "webhooks-2026-10-07"}
    path = "/v1/organizations/webhooks"
    first = await api.request("GET", path, key=ADMIN, params={"limit": 2}, headers=beta)
    assert first["has_more"] is True and first["last_id"] == first["data"][-1]["id"]
    rest = await api.request("GET", path, key=ADMIN, params={"limit": 2, "after_id": first["last_id"]}, headers=beta)
    assert rest["has_more"] is False and {w["id"] for w in rest["data"]}.isdisjoint(w["id"] for w in first["data"])
    back = await api.request("GET", path, key=ADMIN, params={"before_id": rest["first_id"]}, headers=beta)
    assert [w["id"] for w in back["data"]] == [w["id"] for w in first["data"]]
    sessions = await api.request("GET", "/v1/sessions", key=API, params={"limit": 2}, headers=AGENTS_BETA)
    assert sessions["prev_page"] is None and sessions["next_page"]
    later = await api.request(
        "GET", "/v1/sessions", key=API, params={"limit": 2, "page": sessions["next_page"]}, headers=AGENTS_BETA
    )
    assert later["prev_page"] and later["data"][0]["id"] not in {s["id"] for s in sessions["data"]}


async def test_the_wrong_key_kind_is_refused(api: AnthropicAPI) -> None:
    err = await refused(api.request("GET", GROUPS, key=API))
    assert (err.status, err.type) == (403, "permission_error")
    err = await refused(api.request("GET", "/v1/agents", key=ADMIN, headers=AGENTS_BETA))
    assert (err.status, err.type) == (401, "authentication_error")


async def test_a_missing_beta_header_is_refused_like_the_api(api: AnthropicAPI, sandbox: Sandbox) -> None:
    err = await refused(api.request("GET", "/v1/agents", key=API))
    assert (err.status, err.type) == (400, "invalid_request_error") and "managed-agents-2026-04-01" in err.message
    other = await refused(api.request("GET", "/v1/agents", key=API, headers={"anthropic-beta": "files-api-2025-04-14"}))
    assert other.status == 400
    both = {"anthropic-beta": "files-api-2025-04-14, managed-agents-2026-04-01"}
    assert (await api.request("GET", "/v1/agents", key=API, headers=both))["data"]


async def test_missing_unknown_and_mistyped_body_fields_are_refused_before_anything_changes(
    api: AnthropicAPI, sandbox: Sandbox
) -> None:
    before = len((await api.request("GET", GROUPS, key=ADMIN, params={"limit": 1000}))["data"])
    err = await refused(api.request("POST", GROUPS, key=ADMIN, json_body={"description": "no name"}))
    assert (err.status, err.type) == (400, "invalid_request_error") and "name: Field required" in err.message
    err = await refused(api.request("POST", GROUPS, key=ADMIN, json_body={"name": "X", "colour": "red"}))
    assert err.status == 400 and "colour" in err.message
    err = await refused(api.request("POST", GROUPS, key=ADMIN, json_body={"name": 42}))
    assert err.status == 400 and "name: Input should be string" in err.message
    research = next(w["id"] for w in sandbox.org.workspaces.values() if w["name"] == "Research")
    body = {"service_account_id": "svac_01x", "workspace_role": "owner"}
    path = f"/v1/organizations/workspaces/{research}/service_accounts"
    err = await refused(api.request("POST", path, key=ADMIN, json_body=body))
    assert err.status == 400 and "workspace_role: Input should be one of" in err.message
    assert len((await api.request("GET", GROUPS, key=ADMIN, params={"limit": 1000}))["data"]) == before


async def test_unknown_paths_get_the_apis_404(api: AnthropicAPI) -> None:
    err = await refused(api.request("GET", "/v1/organizations/nothing_here", key=ADMIN))
    assert (err.status, err.type) == (404, "not_found_error")
    err = await refused(api.request("PATCH", GROUPS, key=ADMIN, json_body={}))
    assert err.status == 404


async def test_seed_data_is_deterministic_and_independent_of_request_order() -> None:
    async def ids(order: list[str]) -> dict[str, list[str]]:
        box = Sandbox()
        settings = Settings(sandbox=True, admin_key=Secret(SANDBOX_ADMIN_KEY), max_retries=0)
        async with make_client(settings, box.transport()) as client:
            api = AnthropicAPI(client, settings)
            return {p: [i["id"] for i in (await api.request("GET", p, key=ADMIN))["data"]] for p in order}

    paths = [GROUPS, "/v1/organizations/service_accounts", "/v1/organizations/external_keys"]
    assert await ids(paths) == await ids(list(reversed(paths)))


async def test_session_events_stream_as_server_sent_events(api: AnthropicAPI) -> None:
    session = (await api.request("GET", "/v1/sessions", key=API, headers=AGENTS_BETA))["data"][0]
    path = f"/v1/sessions/{session['id']}/events/stream"
    async with api.stream("GET", path, key=API, headers=AGENTS_BETA) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = (await response.aread()).decode()
    events = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    assert len(events) >= 2 and all(e["type"] for e in events)


def test_every_sdk_operation_has_a_full_shape_and_it_builds() -> None:
    """shapes.json (not the catalog's depth-cut fields) describes every SDK operation, and Synth builds from it."""
    synth = Synth(lambda prefix: prefix + "01abc", lambda: datetime.now(timezone.utc))
    for op in load_catalog().operations:
        shape = shape_of(op.id)
        if op.id in HAND_SERVED_REPORTS:
            assert shape == Shape("object", {}), op.id  # the SDK has no type for them
            continue
        assert shape.kind == op.response_kind, op.id
        if shape.kind in ("binary", "empty"):
            continue
        built = synth.build(shape.schema, MISSING, noun=op.path.rsplit("/", 1)[-1])
        if shape.kind == "object":
            assert isinstance(built, dict) and set(properties_of(shape.schema)) <= set(built), op.id


async def test_a_hostile_body_is_refused_not_a_crash(sandbox: Sandbox) -> None:
    settings = Settings(sandbox=True, admin_key=Secret(SANDBOX_ADMIN_KEY), max_retries=0)
    async with make_client(settings, sandbox.transport()) as client:
        headers = {"x-api-key": SANDBOX_ADMIN_KEY, "content-type": "application/json"}
        deep = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        response = await client.post(GROUPS, content=deep, headers=headers)
        assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_request_error"
        response = await client.post(GROUPS, content=b"[1, 2]", headers=headers)
        assert response.status_code == 400
