"""completion/complete and the resource templates, from the Python SDK client against the sandbox."""

from __future__ import annotations

import json

import pytest
from mcp import Client, MCPError
from mcp.types import PromptReference, ResourceTemplateReference

from claude_api_mcp.app.completions import MAX_VALUES
from claude_api_mcp.app.templates import MODEL, OPERATION, WORKSPACE
from claude_api_mcp.client.catalog import load_catalog
from claude_api_mcp.core.config import Profile
from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_ok

pytestmark = pytest.mark.anyio


async def complete(
    client: Client, ref: PromptReference | ResourceTemplateReference, name: str, value: str
) -> list[str]:
    result = await client.complete(ref, {"name": name, "value": value})
    return result.completion.values


async def test_offboarding_completes_member_emails_from_the_api(connect: Connect) -> None:
    async with connect() as client:
        users = (await call_ok(client, "list_users", {"all_pages": True}))["data"]
        every = await complete(client, PromptReference(name="offboard_user"), "email", "")
        some = await complete(client, PromptReference(name="offboard_user"), "email", users[1]["email"][:4].upper())
    assert sorted(every) == sorted(u["email"] for u in users)
    assert users[1]["email"] in some and all(e.lower().startswith(users[1]["email"][:4]) for e in some)


async def test_a_workspace_completes_by_id_or_by_name(connect: Connect) -> None:
    async with connect() as client:
        workspaces = (await call_ok(client, "list_workspaces", {"all_pages": True}))["data"]
        target = workspaces[-1]
        by_name = await complete(client, ResourceTemplateReference(uri=WORKSPACE), "workspace_id", target["name"][:5])
        by_id = await complete(client, ResourceTemplateReference(uri=WORKSPACE), "workspace_id", target["id"][:10])
        read = await client.read_resource(WORKSPACE.replace("{workspace_id}", target["id"]))
    assert by_name[0] == target["id"] or target["id"] in by_name
    assert target["id"] in by_id
    assert json.loads(read.contents[0].text)["name"] == target["name"]  # type: ignore[union-attr]


async def test_models_and_catalog_operations_complete_and_read(connect: Connect) -> None:
    async with connect() as client:
        models = await complete(client, ResourceTemplateReference(uri=MODEL), "model_id", "claude")
        ops = await complete(client, ResourceTemplateReference(uri=OPERATION), "operation_id", "beta.agents.")
        model = await client.read_resource(MODEL.replace("{model_id}", models[0]))
        described = await client.read_resource(OPERATION.replace("{operation_id}", ops[0]))
    listed = [m["id"] for m in (await _models(connect))]
    assert models and set(models) <= set(listed)
    catalog = {op.id for op in load_catalog().operations}
    assert ops and all(op.startswith("beta.agents.") and op in catalog for op in ops)
    assert json.loads(model.contents[0].text)["id"] == models[0]  # type: ignore[union-attr]
    assert json.loads(described.contents[0].text)["operation"] == ops[0]  # type: ignore[union-attr]


async def _models(connect: Connect) -> list[dict[str, str]]:
    async with connect() as client:
        data: list[dict[str, str]] = (await call_ok(client, "list_models", {"all_pages": True}))["data"]
        return data


async def test_answers_are_bounded_and_say_how_many_there_are(connect: Connect) -> None:
    async with connect() as client:
        result = await client.complete(ResourceTemplateReference(uri=OPERATION), {"name": "operation_id", "value": ""})
    assert len(result.completion.values) == MAX_VALUES
    assert result.completion.total == len(load_catalog().operations) and result.completion.has_more is True


async def test_a_list_is_fetched_once_while_fresh(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        for typed in ("", "a", "av", "j"):
            await complete(client, PromptReference(name="offboard_user"), "email", typed)
    fetched = [r for r in sandbox.requests if r.path == "/v1/organizations/users"]
    assert len(fetched) == 1


async def test_the_cost_review_month_completes_to_recent_full_months(connect: Connect) -> None:
    async with connect() as client:
        months = await complete(client, PromptReference(name="monthly_cost_review"), "month", "")
        prompt = await client.get_prompt("monthly_cost_review", {"month": months[0]})
    assert len(months) == 12 and months == sorted(months, reverse=True)
    assert "Review the Claude API costs" in prompt.messages[0].content.text  # type: ignore[union-attr]


async def test_nothing_to_suggest_is_an_empty_answer_not_an_error(connect: Connect) -> None:
    async with connect() as client:
        unknown = await complete(client, PromptReference(name="not_a_prompt"), "x", "")
        no_source = await complete(client, PromptReference(name="api_key_audit"), "x", "")
        no_match = await complete(client, PromptReference(name="offboard_user"), "email", "zzz-nobody")
    assert unknown == no_source == no_match == []


async def test_without_an_admin_key_emails_are_not_suggested_and_nothing_crashes(connect: Connect) -> None:
    async with connect(profile=Profile.READ_ONLY, toolsets=frozenset({"models", "api"})) as client:
        emails = await complete(client, PromptReference(name="offboard_user"), "email", "")
        models = await complete(client, ResourceTemplateReference(uri=MODEL), "model_id", "")
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
    assert emails == [] and models and templates == {MODEL, OPERATION}


async def test_reading_an_unknown_id_says_what_to_do(connect: Connect) -> None:
    async with connect() as client:
        with pytest.raises(MCPError) as err:
            await client.read_resource(MODEL.replace("{model_id}", "claude-nonexistent"))
    assert "list_models" in str(err.value)
