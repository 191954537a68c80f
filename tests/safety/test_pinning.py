"""--workspaces pins every write to those workspaces; reads and the core API stay open."""

from __future__ import annotations

from typing import Any

import pytest

from claude_api_mcp.safety.pinning import key_workspace
from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio


def _ws(sandbox: Sandbox, name: str) -> str:
    return next(w["id"] for w in sandbox.org.workspaces.values() if w["name"] == name)


def _key(sandbox: Sandbox, workspace: str) -> str:
    ws = _ws(sandbox, workspace)
    return next(
        k["id"] for k in sandbox.org.api_keys.values() if k["scope"]["workspace_id"] == ws and k["status"] == "active"
    )


def _member(sandbox: Sandbox, workspace: str) -> str:
    ws = _ws(sandbox, workspace)
    return next(m["user_id"] for m in sandbox.org.workspace_members(ws) if m["workspace_role"] == "workspace_developer")


def _writes(sandbox: Sandbox) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in sandbox.requests if r.method != "GET"]


def _refused_calls(sandbox: Sandbox) -> list[tuple[str, dict[str, Any]]]:
    staging = _ws(sandbox, "Staging")
    user = next(u["id"] for u in sandbox.org.users.values() if u["role"] == "developer")
    invite = next(i["id"] for i in sandbox.org.invites.values() if i["status"] == "pending")
    return [
        ("update_workspace", {"workspace_id": staging, "name": "Renamed"}),
        ("archive_workspace", {"workspace_id": staging}),
        ("create_workspace", {"name": "New one"}),
        ("add_workspace_member", {"workspace_id": staging, "user_id": user, "workspace_role": "workspace_user"}),
        ("remove_workspace_member", {"workspace_id": staging, "user_id": _member(sandbox, "Staging")}),
        ("update_api_key", {"api_key_id": _key(sandbox, "Staging"), "status": "inactive"}),
        ("update_user", {"user_id": user, "role": "user"}),
        ("remove_user", {"user_id": user}),
        ("create_invite", {"email": "new.person@acme.example", "role": "user"}),
        ("delete_invite", {"invite_id": invite}),
    ]


@pytest.mark.parametrize("dry_run", [False, True])
async def test_writes_outside_the_pinned_workspace_are_refused_and_nothing_is_sent(
    dry_run: bool, connect: Connect, sandbox: Sandbox
) -> None:
    async with connect(workspaces=frozenset({_ws(sandbox, "Prod")})) as client:
        for name, args in _refused_calls(sandbox):
            text = await call_error(client, name, {**args, "dry_run": dry_run})
            assert "Refused" in text and _ws(sandbox, "Prod") in text and "Nothing was sent" in text, (name, text)
    assert _writes(sandbox) == []


async def test_org_wide_objects_say_why_they_are_outside_any_workspace(connect: Connect, sandbox: Sandbox) -> None:
    async with connect(workspaces=frozenset({_ws(sandbox, "Prod")})) as client:
        invite = await call_error(client, "create_invite", {"email": "a.b@acme.example", "role": "user"})
        create = await call_error(client, "create_workspace", {"name": "Another"})
        key = await call_error(client, "update_api_key", {"api_key_id": _key(sandbox, "Staging"), "name": "x"})
    assert "invites are organization-wide" in invite
    assert "a new workspace is not one of the pinned workspaces" in create
    assert f"belongs to workspace {_ws(sandbox, 'Staging')}" in key


async def test_writes_inside_the_pinned_workspace_go_ahead(connect: Connect, sandbox: Sandbox) -> None:
    prod = _ws(sandbox, "Prod")
    user = next(u["id"] for u in sandbox.org.users.values() if u["name"] == "Olivia Brooks")
    async with connect(workspaces=frozenset({prod, "wrkspc_01another"})) as client:
        await call_ok(client, "update_workspace", {"workspace_id": prod, "display_color": "#112233"})
        await call_ok(
            client, "add_workspace_member", {"workspace_id": prod, "user_id": user, "workspace_role": "workspace_user"}
        )
        await call_ok(client, "update_api_key", {"api_key_id": _key(sandbox, "Prod"), "name": "renamed"})
    assert [m for m, _ in _writes(sandbox)] == ["POST", "POST", "POST"]
    assert sandbox.org.workspaces[prod]["display_color"] == "#112233"


async def test_reads_are_not_restricted(connect: Connect, sandbox: Sandbox) -> None:
    staging = _ws(sandbox, "Staging")
    async with connect(workspaces=frozenset({_ws(sandbox, "Prod")})) as client:
        await call_ok(client, "get_workspace", {"workspace_id": staging})
        members = await call_ok(client, "list_workspace_members", {"workspace_id": staging})
        await call_ok(client, "list_users")
    assert members["data"]


async def test_core_api_writes_are_allowed_because_the_key_is_workspace_bound(
    connect: Connect, sandbox: Sandbox
) -> None:
    message = {"model": "claude-sonnet-4-5", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}
    async with connect(workspaces=frozenset({_ws(sandbox, "Prod")})) as client:
        await call_ok(client, "send_message", message)
    assert _writes(sandbox) == [("POST", "/v1/messages")]


def test_an_api_keys_workspace_is_read_from_either_shape() -> None:
    assert key_workspace({"scope": {"type": "workspace", "workspace_id": "wrkspc_01a"}}) == "wrkspc_01a"
    assert key_workspace({"workspace_id": "wrkspc_01b"}) == "wrkspc_01b"
    assert key_workspace({"workspace_id": None}) is None  # the Default workspace, in the older shape
    assert key_workspace({"scope": {"type": "organization"}}) is None
