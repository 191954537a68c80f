"""workspaces toolset, end to end through the in-memory MCP client against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio


def _ws(sandbox: Sandbox, name: str) -> dict[str, Any]:
    return next(w for w in sandbox.org.workspaces.values() if w["name"] == name)


async def test_list_workspaces_leaves_out_default_and_archived(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        active = await call_ok(client, "list_workspaces")
        assert sandbox.requests[-1].query == [("limit", "20")]
        everything = await call_ok(client, "list_workspaces", {"include_archived": True})
    assert [w["name"] for w in active["data"]] == ["Prod", "Staging", "Research"]
    assert [w["name"] for w in everything["data"]] == ["Prod", "Staging", "Research", "Legacy Chatbot"]
    assert sandbox.requests[-1].query == [("include_archived", "true"), ("limit", "20")]


async def test_list_workspaces_pages_with_cursors(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        first = await call_ok(client, "list_workspaces", {"limit": 2})
        rest = await call_ok(client, "list_workspaces", {"limit": 2, "after_id": first["last_id"]})
    assert first["has_more"] is True and rest["has_more"] is False
    assert [w["name"] for w in first["data"] + rest["data"]] == ["Prod", "Staging", "Research"]


async def test_get_workspace_finds_the_default_workspace(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        ws = await call_ok(client, "get_workspace", {"workspace_id": sandbox.org.default_workspace_id})
    assert ws["name"] == "Default" and ws["data_residency"]["workspace_geo"] == "us"


async def test_get_workspace_unknown_id_names_list_workspaces(connect: Connect) -> None:
    async with connect() as client:
        text = await call_error(client, "get_workspace", {"workspace_id": "wrkspc_01doesnotexist"})
    assert "Not found" in text and "list_workspaces" in text and "request id: req_" in text


async def test_create_workspace_sends_only_given_fields_and_persists(connect: Connect, sandbox: Sandbox) -> None:
    args = {
        "name": "  Analytics ",
        "display_color": "#112233",
        "data_residency": {"allowed_inference_geos": ["us"], "default_inference_geo": "us"},
        "tags": {"team": "data"},
    }
    async with connect() as client:
        ws = await call_ok(client, "create_workspace", args)
        got = await call_ok(client, "get_workspace", {"workspace_id": ws["id"]})
    assert sandbox.requests[-2].json() == {**args, "name": "Analytics"}
    assert got == ws and ws["name"] == "Analytics" and ws["tags"] == {"team": "data"} and ws["archived_at"] is None
    assert ws["data_residency"] == {
        "workspace_geo": "us",
        "allowed_inference_geos": ["us"],
        "default_inference_geo": "us",
    }


async def test_create_workspace_defaults_residency_and_refuses_a_duplicate_name(connect: Connect) -> None:
    async with connect() as client:
        ws = await call_ok(client, "create_workspace", {"name": "Sandbox tests"})
        dup = await call_error(client, "create_workspace", {"name": "sandbox TESTS"})
        archived_name = await call_ok(client, "create_workspace", {"name": "Legacy Chatbot"})
    assert ws["data_residency"]["allowed_inference_geos"] == "unrestricted"
    assert "Invalid request" in dup and "already exists" in dup
    assert archived_name["name"] == "Legacy Chatbot"  # only active workspaces' names must be unique


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"name": "x" * 41}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "ok", "display_color": "red"}, "display_color"),
        ({"name": "ok", "tags": {"Anthropic-team": "x"}}, "anthropic"),
        (
            {"name": "ok", "data_residency": {"allowed_inference_geos": ["us"], "default_inference_geo": "global"}},
            "geo",
        ),
        ({"name": "ok", "data_residency": {"allowed_inference_geos": []}}, "allowed_inference_geos"),
        ({"name": "ok", "data_residency": {"workspace_geo": "eu"}}, "workspace_geo"),
    ],
)
async def test_create_workspace_rejects_bad_input_before_any_call(
    connect: Connect, sandbox: Sandbox, args: dict[str, Any], field: str
) -> None:
    async with connect() as client:
        text = await call_error(client, "create_workspace", args)
    assert field in text and len(sandbox.requests) == 0


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"data_residency": {}},
        {"data_residency": {"workspace_geo": "us"}},  # immutable: only create accepts it
        {"name": "x" * 41},
    ],
)
async def test_update_workspace_rejects_no_change_and_bad_input_before_any_call(
    connect: Connect, sandbox: Sandbox, args: dict[str, Any]
) -> None:
    async with connect() as client:
        text = await call_error(client, "update_workspace", {"workspace_id": _ws(sandbox, "Prod")["id"], **args})
    assert text and len(sandbox.requests) == 0


async def test_update_workspace_renames_and_merges_tags(connect: Connect, sandbox: Sandbox) -> None:
    ws = _ws(sandbox, "Staging")
    async with connect() as client:
        plan = await call_ok(client, "update_workspace", {"workspace_id": ws["id"], "name": "QA", "dry_run": True})
        assert plan["name"] == "Staging" and plan["dry_run"]["body"] == {"name": "QA"}
        assert all(r.method == "GET" for r in sandbox.requests)
        args = {"workspace_id": ws["id"], "name": "QA", "tags": {"env": None, "owner": "qa-team"}}
        updated = await call_ok(client, "update_workspace", args)
    assert updated["name"] == "QA" and updated["tags"] == {"team": "platform", "owner": "qa-team"}
    assert sandbox.requests[-1].json() == {"name": "QA", "tags": {"env": None, "owner": "qa-team"}}
    assert sandbox.org.workspaces[ws["id"]]["name"] == "QA"


async def test_the_default_workspace_cannot_be_renamed_or_archived(connect: Connect, sandbox: Sandbox) -> None:
    default = sandbox.org.default_workspace_id
    async with connect() as client:
        rename = await call_error(client, "update_workspace", {"workspace_id": default, "name": "Main"})
        archive = await call_error(client, "archive_workspace", {"workspace_id": default})
        recolor = await call_ok(client, "update_workspace", {"workspace_id": default, "display_color": "#000000"})
    assert "Invalid request" in rename and "renamed" in rename
    assert "Invalid request" in archive and "archived" in archive
    assert recolor["name"] == "Default" and sandbox.org.workspaces[default]["archived_at"] is None


async def test_archive_workspace_revokes_its_keys_and_is_permanent(connect: Connect, sandbox: Sandbox) -> None:
    ws = _ws(sandbox, "Prod")
    keys = [k for k in sandbox.org.api_keys.values() if k["scope"]["workspace_id"] == ws["id"]]
    before = {k["id"]: k["status"] for k in keys}
    async with connect() as client:
        plan = await call_ok(client, "archive_workspace", {"workspace_id": ws["id"], "dry_run": True})
        assert plan["archived_at"] is None and all(r.method == "GET" for r in sandbox.requests)
        archived = await call_ok(client, "archive_workspace", {"workspace_id": ws["id"]})
        again = await call_ok(client, "archive_workspace", {"workspace_id": ws["id"]})
        refused = await call_error(client, "update_workspace", {"workspace_id": ws["id"], "name": "Prod 2"})
        listed = await call_ok(client, "list_workspaces")
    assert archived["archived_at"] is not None and again["archived_at"] == archived["archived_at"]
    assert "Invalid request" in refused and "archived" in refused
    assert ws["id"] not in {w["id"] for w in listed["data"]}
    after = {k["id"]: k["status"] for k in keys}
    assert {after[i] for i, s in before.items() if s in ("active", "inactive")} == {"archived"}
    assert {after[i] for i, s in before.items() if s == "expired"} == {"expired"}


# The contract's hints for the four Admin toolsets built together (R, W, W D I).
HINTS = {
    "list_invites": "R",
    "get_invite": "R",
    "create_invite": "W",
    "delete_invite": "WDI",
    "list_workspaces": "R",
    "get_workspace": "R",
    "create_workspace": "W",
    "update_workspace": "WDI",
    "archive_workspace": "WDI",
    "list_workspace_members": "R",
    "get_workspace_member": "R",
    "add_workspace_member": "W",
    "update_workspace_member": "WDI",
    "remove_workspace_member": "WDI",
    "list_api_keys": "R",
    "get_api_key": "R",
    "update_api_key": "WDI",
}


async def test_admin_tools_carry_the_contracts_hints_and_writes_take_dry_run(connect: Connect) -> None:
    async with connect() as client:
        tools = {t.name: t for t in (await client.list_tools()).tools if t.name in HINTS}
    assert set(tools) == set(HINTS)
    for name, hints in HINTS.items():
        a = tools[name].annotations
        assert a is not None and a.open_world_hint is True and tools[name].title
        got = (
            "R" if a.read_only_hint else "W" + ("D" if a.destructive_hint else "") + ("I" if a.idempotent_hint else "")
        )
        assert got == hints, name
        assert ("dry_run" in tools[name].input_schema["properties"]) == (hints != "R"), name
