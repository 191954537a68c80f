"""Prompts and the organization summary resource, through the in-memory MCP client against the sandbox."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from mcp import Client, MCPError
from mcp.types import INVALID_PARAMS

from claude_api_mcp.app.resources import SUMMARY_URI
from claude_api_mcp.core.config import Profile
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_ok

pytestmark = pytest.mark.anyio

PROMPT_ARGS = {"monthly_cost_review": {"month": "2026-10"}, "offboard_user": {"email": "jordan@acme.example"}}
WRITES = ("delete_invite", "update_api_key", "remove_workspace_member", "remove_user")


async def prompt_text(client: Client, name: str, args: dict[str, str] | None = None) -> str:
    result = await client.get_prompt(name, PROMPT_ARGS.get(name, {}) if args is None else args)
    return "\n".join(getattr(m.content, "text", "") for m in result.messages)


def suggested_calls(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Every "Call <tool> with a=…, b=…" whose values are concrete JSON (placeholders like <id> are skipped)."""
    calls = []
    for tool, rest in re.findall(r"Call (\w+) with ([^\n]*)", text):
        args = {k: json.loads(v) for k, v in re.findall(r'(\w+)=("[^"]*"|\[[^\]]*\]|true|false|\d+)', rest)}
        calls.append((tool, args))
    return calls


async def test_the_admin_profile_lists_every_prompt_with_its_arguments(connect: Connect) -> None:
    async with connect(profile=Profile.ADMIN) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(prompts) == {"monthly_cost_review", "api_key_audit", "offboard_user"}
    assert all(p.title and p.description for p in prompts.values())
    assert [(a.name, a.required) for a in prompts["monthly_cost_review"].arguments or []] == [("month", False)]
    assert [(a.name, a.required) for a in prompts["offboard_user"].arguments or []] == [("email", True)]


async def test_every_concrete_call_a_prompt_suggests_runs_on_the_sandbox(connect: Connect) -> None:
    async with connect(profile=Profile.ADMIN) as client:
        seen = []
        for name in ("monthly_cost_review", "api_key_audit", "offboard_user"):
            for tool, args in suggested_calls(await prompt_text(client, name)):
                await call_ok(client, tool, args)
                seen.append(tool)
    assert {"get_cost", "get_usage", "list_workspaces", "list_api_keys", "list_users", "list_invites"} <= set(seen)


@pytest.mark.parametrize("profile", [Profile.READ_ONLY, Profile.ADMIN])
async def test_prompts_name_only_tools_the_client_can_see(connect: Connect, profile: Profile) -> None:
    async with connect(profile=profile) as client:
        listed = {t.name for t in (await client.list_tools()).tools}
        every_tool = re.compile(r"\b(?:get|list|create|update|delete|remove|add|archive|cancel|send)_\w+")
        for prompt in (await client.list_prompts()).prompts:
            text = await prompt_text(client, prompt.name)
            assert set(every_tool.findall(text)) <= listed, prompt.name


async def test_read_only_offboarding_plans_without_writing(connect: Connect) -> None:
    async with connect(profile=Profile.READ_ONLY) as client:
        text = await prompt_text(client, "offboard_user")
    assert "jordan@acme.example" in text and "read-only" in text
    assert not any(tool in text for tool in WRITES)


async def test_admin_offboarding_acts_in_order_after_a_dry_run_and_confirmation(connect: Connect) -> None:
    async with connect(profile=Profile.ADMIN) as client:
        text = await prompt_text(client, "offboard_user")
    positions = [text.index(tool) for tool in WRITES]
    assert positions == sorted(positions) and "dry_run=true" in text and "confirm" in text


async def test_the_cost_review_defaults_to_the_last_full_month(connect: Connect) -> None:
    async with connect() as client:
        text = await prompt_text(client, "monthly_cost_review", {})
    start, end = re.findall(r'starting_at="(\d{4}-\d\d)-01T00:00:00Z", ending_at="(\d{4}-\d\d)-01', text)[0]
    assert start < end and "month before" in text


@pytest.mark.parametrize(
    ("name", "args"), [("monthly_cost_review", {"month": "2026-13"}), ("offboard_user", {"email": "x"})]
)
async def test_a_bad_prompt_argument_is_refused_with_a_reason(
    connect: Connect, name: str, args: dict[str, str]
) -> None:
    async with connect() as client:
        with pytest.raises(MCPError, match="must be"):
            await client.get_prompt(name, args)


