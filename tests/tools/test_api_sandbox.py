"""The issue's "done means", end to end through an MCP client with the admin profile, on the sandbox:
"which RBAC groups is Avery in, and add her to Finance" and "show our spend limits", found with search_api,
read with read_api and written with write_api after the person confirms.

The sandbox serves these operations through its generic, catalog-driven simulator (server/sandbox/generic.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp.types import ElicitRequestParams, ElicitResult

from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_ok

pytestmark = pytest.mark.anyio


class Person:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})


async def _read(client: Any, op: str, **arguments: Any) -> dict[str, Any]:
    return await call_ok(client, "read_api", {"operation": op, "arguments": arguments})


async def test_which_groups_is_avery_in_and_add_her_to_finance(connect: Connect, sandbox: Sandbox) -> None:
    person = Person()
    async with connect(client_kwargs={"elicitation_callback": person}) as client:
        found = await call_ok(client, "search_api", {"query": "which RBAC groups is someone in", "limit": 3})
        assert "organization.rbac_groups.list" in [hit["operation"] for hit in found["results"]]
        [avery] = (await _read(client, "organization.users.list", email="avery.chen@acme.example"))["data"]
        groups = (await _read(client, "organization.rbac_groups.list"))["data"]

        async def member_ids(group: dict[str, Any]) -> set[str]:
            page = await _read(client, "organization.rbac_groups.members.list", rbac_group_id=group["id"])
            return {m["user_id"] for m in page["data"]}

        finance = next(g for g in groups if g["name"] == "Finance")
        assert avery["id"] not in await member_ids(finance)
        add = await call_ok(client, "search_api", {"query": "add someone to an RBAC group", "limit": 1})
        assert add["results"][0]["operation"] == "organization.rbac_groups.members.add"
        arguments = {"rbac_group_id": finance["id"], "user_id": avery["id"]}
        added = await call_ok(
            client, "write_api", {"operation": "organization.rbac_groups.members.add", "arguments": arguments}
        )
        assert added["user_id"] == avery["id"]
        assert avery["id"] in await member_ids(finance)
    assert len(person.asked) == 1 and "'Finance'" in person.asked[0] and avery["id"] in person.asked[0]


async def test_show_our_spend_limits(connect: Connect) -> None:
    async with connect() as client:
        found = await call_ok(client, "search_api", {"query": "show our spend limits", "limit": 1})
        top = found["results"][0]
        assert (top["operation"], top["beta"]) == (
            "beta.organization.spend_limits.list",
            "spend-limit-reads-2026-09-26",
        )
        limits = await _read(client, top["operation"])
    assert limits["data"] and all(item["type"] == "spend_limit" for item in limits["data"])
