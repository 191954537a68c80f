"""Safety of the generic tools comes from the catalog: the read-only profile cannot reach a write by any
route, and every write_api call is confirmed by the person, dry-runnable, pinned and audited — for an
operation of every area."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp.types import ElicitRequestParams, ElicitResult

from claude_api_mcp.client.catalog import load_catalog
from claude_api_mcp.core.config import Profile
from tests.api_upstream import Upstream, connect, one_per_area, required_arguments
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio
WRITES = [op for op in load_catalog().operations if op.writes]


class Person:
    """The elicitation callback: records each question and answers as currently told."""

    def __init__(self) -> None:
        self.answer = "accept"
        self.asked: list[str] = []

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        if self.answer == "accept":
            return ElicitResult(action="accept", content={"confirm": True})
        return ElicitResult(action="decline")


async def test_the_read_only_profile_lists_only_the_three_read_tools() -> None:
    async with connect(Upstream(), profile=Profile.READ_ONLY) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        text = await call_error(client, "write_api", {"operation": "organization.rbac_groups.create"})
    assert {"search_api", "describe_api", "read_api"} <= names and "write_api" not in names
    assert "not enabled" in text and "--profile admin" in text and "Nothing was sent" in text
    allow = frozenset({"read_api", "write_api"})
    async with connect(Upstream(), profile=Profile.READ_ONLY, tools=allow) as client:
        assert {t.name for t in (await client.list_tools()).tools} == {"read_api"}


async def test_read_api_refuses_every_write_operation_before_sending_anything() -> None:
    upstream = Upstream()
    async with connect(upstream, profile=Profile.READ_ONLY) as client:
        for op in WRITES:
            args = required_arguments(op)
            text = await call_error(client, "read_api", {"operation": op.id, "arguments": args})
            assert "use write_api" in text, op.id
    assert upstream.requests == []
    assert len(WRITES) > 140


async def test_write_api_refuses_reads_so_the_two_paths_stay_apart() -> None:
    upstream = Upstream()
    async with connect(upstream) as client:
        text = await call_error(client, "write_api", {"operation": "organization.users.list"})
    assert "use read_api" in text and upstream.requests == []


async def test_every_area_dry_runs_asks_the_person_and_is_audited(tmp_path: Path) -> None:
    upstream, person, log = Upstream(), Person(), tmp_path / "audit.jsonl"
    ops = one_per_area(writes=True)
    async with connect(upstream, audit_log=log, client_kwargs={"elicitation_callback": person}) as client:
        for op in ops:
            args = required_arguments(op)
            call = {"operation": op.id, "arguments": args}
            upstream.requests.clear()
            planned = await call_ok(client, "write_api", {**call, "dry_run": True})
            assert upstream.writes == [], op.id
            assert (planned["dry_run"]["method"], planned["dry_run"]["sent"]) == (op.method, False)
            assert planned["dry_run"].get("headers") == ({"anthropic-beta": op.beta} if op.beta else None) or op.id
            assert op.id in planned["confirmation"]
            if upstream.requests:  # the catalog knows how to read the target: its state is shown
                assert (planned["type"], planned["name"]) == ("thing", "Finance"), op.id

            person.answer, asked = "decline", len(person.asked)
            text = await call_error(client, "write_api", call)
            assert "declined" in text and upstream.writes == [], op.id
            assert op.id in person.asked[asked] and op.method in person.asked[asked]

            person.answer = "accept"
            await call_ok(client, "write_api", call)
            [sent] = upstream.writes
            assert sent.method == op.method, op.id
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    # The accepted call is written ahead ("sending", on disk before the request leaves) and then its outcome.
    assert [line["outcome"] for line in lines] == ["dry_run", "declined", "sending", "succeeded"] * len(ops)
    assert [line["arguments"]["operation"] for line in lines[::4]] == [op.id for op in ops]
    assert all(line["tool"] == "write_api" for line in lines)


@pytest.mark.parametrize("era", ["modern", "legacy"])
async def test_the_question_names_the_operation_its_target_and_the_arguments(era: str) -> None:
    upstream, person = Upstream(), Person()
    args = {"rbac_group_id": "rbacgrp_01fin", "user_id": "user_01avery"}
    kwargs: dict[str, Any] = {"elicitation_callback": person, **({"mode": "legacy"} if era == "legacy" else {})}
    async with connect(upstream, client_kwargs=kwargs) as client:
        await call_ok(client, "write_api", {"operation": "organization.rbac_groups.members.add", "arguments": args})
    assert person.asked == [
        "Add a member to an RBAC group (organization.rbac_groups.members.add): POST "
        "/v1/organizations/rbac_groups/rbacgrp_01fin/members, on 'Finance' (rbacgrp_01fin), with "
        'user_id="user_01avery".'
    ]


PINNED = frozenset({"wrkspc_pinned"})
OUTSIDE = [
    (
        "organization.workspaces.members.add",
        {"workspace_id": "wrkspc_other", "user_id": "u_1", "workspace_role": "workspace_user"},
    ),
    ("beta.agents.create", {"model": "claude-x", "name": "a", "workspace_id": "wrkspc_other"}),
    ("beta.organization.spend_limits.set", {"amount": "5", "scope": {"type": "workspace", "workspace_id": "wrkspc_x"}}),
    ("organization.rbac_groups.create", {"name": "Finance"}),
    (
        "organization.service_accounts.workspaces.add",
        {"service_account_id": "svac_1", "workspace_id": "wrkspc_x", "workspace_role": "workspace_user"},
    ),
]


@pytest.mark.parametrize("dry_run", [False, True])
async def test_pinning_refuses_any_workspace_outside_the_pinned_ones(dry_run: bool) -> None:
    upstream, person = Upstream(), Person()
    async with connect(upstream, workspaces=PINNED, client_kwargs={"elicitation_callback": person}) as client:
        for op_id, args in OUTSIDE:
            call = {"operation": op_id, "arguments": args, "dry_run": dry_run}
            text = await call_error(client, "write_api", call)
            assert "Refused: this server only writes in the pinned workspaces (wrkspc_pinned)" in text, op_id
        inside = {"model": "claude-x", "name": "a", "workspace_id": "wrkspc_pinned"}
        await call_ok(client, "write_api", {"operation": "beta.agents.create", "arguments": inside, "dry_run": dry_run})
    assert person.asked == ([] if dry_run else [person.asked[0]])
    assert len(upstream.writes) == (0 if dry_run else 1)
