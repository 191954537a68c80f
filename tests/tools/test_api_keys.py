"""api_keys toolset, end to end through the in-memory MCP client against the sandbox, plus both key shapes."""

from __future__ import annotations

from typing import Any

import pytest

from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.tools.api_keys import ApiKey
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio

# The Aug-2026 docs' shape (no scope; workspace_id, principal {id, type}).
DOCS_SHAPED = {
    "id": "apikey_01Rj2N8SVvo6BePZj99NhmiT",
    "type": "api_key",
    "name": "Developer Key",
    "created_at": "2024-10-30T23:58:27.427722Z",
    "created_by": {"id": "user_01WCz1FkmYMm4gnmykNKUu3Q", "type": "user"},
    "expires_at": None,
    "partial_key_hint": "sk-ant-api03-R2D...igAA",
    "principal": {"id": "user_01WCz1FkmYMm4gnmykNKUu3Q", "type": "user"},
    "status": "active",
    "workspace_id": None,
}


def _key(sandbox: Sandbox, name: str) -> dict[str, Any]:
    return next(k for k in sandbox.org.api_keys.values() if k["name"] == name)


def test_a_docs_shaped_key_parses_and_keeps_every_field_as_sent() -> None:
    key = ApiKey.model_validate(DOCS_SHAPED)
    dumped = key.model_dump(mode="json")
    assert dumped == DOCS_SHAPED  # workspace_id: null (Default workspace) kept; nothing added
    assert key.principal is not None and key.principal.model_extra == {"id": "user_01WCz1FkmYMm4gnmykNKUu3Q"}


def test_an_sdk_shaped_key_keeps_scope_and_principal_unchanged() -> None:
    raw = {
        **{k: v for k, v in DOCS_SHAPED.items() if k not in ("workspace_id", "principal")},
        "principal": {"type": "service_account_actor", "service_account_id": "svac_01abc"},
        "scope": {"type": "organization"},
        "a_future_field": 1,
    }
    assert ApiKey.model_validate(raw).model_dump(mode="json") == raw


async def test_list_api_keys_filters_are_sent_and_applied(connect: Connect, sandbox: Sandbox) -> None:
    prod = next(w["id"] for w in sandbox.org.workspaces.values() if w["name"] == "Prod")
    sam = next(u["id"] for u in sandbox.org.users.values() if u["email"].startswith("sam.rivera@"))
    args = {"status": "active", "workspace_id": prod, "created_by_user_id": sam}
    async with connect() as client:
        page = await call_ok(client, "list_api_keys", args)
    assert [k["name"] for k in page["data"]] == ["prod-backend"]
    assert page["data"][0]["scope"] == {"type": "workspace", "workspace_id": prod}
    assert "workspace_id" not in page["data"][0]  # the SDK shape has none; it is not invented as null
    assert sandbox.requests[-1].query == [
        ("status", "active"),
        ("workspace_id", prod),
        ("created_by_user_id", sam),
        ("limit", "20"),
    ]


async def test_list_api_keys_shows_a_principal_bound_key_as_sent(connect: Connect, sandbox: Sandbox) -> None:
    bound = _key(sandbox, "eval-harness")
    async with connect() as client:
        got = await call_ok(client, "get_api_key", {"api_key_id": bound["id"]})
    assert got["principal"] == {"type": "user_actor", "user_id": bound["created_by"]["id"]}


async def test_list_api_keys_pages_and_rejects_bad_filters_before_any_call(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        first = await call_ok(client, "list_api_keys", {"limit": 5})
        rest = await call_ok(client, "list_api_keys", {"limit": 1000, "after_id": first["last_id"]})
        count = len(sandbox.requests)
        bad_status = await call_error(client, "list_api_keys", {"status": "revoked"})
        bad_ws = await call_error(client, "list_api_keys", {"workspace_id": "Prod"})
        bad_limit = await call_error(client, "list_api_keys", {"limit": 1001})
    assert first["has_more"] is True and len(first["data"]) + len(rest["data"]) == len(sandbox.org.api_keys)
    assert "status" in bad_status and "workspace_id" in bad_ws and "limit" in bad_limit
    assert len(sandbox.requests) == count


async def test_get_api_key_unknown_id_names_list_api_keys(connect: Connect) -> None:
    async with connect() as client:
        text = await call_error(client, "get_api_key", {"api_key_id": "apikey_01doesnotexist"})
    assert "Not found" in text and "list_api_keys" in text and "request id: req_" in text


async def test_an_active_key_past_its_expiry_reads_as_expired(connect: Connect, sandbox: Sandbox) -> None:
    key = _key(sandbox, "prod-ci")
    key["expires_at"] = "2020-01-01T00:00:00.000Z"
    async with connect() as client:
        page = await call_ok(client, "list_api_keys", {"status": "expired", "limit": 1000})
    assert key["id"] in {k["id"] for k in page["data"]} and key["status"] == "expired"


@pytest.mark.parametrize(
    ("args", "needle"),
    [({}, "Nothing to change"), ({"status": "expired"}, "status"), ({"name": "   "}, "name")],
)
async def test_update_api_key_rejects_bad_input_before_any_call(
    connect: Connect, sandbox: Sandbox, args: dict[str, Any], needle: str
) -> None:
    async with connect() as client:
        text = await call_error(client, "update_api_key", {"api_key_id": _key(sandbox, "prod-worker")["id"], **args})
    assert needle in text and len(sandbox.requests) == 0


async def test_update_api_key_renames_and_deactivates(connect: Connect, sandbox: Sandbox) -> None:
    key = _key(sandbox, "prod-worker")
    async with connect() as client:
        plan = await call_ok(client, "update_api_key", {"api_key_id": key["id"], "status": "inactive", "dry_run": True})
        assert plan["status"] == "active" and plan["dry_run"]["body"] == {"status": "inactive"}
        assert all(r.method == "GET" for r in sandbox.requests) and key["status"] == "active"
        updated = await call_ok(
            client, "update_api_key", {"api_key_id": key["id"], "name": "prod-worker-old", "status": "inactive"}
        )
        back = await call_ok(client, "update_api_key", {"api_key_id": key["id"], "status": "active"})
    assert updated["name"] == "prod-worker-old" and updated["status"] == "inactive"
    assert sandbox.requests[-2].json() == {"name": "prod-worker-old", "status": "inactive"}
    assert back["status"] == "active" and key["name"] == "prod-worker-old"


async def test_archived_and_expired_keys_cannot_be_reactivated(connect: Connect, sandbox: Sandbox) -> None:
    archived, expired = _key(sandbox, "legacy-chatbot"), _key(sandbox, "prod-rotation-q1")
    async with connect() as client:
        revive = await call_error(client, "update_api_key", {"api_key_id": archived["id"], "status": "active"})
        renew = await call_error(client, "update_api_key", {"api_key_id": expired["id"], "status": "active"})
        renamed = await call_ok(client, "update_api_key", {"api_key_id": archived["id"], "name": "old chatbot"})
    assert "Invalid request" in revive and "archived" in revive and archived["status"] == "archived"
    assert "Invalid request" in renew and expired["status"] == "expired"
    assert renamed["name"] == "old chatbot" and renamed["status"] == "archived"
