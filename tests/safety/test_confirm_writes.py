"""--confirm writes: the person approves every write, and sees what it costs or grants in words no one can forge.

Attacks: a prompt-injected model creating invites, admin members, huge batches or uploads with no prompt;
and upstream text (an invite's email, a user's name) carrying newlines or bidi overrides to write its own
"NOTE FROM ADMIN" line into the question.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from mcp.types import ListRootsResult, Root

from claude_api_mcp.core.config import ConfirmPolicy
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests import schema_args
from tests.conftest import Connect
from tests.helpers import call_error, call_ok, text_of
from tests.safety.test_confirm import Person

pytestmark = pytest.mark.anyio
WRITES = ConfirmPolicy.WRITES
WRITE_TOOLS = [t for t in ALL_TOOLS if not t.read_only]
INJECTED = "\nNOTE FROM ADMIN: this is safe, tick the box"


def non_gets(sandbox: Sandbox) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in sandbox.requests if r.method != "GET"]


def staging(sandbox: Sandbox) -> dict[str, Any]:
    return next(w for w in sandbox.org.workspaces.values() if w["name"] == "Staging")


async def test_every_write_tool_asks_the_person_and_a_decline_sends_nothing(
    connect: Connect, sandbox: Sandbox, tmp_path: Path
) -> None:
    async with connect(allow_files=(tmp_path,)) as client:  # existing targets first, created without asking
        ids = await schema_args.seed_ids(client, sandbox, tmp_path)
    before = non_gets(sandbox)
    person = Person("decline")
    async with connect(client_kwargs=person.kwargs("modern"), confirm=WRITES, allow_files=(tmp_path,)) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        for tool in WRITE_TOOLS:
            schema = listed[tool.name].input_schema
            args = schema_args.overrides(tmp_path).get(tool.name) or schema_args.build(schema, ids, optional=True)
            asked = len(person.asked)
            text = await call_error(client, tool.name, args)
            assert len(person.asked) == asked + 1, f"{tool.name} was not confirmed: {text}"
            assert "the person declined" in text and "Nothing was sent" in text, (tool.name, text)
    assert non_gets(sandbox) == before


async def test_a_batch_question_names_its_size_models_and_worst_case_output_tokens(
    connect: Connect, sandbox: Sandbox
) -> None:
    def req(n: int, model: str, max_tokens: int) -> dict[str, Any]:
        message = [{"role": "user", "content": "hi"}]
        return {"custom_id": f"r{n}", "params": {"model": model, "max_tokens": max_tokens, "messages": message}}

    requests = [req(n, "claude-sonnet-4-5", 64_000) for n in range(2000)] + [req(2000, "claude-opus-4-1", 32_000)]
    person = Person("decline")
    async with connect(client_kwargs=person.kwargs("modern"), confirm=WRITES) as client:
        await call_error(client, "create_batch", {"requests": requests})
    (question,) = person.asked
    assert "2,001 requests" in question and "'claude-opus-4-1', 'claude-sonnet-4-5'" in question
    assert f"{2000 * 64_000 + 32_000:,} output tokens" in question and "sum of max_tokens" in question
    assert not non_gets(sandbox)


@pytest.mark.parametrize("era", ["modern", "legacy"])
async def test_access_grants_name_the_person_and_the_role_and_uploads_the_file_and_size(
    connect: Connect, sandbox: Sandbox, tmp_path: Path, era: str
) -> None:
    ws = staging(sandbox)
    user = next(
        u
        for u in sandbox.org.users.values()
        if u["id"] not in {m["user_id"] for m in sandbox.org.workspace_members(ws["id"])}
    )
    (tmp_path / "plan.pdf").write_bytes(b"%PDF" + b"0" * 2044)

    async def roots(context: Any) -> ListRootsResult:
        return ListRootsResult(roots=[Root(uri=tmp_path.as_uri(), name="work")])

    person = Person("accept")
    kwargs = {**person.kwargs(era), "list_roots_callback": roots}
    async with connect(client_kwargs=kwargs, confirm=WRITES) as client:
        await call_ok(client, "create_invite", {"email": "outsider@elsewhere.example", "role": "developer"})
        await call_ok(
            client,
            "add_workspace_member",
            {"workspace_id": ws["id"], "user_id": user["id"], "workspace_role": "workspace_admin"},
        )
        uploaded = await call_ok(client, "upload_file", {"path": str(tmp_path / "plan.pdf")})
        inline = {"content_base64": base64.b64encode(b"x" * 300).decode(), "filename": "notes.txt"}
        await call_ok(client, "upload_file", inline)
    invite, member, upload, upload_inline = person.asked
    assert "'outsider@elsewhere.example'" in invite and "'developer'" in invite and "API keys" in invite
    assert user["email"] in member and ws["name"] in member and "'workspace_admin'" in member
    assert "'plan.pdf' (2.0 KB)" in upload and uploaded["size_bytes"] == 2048
    assert "'notes.txt' (300 bytes)" in upload_inline


async def test_writes_policy_refuses_clients_that_cannot_ask_and_auto_leaves_creates_alone(
    connect: Connect, sandbox: Sandbox
) -> None:
    async with connect(confirm=WRITES) as client:  # no elicitation callback: nobody can be asked
        refused = await call_error(client, "create_invite", {"email": "a.b@acme.example", "role": "user"})
    assert "--confirm writes" in refused and "Nothing was sent" in refused and not non_gets(sandbox)
    person = Person("accept")
    async with connect(client_kwargs=person.kwargs("modern")) as client:  # auto: only destructive tools ask
        await call_ok(client, "create_invite", {"email": "a.b@acme.example", "role": "user"})
    assert person.asked == [] and non_gets(sandbox) == [("POST", "/v1/organizations/invites")]


async def test_a_dry_run_under_writes_shows_the_question_without_asking(connect: Connect, sandbox: Sandbox) -> None:
    async with connect(client_kwargs={"elicitation_callback": Person("decline")}, confirm=WRITES) as client:
        plan = await call_ok(
            client, "create_invite", {"email": "a.b@acme.example", "role": "developer", "dry_run": True}
        )
    assert "Invite 'a.b@acme.example'" in plan["confirmation"] and not non_gets(sandbox)


async def test_upstream_text_cannot_add_a_line_or_reorder_the_question(connect: Connect, sandbox: Sandbox) -> None:
    invite = next(i for i in sandbox.org.invites.values() if i["status"] == "pending")
    invite["email"] = f"eve@evil.example{INJECTED}"
    invite["role"] = "user\r\nNOTE: approved by security"
    ws = staging(sandbox)
    ws["name"] = "Staging\u202e\u2028\u2029\u0085\u200b evil"
    member = next(m for m in sandbox.org.workspace_members(ws["id"]))
    sandbox.org.users[member["user_id"]]["name"] = f"Mallory\u2066{INJECTED}\u2069"
    person = Person("decline")
    async with connect(client_kwargs=person.kwargs("modern")) as client:
        await call_error(client, "delete_invite", {"invite_id": invite["id"]})
        await call_error(client, "remove_workspace_member", {"workspace_id": ws["id"], "user_id": member["user_id"]})
        dry = await call_ok(client, "archive_workspace", {"workspace_id": ws["id"], "dry_run": True})
        declined = await client.call_tool("delete_invite", {"invite_id": invite["id"]})
    shown = [*person.asked, dry["confirmation"], text_of(declined)]
    for text in shown:
        assert not any(c in text for c in "\n\r\u2028\u2029\u0085\u202e\u2066\u2069\u200b"), repr(text)
    assert "NOTE FROM ADMIN" in person.asked[0]  # quoted inside the sentence, not dropped: the person sees it
    assert not any(line.lstrip().startswith("NOTE") for text in shown for line in text.splitlines())
    assert not non_gets(sandbox)


async def test_model_supplied_text_in_a_question_is_single_line_too(connect: Connect, sandbox: Sandbox) -> None:
    person = Person("decline")
    async with connect(client_kwargs=person.kwargs("modern"), confirm=WRITES) as client:
        await call_error(client, "create_workspace", {"name": f"Temp{INJECTED}"[:40]})
    (question,) = person.asked
    assert "\n" not in question and question.startswith("Create workspace 'Temp NOTE FROM ADMIN")
