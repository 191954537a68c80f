"""workspace_members toolset, end to end through the in-memory MCP client against the sandbox."""

from __future__ import annotations

import pytest

from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio


def _ws_id(sandbox: Sandbox, name: str) -> str:
    return next(w["id"] for w in sandbox.org.workspaces.values() if w["name"] == name)


def _user_id(sandbox: Sandbox, email_local: str) -> str:
    return next(u["id"] for u in sandbox.org.users.values() if u["email"].startswith(email_local + "@"))


async def test_list_workspace_members_pages_by_user_id(connect: Connect, sandbox: Sandbox) -> None:
    ws = _ws_id(sandbox, "Prod")
    async with connect() as client:
        first = await call_ok(client, "list_workspace_members", {"workspace_id": ws, "limit": 2})
        rest = await call_ok(client, "list_workspace_members", {"workspace_id": ws, "after_id": first["last_id"]})
        everyone = await call_ok(client, "list_workspace_members", {"workspace_id": ws, "all_pages": True})
    assert first["has_more"] is True and first["last_id"] == first["data"][-1]["user_id"]
    assert first["data"] + rest["data"] == everyone["data"] and everyone["has_more"] is False
    assert {m["workspace_id"] for m in everyone["data"]} == {ws}
    admins = {u["id"] for u in sandbox.org.users.values() if u["role"] == "admin"}
    assert admins <= {m["user_id"] for m in everyone["data"] if m["workspace_role"] == "workspace_admin"}
    assert sandbox.requests[-3].path == f"/v1/organizations/workspaces/{ws}/members"
    assert ("after_id", first["last_id"]) in sandbox.requests[-2].query


async def test_get_workspace_member_of_a_non_member_names_the_list_tools(connect: Connect, sandbox: Sandbox) -> None:
    args = {"workspace_id": _ws_id(sandbox, "Prod"), "user_id": _user_id(sandbox, "mei.tanaka")}
    async with connect() as client:
        text = await call_error(client, "get_workspace_member", args)
        unknown = await call_error(client, "list_workspace_members", {"workspace_id": "wrkspc_01nope"})
    assert "Not found" in text and "list_workspace_members" in text and "request id: req_" in text
    assert "Not found" in unknown and "list_workspaces" in unknown


async def test_add_workspace_member_then_change_and_remove(connect: Connect, sandbox: Sandbox) -> None:
    ws, user = _ws_id(sandbox, "Prod"), _user_id(sandbox, "mei.tanaka")
    key = {"workspace_id": ws, "user_id": user}
    async with connect() as client:
        added = await call_ok(client, "add_workspace_member", {**key, "workspace_role": "workspace_user"})
        assert sandbox.requests[-1].json() == {"user_id": user, "workspace_role": "workspace_user"}
        changed = await call_ok(client, "update_workspace_member", {**key, "workspace_role": "workspace_developer"})
        got = await call_ok(client, "get_workspace_member", key)
        plan = await call_ok(client, "remove_workspace_member", {**key, "dry_run": True})
        assert plan["workspace_role"] == "workspace_developer" and sandbox.requests[-1].method == "GET"
        gone = await call_ok(client, "remove_workspace_member", key)
        after = await call_error(client, "get_workspace_member", key)
    assert added == {
        "type": "workspace_member",
        "user_id": user,
        "workspace_id": ws,
        "workspace_role": "workspace_user",
    }
    assert changed["workspace_role"] == got["workspace_role"] == "workspace_developer"
    assert gone == {"type": "workspace_member_deleted", "user_id": user, "workspace_id": ws}
    assert "Not found" in after and (ws, user) not in sandbox.org.members


async def test_add_workspace_member_refuses_billing_role_before_any_call(connect: Connect, sandbox: Sandbox) -> None:
    args = {
        "workspace_id": _ws_id(sandbox, "Prod"),
        "user_id": _user_id(sandbox, "mei.tanaka"),
        "workspace_role": "workspace_billing",
    }
    async with connect() as client:
        text = await call_error(client, "add_workspace_member", args)
    assert "workspace_role" in text and len(sandbox.requests) == 0


async def test_add_workspace_member_refuses_members_unknown_users_and_archived(
    connect: Connect, sandbox: Sandbox
) -> None:
    prod, legacy = _ws_id(sandbox, "Prod"), _ws_id(sandbox, "Legacy Chatbot")
    role = {"workspace_role": "workspace_user"}
    async with connect() as client:
        member = await call_error(
            client, "add_workspace_member", {"workspace_id": prod, "user_id": _user_id(sandbox, "sam.rivera"), **role}
        )
        unknown = await call_error(
            client, "add_workspace_member", {"workspace_id": prod, "user_id": "user_01nobody", **role}
        )
        archived = await call_error(
            client, "add_workspace_member", {"workspace_id": legacy, "user_id": _user_id(sandbox, "mei.tanaka"), **role}
        )
    assert "Invalid request" in member and "already a member" in member
    assert "Not found" in unknown and "User" in unknown
    assert "Invalid request" in archived and "archived" in archived


async def test_automatic_roles_of_admins_and_billing_members_are_fixed(connect: Connect, sandbox: Sandbox) -> None:
    ws = _ws_id(sandbox, "Prod")
    admin = {"workspace_id": ws, "user_id": _user_id(sandbox, "avery.chen")}
    billing = {"workspace_id": ws, "user_id": _user_id(sandbox, "liam.obrien")}
    plain = {"workspace_id": ws, "user_id": _user_id(sandbox, "noah.williams")}
    async with connect() as client:
        demote = await call_error(client, "update_workspace_member", {**admin, "workspace_role": "workspace_user"})
        remove = await call_error(client, "remove_workspace_member", admin)
        raised = await call_ok(client, "update_workspace_member", {**billing, "workspace_role": "workspace_admin"})
        to_billing = await call_error(
            client, "update_workspace_member", {**plain, "workspace_role": "workspace_billing"}
        )
    assert "Invalid request" in demote and "Invalid request" in remove and "Invalid request" in to_billing
    assert raised["workspace_role"] == "workspace_admin"
    assert sandbox.org.members[(ws, admin["user_id"])]["workspace_role"] == "workspace_admin"


async def test_a_capped_member_list_says_where_to_continue(connect: Connect, sandbox: Sandbox) -> None:
    async with connect(list_item_cap=3) as client:
        page = await call_ok(
            client, "list_workspace_members", {"workspace_id": _ws_id(sandbox, "Prod"), "all_pages": True}
        )
    assert page["has_more"] is True and page["last_id"] == page["data"][-1]["user_id"]
    assert "after_id=" + page["last_id"] in page["note"]
