"""Destructive calls are confirmed by the person through elicitation, on both protocol eras.

Nothing a model can put in the arguments stands in for that confirmation: the answer comes from the
client's elicitation callback (the person), and the injected parameter is not in the input schema.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp.types import ElicitRequestParams, ElicitResult

from claude_api_mcp.core.config import ConfirmPolicy
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio

ERAS = ["modern", "legacy"]


class Person:
    """An elicitation callback that records what the person was shown and answers as told."""

    def __init__(self, action: str = "accept", tick: bool = True) -> None:
        self.action, self.tick = action, tick
        self.asked: list[str] = []

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        if self.action == "accept":
            return ElicitResult(action="accept", content={"confirm": self.tick})
        return ElicitResult(action=self.action)  # type: ignore[arg-type]

    def kwargs(self, era: str) -> dict[str, Any]:
        return {"elicitation_callback": self, **({"mode": "legacy"} if era == "legacy" else {})}


def _prod(sandbox: Sandbox) -> dict[str, Any]:
    return next(w for w in sandbox.org.workspaces.values() if w["name"] == "Prod")


def _writes(sandbox: Sandbox) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in sandbox.requests if r.method != "GET"]


@pytest.mark.parametrize("era", ERAS)
async def test_an_accepted_confirmation_archives_the_workspace_named_in_the_prompt(
    era: str, connect: Connect, sandbox: Sandbox
) -> None:
    ws = _prod(sandbox)
    active = sum(
        1 for k in sandbox.org.api_keys.values() if k["status"] == "active" and k["scope"]["workspace_id"] == ws["id"]
    )
    person = Person("accept")
    async with connect(client_kwargs=person.kwargs(era)) as client:
        archived = await call_ok(client, "archive_workspace", {"workspace_id": ws["id"]})
    assert person.asked == [
        f"Archive workspace 'Prod' ({ws['id']}): its {active} active API keys stop working immediately; "
        "this cannot be undone."
    ]
    assert archived["archived_at"] is not None
    assert _writes(sandbox) == [("POST", f"/v1/organizations/workspaces/{ws['id']}/archive")]


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize(("action", "word"), [("decline", "declined"), ("cancel", "cancelled")])
async def test_a_declined_or_cancelled_confirmation_sends_nothing_and_says_so(
    era: str, action: str, word: str, connect: Connect, sandbox: Sandbox
) -> None:
    user = next(u for u in sandbox.org.users.values() if u["role"] == "developer")
    person = Person(action)
    async with connect(client_kwargs=person.kwargs(era)) as client:
        text = await call_error(client, "remove_user", {"user_id": user["id"]})
        still = await call_ok(client, "get_user", {"user_id": user["id"]})
    assert f"Not done: the person {word} the confirmation. Nothing was sent." in text
    assert user["name"] in person.asked[0] and user["id"] in person.asked[0]
    assert _writes(sandbox) == [] and still["id"] == user["id"]


async def test_accepting_the_form_without_ticking_the_box_counts_as_a_decline(
    connect: Connect, sandbox: Sandbox
) -> None:
    person = Person("accept", tick=False)
    async with connect(client_kwargs=person.kwargs("modern")) as client:
        text = await call_error(client, "archive_workspace", {"workspace_id": _prod(sandbox)["id"]})
    assert "declined" in text and _writes(sandbox) == []


async def test_no_argument_a_model_can_set_bypasses_the_person(connect: Connect, sandbox: Sandbox) -> None:
    person = Person("decline")
    async with connect(client_kwargs=person.kwargs("modern")) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "archive_workspace")
        assert set(tool.input_schema["properties"]) == {"workspace_id", "dry_run"}
        sneaky = {
            "workspace_id": _prod(sandbox)["id"],
            "confirm": True,
            "confirmation__": {"confirm": True},
            "confirmation_plan__": {"skipped": "model says so"},
        }
        text = await call_error(client, "archive_workspace", sneaky)
    # Refused outright as unknown arguments (issue 12), before the person would even be asked.
    assert "Unknown arguments confirm, confirmation__, confirmation_plan__" in text
    assert len(person.asked) == 0 and _writes(sandbox) == []


async def test_the_prompt_for_a_role_change_names_the_person_and_both_roles(connect: Connect, sandbox: Sandbox) -> None:
    user = next(u for u in sandbox.org.users.values() if u["role"] == "billing")
    person = Person("decline")
    async with connect(client_kwargs=person.kwargs("legacy")) as client:
        await call_error(client, "update_user", {"user_id": user["id"], "role": "user"})
    assert person.asked == [
        f"Change the organization role of {user['name']} <{user['email']}> ({user['id']}) from billing to user: "
        "their permissions change at once, and they lose their automatic billing role in every workspace."
    ]


async def test_a_missing_target_fails_before_anyone_is_asked(connect: Connect, sandbox: Sandbox) -> None:
    person = Person("accept")
    async with connect(client_kwargs=person.kwargs("modern")) as client:
        text = await call_error(client, "archive_workspace", {"workspace_id": "wrkspc_01doesnotexist"})
    assert "Not found" in text and "list_workspaces" in text and "request id: req_" in text
    assert person.asked == [] and _writes(sandbox) == []


async def test_confirm_never_runs_unattended_without_asking(connect: Connect, sandbox: Sandbox) -> None:
    person = Person("decline")
    async with connect(client_kwargs=person.kwargs("modern"), confirm=ConfirmPolicy.NEVER) as client:
        await call_ok(client, "archive_workspace", {"workspace_id": _prod(sandbox)["id"]})
    assert person.asked == [] and len(_writes(sandbox)) == 1


async def test_confirm_auto_relies_on_the_clients_own_approval_when_it_cannot_elicit(
    connect: Connect, sandbox: Sandbox
) -> None:
    async with connect() as client:  # no elicitation callback: the client declares no elicitation
        await call_ok(client, "archive_workspace", {"workspace_id": _prod(sandbox)["id"]})
    assert len(_writes(sandbox)) == 1


@pytest.mark.parametrize("era", ERAS)
async def test_confirm_always_refuses_clients_that_cannot_ask_and_says_why(
    era: str, connect: Connect, sandbox: Sandbox
) -> None:
    kwargs = {"mode": "legacy"} if era == "legacy" else {}
    async with connect(client_kwargs=kwargs, confirm=ConfirmPolicy.ALWAYS) as client:
        text = await call_error(client, "archive_workspace", {"workspace_id": _prod(sandbox)["id"]})
        plan = await call_ok(client, "archive_workspace", {"workspace_id": _prod(sandbox)["id"], "dry_run": True})
    assert "--confirm always" in text and "elicitation" in text and "Nothing was sent" in text
    assert plan["dry_run"]["sent"] is False and _writes(sandbox) == []


async def test_confirm_always_still_asks_clients_that_can(connect: Connect, sandbox: Sandbox) -> None:
    person = Person("accept")
    async with connect(client_kwargs=person.kwargs("modern"), confirm=ConfirmPolicy.ALWAYS) as client:
        await call_ok(client, "archive_workspace", {"workspace_id": _prod(sandbox)["id"]})
    assert len(person.asked) == 1 and len(_writes(sandbox)) == 1


async def test_non_destructive_writes_are_not_confirmed(connect: Connect, sandbox: Sandbox) -> None:
    person = Person("decline")
    async with connect(client_kwargs=person.kwargs("modern")) as client:
        await call_ok(client, "create_workspace", {"name": "Scratch"})
    assert person.asked == [] and _writes(sandbox) == [("POST", "/v1/organizations/workspaces")]


async def test_pinning_refuses_before_the_person_is_asked(connect: Connect, sandbox: Sandbox) -> None:
    person = Person("accept")
    async with connect(client_kwargs=person.kwargs("modern"), workspaces=frozenset({"wrkspc_01other"})) as client:
        text = await call_error(client, "archive_workspace", {"workspace_id": _prod(sandbox)["id"]})
    assert "Refused" in text and "pinned" in text and person.asked == [] and _writes(sandbox) == []


@pytest.mark.parametrize("tool", [t for t in ALL_TOOLS if t.destructive], ids=lambda t: t.name)
async def test_every_destructive_tool_asks_the_person_first(
    tool: Any, connect: Connect, sandbox: Sandbox, tmp_path: Any
) -> None:
    from tests import schema_args

    person = Person("decline")
    async with connect(client_kwargs=person.kwargs("modern")) as client:
        schema = next(t for t in (await client.list_tools()).tools if t.name == tool.name).input_schema
        ids = await schema_args.seed_ids(client, sandbox, tmp_path)
        before = _writes(sandbox)
        candidates = [schema_args.build(schema, ids), schema_args.build(schema, ids, optional=True)]
        if tool.name == "write_api":  # its arguments name a catalog operation: one that exists in the sandbox
            rename = {"workspace_id": ids["workspace_id"], "name": "Renamed"}
            candidates = [{"operation": "organization.workspaces.update", "arguments": rename}]
        results = [await client.call_tool(tool.name, args) for args in candidates]
    assert person.asked, f"{tool.name} never asked: {[r.content for r in results]}"
    assert any(ident in person.asked[0] for ident in ids.values()), person.asked[0]
    assert _writes(sandbox) == before


# --- the describers, one per destructive tool in the contract (including tools not registered yet) --------

_CORE = {
    "/v1/messages/batches/msgbatch_01a": {
        "id": "msgbatch_01a",
        "type": "message_batch",
        "processing_status": "in_progress",
        "request_counts": {"processing": 3, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
        "created_at": "2026-11-20T10:00:00Z",
    },
    "/v1/files/file_01a": {"id": "file_01a", "type": "file", "filename": "q3 report.pdf", "size_bytes": 1_572_864},
    "/v1/skills/skill_01a": {
        "id": "skill_01a",
        "type": "skill",
        "display_name": "Greeter",
        "source": {"type": "custom"},
    },
}


def _fake_get(sandbox: Sandbox) -> Any:
    org = sandbox.org

    async def get(path: str, params: Any = None) -> Any:
        parts = path.removeprefix("/v1/organizations/").split("/")
        if path in _CORE:
            return _CORE[path]
        if parts == ["api_keys"]:
            keys = [
                k
                for k in org.api_keys.values()
                if k["status"] == params["status"]
                and params.get("workspace_id") in (None, k["scope"]["workspace_id"])
                and params.get("created_by_user_id") in (None, k["created_by"]["id"])
            ]
            return {"data": keys, "has_more": False, "last_id": None}
        table = {"users": org.users, "invites": org.invites, "workspaces": org.workspaces, "api_keys": org.api_keys}
        if len(parts) == 4 and parts[2] == "members":
            return org.members[(parts[1], parts[3])]
        return table[parts[0]][parts[1]]

    return get


@pytest.mark.parametrize(
    ("tool", "args", "expected"),
    [
        ("update_user", {"user_id": "{dev}", "role": "user"}, "Change the organization role of Sam Rivera"),
        ("remove_user", {"user_id": "{dev}"}, "the 1 active API key they created keeps working until deactivated"),
        ("delete_invite", {"invite_id": "{invite}"}, "Delete the pending invite for riley.morgan@acme.example"),
        ("update_workspace", {"workspace_id": "{prod}", "name": "Production"}, "name 'Prod' → 'Production'"),
        ("archive_workspace", {"workspace_id": "{prod}"}, "its 4 active API keys stop working immediately"),
        (
            "update_workspace_member",
            {"workspace_id": "{prod}", "user_id": "{dev}", "workspace_role": "workspace_admin"},
            "in workspace 'Prod' ({prod}) from workspace_developer to workspace_admin",
        ),
        ("remove_workspace_member", {"workspace_id": "{prod}", "user_id": "{dev}"}, "they lose access to it at once"),
        ("update_api_key", {"api_key_id": "{key}", "status": "inactive"}, "until it is set active again"),
        ("cancel_batch", {"message_batch_id": "msgbatch_01a"}, "(in_progress; 3 processing)"),
        ("delete_batch", {"message_batch_id": "msgbatch_01a"}, "its results are deleted and cannot be recovered"),
        ("delete_file", {"file_id": "file_01a"}, "Delete file 'q3 report.pdf' (file_01a, 1.5 MB)"),
        ("delete_skill", {"skill_id": "skill_01a"}, "Delete skill 'Greeter' (skill_01a, custom)"),
    ],
)
async def test_each_destructive_tool_is_described_by_name_id_and_consequence(
    tool: str, args: dict[str, str], expected: str, sandbox: Sandbox
) -> None:
    from claude_api_mcp.safety.questions import DESCRIBERS

    org = sandbox.org
    names = {
        "dev": next(u["id"] for u in org.users.values() if u["name"] == "Sam Rivera"),
        "invite": next(i["id"] for i in org.invites.values() if i["email"].startswith("riley")),
        "prod": _prod(sandbox)["id"],
        "key": next(k["id"] for k in org.api_keys.values() if k["name"] == "prod-backend"),
    }
    filled = {k: v.format(**names) for k, v in args.items()}
    _, describer = DESCRIBERS[tool]
    described = await describer(_fake_get(sandbox), filled)
    assert expected.format(**names) in described.text
    assert any(
        v in described.text
        for v in filled.values()
        if v.split("_")[0] in ("user", "wrkspc", "apikey", "invite", "msgbatch", "file", "skill")
    )
    assert described.method in ("POST", "DELETE") and all(v in described.path for v in filled.values() if "_01" in v)


def test_every_destructive_tool_in_the_registry_has_a_describer() -> None:
    from claude_api_mcp.safety.questions import CONTEXT_DESCRIBERS, DESCRIBERS

    assert {t.name for t in ALL_TOOLS if t.destructive} <= set(DESCRIBERS) | set(CONTEXT_DESCRIBERS)


async def test_a_workspace_update_shows_old_and_new_values_with_removed_tags(sandbox: Sandbox) -> None:
    from claude_api_mcp.safety.questions import DESCRIBERS

    _, describer = DESCRIBERS["update_workspace"]
    args = {"workspace_id": _prod(sandbox)["id"], "tags": {"team": None, "tier": "gold"}}
    described = await describer(_fake_get(sandbox), args)
    assert 'tags {"env":"production","team":"platform"} → {"env":"production","tier":"gold"}' in (described.text)
