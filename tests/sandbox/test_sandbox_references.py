"""Writes the real API would refuse are refused by the sandbox too, before anything changes.

Each test sends the write twice: with an invented or misplaced id (refused with the API's 400 envelope and a
``<kind>_not_found`` code, nothing stored) and with a real one (accepted, and then seen by the other operations).
Arguments otherwise come from the catalog's schema, with references the sandbox resolves, as a careful caller's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import pytest

from claude_api_mcp.client.http import AnthropicAPI, make_client
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import SANDBOX_ADMIN_KEY, SANDBOX_API_KEY, Sandbox
from tests.generic_driver import arguments_for
from tests.sandbox_driver import CATALOG, Driver

pytestmark = pytest.mark.anyio


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(clock=lambda: datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
async def driver(sandbox: Sandbox) -> AsyncIterator[Driver]:
    settings = Settings(
        sandbox=True, admin_key=Secret(SANDBOX_ADMIN_KEY), api_key=Secret(SANDBOX_API_KEY), max_retries=0
    )
    async with make_client(settings, sandbox.transport()) as client:
        yield Driver(AnthropicAPI(client, settings), sandbox)


async def _args(driver: Driver, op_id: str, **overrides: Any) -> dict[str, Any]:
    op = CATALOG.by_id[op_id]
    path_args = await driver.path_args(op, fresh=False)
    return {**path_args, **arguments_for(op, driver.synth, path_args, driver.sandbox), **overrides}


async def _refused(driver: Driver, op_id: str, args: dict[str, Any]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await driver.call(CATALOG.by_id[op_id], args)
    assert caught.value.status == 400 and caught.value.type == "invalid_request_error", caught.value
    return caught.value


async def _listed(driver: Driver, op_id: str, **args: Any) -> list[dict[str, Any]]:
    page = await driver.call(CATALOG.by_id[op_id], {**args, "limit": 100})
    return list(page["data"])


async def test_a_deployment_of_an_agent_that_does_not_exist_is_refused(driver: Driver) -> None:
    before = await _listed(driver, "beta.deployments.list")
    error = await _refused(
        driver, "beta.deployments.create", await _args(driver, "beta.deployments.create", agent="agent_01Invented")
    )
    assert error.error_code == "agent_not_found" and "agent_01Invented" in error.message
    assert await _listed(driver, "beta.deployments.list") == before  # nothing was created
    agent = (await _listed(driver, "beta.agents.list"))[0]["id"]
    made = await driver.call(
        CATALOG.by_id["beta.deployments.create"], await _args(driver, "beta.deployments.create", agent=agent)
    )
    assert made["id"] in {d["id"] for d in await _listed(driver, "beta.deployments.list")}


async def test_a_federation_rule_needs_a_real_issuer_and_a_match_that_constrains(driver: Driver) -> None:
    op = "organization.federation.rules.create"
    match = {"subject_prefix": "repo:acme/"}
    unknown = await _refused(driver, op, await _args(driver, op, issuer_id="fdis_01Invented", match=match))
    assert unknown.error_code == "federation_issuer_not_found"
    issuer = (await _listed(driver, "organization.federation.issuers.list"))[0]["id"]
    empty = await _refused(driver, op, await _args(driver, op, issuer_id=issuer, match={}))
    assert "match" in empty.message and "subject_prefix" in empty.message
    nulls = {"audience": None, "claims": None, "condition": None, "subject_prefix": None}
    await _refused(driver, op, await _args(driver, op, issuer_id=issuer, match=nulls))
    made = await driver.call(CATALOG.by_id[op], await _args(driver, op, issuer_id=issuer, match=match))
    assert made["issuer_id"] == issuer


async def test_a_plugin_cannot_serve_a_version_it_does_not_have(driver: Driver) -> None:
    plugin = (await _listed(driver, "beta.organization.plugins.list"))[0]
    op = "beta.organization.plugins.update"
    error = await _refused(driver, op, {"plugin_id": plugin["id"], "served_version_id": "pluginver_01Invented"})
    assert error.error_code == "version_not_found"
    versions = await _listed(driver, "beta.organization.plugins.versions.list", plugin_id=plugin["id"])
    held = {v["id"] for v in versions}
    assert plugin["latest_version_id"] in held and plugin["served_version_id"] in held  # what it shows exists
    other = next(v["id"] for v in versions if v["id"] != plugin["served_version_id"])
    updated = await driver.call(CATALOG.by_id[op], {"plugin_id": plugin["id"], "served_version_id": other})
    assert updated["served_version_id"] == other


async def test_a_slack_channel_needs_slacks_own_ids_not_an_anthropic_workspace_id(driver: Driver) -> None:
    op = "beta.organization.claude_tag.slack_channels.create"
    workspace = (await _listed(driver, "organization.workspaces.list"))[0]["id"]
    error = await _refused(driver, op, {"slack": {"workspace_id": workspace, "channel_id": "C0123ABCD"}})
    assert "Anthropic workspace id" in error.message and "T0123ABCD" in error.message
    made = await driver.call(CATALOG.by_id[op], {"slack": {"workspace_id": "T0123ABCD", "channel_id": "C0123ABCD"}})
    assert made["slack"] == {"workspace_id": "T0123ABCD", "channel_id": "C0123ABCD"}


async def test_a_spend_limit_for_a_user_that_does_not_exist_is_refused(driver: Driver, sandbox: Sandbox) -> None:
    op = "beta.organization.spend_limits.set"
    before = await _listed(driver, "beta.organization.spend_limits.list")
    invented = {"type": "user", "user_id": "user_01Invented"}
    error = await _refused(driver, op, {"amount": "500.00", "scope": invented})
    assert error.error_code == "user_not_found"
    assert await _listed(driver, "beta.organization.spend_limits.list") == before
    user = next(iter(sandbox.org.users))
    made = await driver.call(CATALOG.by_id[op], {"amount": "500.00", "scope": {"type": "user", "user_id": user}})
    listed = await _listed(driver, "beta.organization.spend_limits.list")
    assert made["id"] in {limit["id"] for limit in listed}  # what one operation creates, the others see
    for limit in listed:
        if limit["scope"]["type"] == "user":
            assert limit["scope"]["user_id"] in sandbox.org.users