async def test_narrowed_toolsets_register_only_the_prompts_they_can_serve(connect: Connect) -> None:
    async with connect(toolsets=frozenset({"users", "api_keys"})) as client:
        prompts = [p.name for p in (await client.list_prompts()).prompts]
        resources = (await client.list_resources()).resources
    assert prompts == ["api_key_audit"] and resources == []  # get_organization is not in the selection
    async with connect(toolsets=frozenset({"models", "messages"})) as client:
        assert (await client.list_prompts()).prompts == []


async def test_the_organization_summary_counts_what_the_sandbox_holds(connect: Connect, sandbox: Sandbox) -> None:
    async with connect(profile=Profile.READ_ONLY) as client:
        [resource] = [r for r in (await client.list_resources()).resources if str(r.uri) == SUMMARY_URI]
        result = await client.read_resource(SUMMARY_URI)
    assert str(resource.uri) == SUMMARY_URI and resource.mime_type == "application/json"
    summary = json.loads(getattr(result.contents[0], "text", ""))
    org = sandbox.org
    assert summary["organization"] == {"id": org.organization["id"], "name": org.organization["name"]}
    assert summary["members"]["total"] == len(org.users)
    assert summary["members"]["by_role"] == dict(Counter(u["role"] for u in org.users.values()))
    assert summary["api_keys"]["total"] == len(org.api_keys)
    active = [w for w in org.workspaces.values() if not w.get("archived_at") and w["id"] != org.default_workspace_id]
    assert summary["workspaces"]["total"] == len(active)
    assert summary["invites"]["by_status"].get("pending", 0) >= 1 and summary["complete"] is True


async def test_the_summary_leaves_out_counts_whose_tools_are_hidden(connect: Connect) -> None:
    async with connect(exclude_tools=frozenset({"list_api_keys", "list_invites"})) as client:
        summary = json.loads(getattr((await client.read_resource(SUMMARY_URI)).contents[0], "text", ""))
    assert "api_keys" not in summary and "invites" not in summary and "members" in summary


async def test_the_summary_marks_capped_counts_as_lower_bounds(connect: Connect) -> None:
    async with connect(list_item_cap=5) as client:
        summary = json.loads(getattr((await client.read_resource(SUMMARY_URI)).contents[0], "text", ""))
    assert summary["complete"] is False and "members" in summary["note"] and summary["members"]["total"] == 5


async def test_a_rejected_key_reads_as_an_actionable_resource_error(connect: Connect, sandbox: Sandbox) -> None:
    key = "sk-ant-admin01-revoked-for-this-test"
    sandbox.revoked_keys.add(key)
    async with connect(admin_key=Secret(key)) as client:
        with pytest.raises(MCPError, match="Authentication failed") as caught:
            await client.read_resource(SUMMARY_URI)
    assert key not in str(caught.value)


@pytest.mark.parametrize("mode", ["legacy", "auto", "2026-07-28"])
@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("nope", {}, "Unknown prompt: 'nope'. The prompts are: monthly_cost_review, api_key_audit, offboard_user."),
        ("offboard_user", {}, "Prompt offboard_user needs the argument email (Email address of the person leaving)."),
        (
            "offboard_user",
            {"email": "a@b.example", "cc": "x"},
            "Prompt offboard_user has no argument cc; it takes: email.",
        ),
        ("api_key_audit", {"month": "2026-10"}, "Prompt api_key_audit has no argument month; it takes: no arguments."),
        ("monthly_cost_review", {"month": "2026-13"}, "month must be YYYY-MM, e.g. 2026-10; got '2026-13'"),
    ],
)
async def test_a_bad_prompt_request_is_invalid_params_with_the_reason_on_every_protocol_version(
    connect: Connect, mode: str, name: str, args: dict[str, str], message: str
) -> None:
    async with connect(client_kwargs={"mode": mode}) as client:
        with pytest.raises(MCPError) as caught:
            await client.get_prompt(name, args)
    assert (caught.value.error.code, caught.value.error.message) == (INVALID_PARAMS, message)


async def test_a_prompt_outside_the_selection_is_unknown(connect: Connect) -> None:
    async with connect(toolsets=frozenset({"models"})) as client:
        with pytest.raises(MCPError, match=r"Unknown prompt: 'api_key_audit'\. The prompts are: none on this server"):
            await client.get_prompt("api_key_audit", {})
