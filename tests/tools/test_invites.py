"""invites toolset, end to end through the in-memory MCP client against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio


def _invite(sandbox: Sandbox, status: str) -> dict[str, Any]:
    return next(i for i in sandbox.org.invites.values() if i["status"] == status)


async def test_list_invites_filters_by_status_and_role_sent_bracketed(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        page = await call_ok(client, "list_invites", {"statuses": ["pending", "expired"], "roles": ["developer"]})
    assert [(i["status"], i["role"]) for i in page["data"]] == [("pending", "developer")]
    assert sandbox.requests[-1].query == [
        ("roles[]", "developer"),
        ("statuses[]", "pending"),
        ("statuses[]", "expired"),
        ("limit", "20"),
    ]


async def test_list_invites_matches_email_case_insensitively(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        page = await call_ok(client, "list_invites", {"email": "Riley.MORGAN@acme.example"})
    assert [i["email"] for i in page["data"]] == ["riley.morgan@acme.example"]
    assert ("email", "Riley.MORGAN@acme.example") in sandbox.requests[-1].query


async def test_list_invites_pages_with_cursors(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        first = await call_ok(client, "list_invites", {"limit": 2})
        second = await call_ok(client, "list_invites", {"limit": 2, "after_id": first["last_id"]})
    assert first["has_more"] is True and len(first["data"]) == 2
    assert second["data"][0]["id"] not in {i["id"] for i in first["data"]}
    assert ("after_id", first["last_id"]) in sandbox.requests[-1].query


async def test_get_invite_unknown_id_names_list_invites(connect: Connect) -> None:
    async with connect() as client:
        text = await call_error(client, "get_invite", {"invite_id": "invite_01doesnotexist"})
    assert "Not found" in text and "list_invites" in text and "request id: req_" in text


async def test_a_pending_invite_past_its_expiry_reads_as_expired(connect: Connect, sandbox: Sandbox) -> None:
    invite = _invite(sandbox, "pending")
    invite["expires_at"] = "2020-01-01T00:00:00.000Z"
    async with connect() as client:
        got = await call_ok(client, "get_invite", {"invite_id": invite["id"]})
    assert got["status"] == "expired"


async def test_create_invite_adds_a_pending_invite(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        created = await call_ok(client, "create_invite", {"email": "new.person@acme.example", "role": "developer"})
        listed = await call_ok(client, "list_invites", {"email": "new.person@acme.example"})
    assert created["status"] == "pending" and created["role"] == "developer" and created["accepted_at"] is None
    assert sandbox.requests[-2].json() == {"email": "new.person@acme.example", "role": "developer"}
    assert [i["id"] for i in listed["data"]] == [created["id"]]


async def test_create_invite_refuses_a_second_pending_invite_and_members(connect: Connect) -> None:
    async with connect() as client:
        twice = await call_error(client, "create_invite", {"email": "RILEY.morgan@acme.example", "role": "user"})
        member = await call_error(client, "create_invite", {"email": "sam.rivera@acme.example", "role": "user"})
    assert "Invalid request [invite_already_exists]" in twice and "request id: req_" in twice
    assert "Invalid request [already_member]" in member


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"email": "x@acme.example", "role": "admin"}, "role"),
        ({"email": "x@acme.example", "role": "owner"}, "role"),
        ({"email": "not-an-email", "role": "user"}, "email"),
        ({"email": "x@nodot", "role": "user"}, "email"),
    ],
)
async def test_create_invite_rejects_bad_input_before_any_call(
    connect: Connect, sandbox: Sandbox, args: dict[str, str], field: str
) -> None:
    async with connect() as client:
        text = await call_error(client, "create_invite", args)
    assert field in text and len(sandbox.requests) == 0


async def test_create_invite_dry_run_sends_nothing(connect: Connect, sandbox: Sandbox) -> None:
    before = len(sandbox.org.invites)
    async with connect() as client:
        plan = await call_ok(client, "create_invite", {"email": "y@acme.example", "role": "user", "dry_run": True})
    assert plan["dry_run"] == {
        "method": "POST",
        "path": "/v1/organizations/invites",
        "body": {"email": "y@acme.example", "role": "user"},
        "sent": False,
    }
    assert len(sandbox.requests) == 0 and len(sandbox.org.invites) == before


async def test_delete_invite_withdraws_a_pending_invite_for_good(connect: Connect, sandbox: Sandbox) -> None:
    invite = _invite(sandbox, "pending")
    async with connect() as client:
        plan = await call_ok(client, "delete_invite", {"invite_id": invite["id"], "dry_run": True})
        assert plan["status"] == "pending" and all(r.method == "GET" for r in sandbox.requests)
        gone = await call_ok(client, "delete_invite", {"invite_id": invite["id"]})
        got = await call_ok(client, "get_invite", {"invite_id": invite["id"]})
        listed = await call_ok(client, "list_invites", {"limit": 1000})
        again = await call_error(client, "delete_invite", {"invite_id": invite["id"]})
    assert gone == {"id": invite["id"], "type": "invite_deleted"}
    assert got["status"] == "deleted" and invite["id"] not in {i["id"] for i in listed["data"]}
    assert "Invalid request" in again and "pending" in again


async def test_delete_invite_refuses_an_accepted_invite(connect: Connect, sandbox: Sandbox) -> None:
    invite = _invite(sandbox, "accepted")
    async with connect() as client:
        text = await call_error(client, "delete_invite", {"invite_id": invite["id"]})
    assert "Invalid request" in text and invite["status"] == "accepted"
