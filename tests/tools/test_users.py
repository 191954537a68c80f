"""users toolset, end to end through the in-memory MCP client against the sandbox."""

from __future__ import annotations

import pytest

from claude_api_mcp.core.config import Profile
from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio


async def test_list_users_filters_by_role_and_sends_bracketed_roles(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        page = await call_ok(client, "list_users", {"roles": ["developer", "billing"]})
    roles = {u["role"] for u in page["data"]}
    assert roles == {"developer", "billing"}
    assert page["has_more"] is False
    assert sandbox.requests[-1].query == [("roles[]", "developer"), ("roles[]", "billing"), ("limit", "20")]


async def test_all_pages_follows_cursors_until_complete(connect: Connect, sandbox: Sandbox) -> None:
    async with connect(list_item_cap=5) as client:
        capped = await call_ok(client, "list_users", {"all_pages": True})
    assert len(capped["data"]) == 5 and capped["has_more"] is True
    assert "after_id=" + capped["last_id"] in capped["note"]
    async with connect() as client:
        full = await call_ok(client, "list_users", {"all_pages": True})
    assert len(full["data"]) == len(sandbox.org.users) and full["has_more"] is False and full.get("note") is None


async def test_a_single_page_reports_has_more_and_the_cursor_continues(connect: Connect) -> None:
    async with connect() as client:
        first = await call_ok(client, "list_users", {"limit": 5})
        second = await call_ok(client, "list_users", {"limit": 5, "after_id": first["last_id"]})
        back = await call_ok(client, "list_users", {"limit": 5, "before_id": second["first_id"]})
    assert first["has_more"] is True
    assert {u["id"] for u in first["data"]}.isdisjoint({u["id"] for u in second["data"]})
    assert back["data"] == first["data"]


async def test_get_user_unknown_id_names_the_tool_to_list_first(connect: Connect) -> None:
    async with connect() as client:
        text = await call_error(client, "get_user", {"user_id": "user_01doesnotexist"})
    assert "Not found" in text and "list_users" in text and "request id: req_" in text


async def test_update_user_refuses_admin_before_any_call(connect: Connect, sandbox: Sandbox) -> None:
    user_id = next(u["id"] for u in sandbox.org.users.values() if u["role"] == "developer")
    async with connect() as client:
        before = len(sandbox.requests)
        text = await call_error(client, "update_user", {"user_id": user_id, "role": "admin"})
    assert "role" in text and len(sandbox.requests) == before


async def test_update_user_changes_the_role_and_dry_run_sends_nothing(connect: Connect, sandbox: Sandbox) -> None:
    user = next(u for u in sandbox.org.users.values() if u["role"] == "developer")
    async with connect() as client:
        plan = await call_ok(client, "update_user", {"user_id": user["id"], "role": "user", "dry_run": True})
        assert plan["dry_run"] == {
            "method": "POST",
            "path": f"/v1/organizations/users/{user['id']}",
            "body": {"role": "user"},
            "sent": False,
        }
        assert plan["role"] == "developer" and sandbox.org.users[user["id"]]["role"] == "developer"
        assert all(r.method == "GET" for r in sandbox.requests)
        updated = await call_ok(client, "update_user", {"user_id": user["id"], "role": "user"})
    assert updated["role"] == "user" and "dry_run" not in updated
    assert sandbox.org.users[user["id"]]["role"] == "user"


async def test_remove_user_returns_the_deletion_object(connect: Connect, sandbox: Sandbox) -> None:
    user = next(u for u in sandbox.org.users.values() if u["role"] == "user")
    async with connect() as client:
        gone = await call_ok(client, "remove_user", {"user_id": user["id"]})
        text = await call_error(client, "get_user", {"user_id": user["id"]})
    assert gone == {"id": user["id"], "type": "user_deleted"}
    assert "Not found" in text


async def test_read_only_profile_hides_user_writes(connect: Connect) -> None:
    async with connect(profile=Profile.READ_ONLY) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        text = await call_error(client, "remove_user", {"user_id": "user_01x"})
    assert {"list_users", "get_user"} <= names and not {"update_user", "remove_user"} & names
    assert text.startswith("remove_user exists but is not enabled") and "--profile admin" in text
