"""search_api ranks the right operation for plain admin and builder requests.

The table is what people type; the expected operation is the one an admin would pick by hand. Run with
``-s`` to see every rank. Rank 1 for the large majority, top 3 for every row.
"""

from __future__ import annotations

import pytest

from claude_api_mcp.client.catalog import load_catalog
from claude_api_mcp.tools._api_search import search
from tests.conftest import Connect
from tests.helpers import call_ok

REQUESTS = [
    ("add someone to an RBAC group", "organization.rbac_groups.members.add"),
    ("which RBAC groups do we have", "organization.rbac_groups.list"),
    ("members of the Finance group", "organization.rbac_groups.members.list"),
    ("take a user out of an RBAC group", "organization.rbac_groups.members.remove"),
    ("create a new RBAC group", "organization.rbac_groups.create"),
    ("rename an RBAC group", "organization.rbac_groups.update"),
    ("delete an RBAC group", "organization.rbac_groups.delete"),
    ("list the RBAC roles", "organization.rbac_roles.list"),
    ("permissions of a role", "organization.rbac_roles.permissions.list"),
    ("show our spend limits", "beta.organization.spend_limits.list"),
    ("set a monthly spend limit", "beta.organization.spend_limits.set"),
    ("effective spend limits", "organization.spend_limits.effective.list"),
    ("approve a spend limit increase request", "organization.spend_limits.increase_requests.approve"),
    ("deny a request to raise the spend limit", "organization.spend_limits.increase_requests.deny"),
    ("pending spend limit increase requests", "organization.spend_limits.increase_requests.list"),
    ("service accounts of a workspace", "organization.workspaces.service_accounts.list"),
    ("create a service account", "organization.service_accounts.create"),
    ("archive a service account", "organization.service_accounts.archive"),
    ("give a service account access to a workspace", "organization.workspaces.service_accounts.add"),
    ("archive an agent", "beta.agents.archive"),
    ("create an agent", "beta.agents.create"),
    ("list our agents", "beta.agents.list"),
    ("versions of an agent", "beta.agents.versions.list"),
    ("start a session with an agent", "beta.sessions.create"),
    ("send a user message to a session", "beta.sessions.events.send"),
    ("stream a session's events", "beta.sessions.events.stream"),
    ("create an environment for agents", "beta.environments.create"),
    ("create a vault", "beta.vaults.create"),
    ("add a credential to a vault", "beta.vaults.credentials.create"),
    ("create a memory store", "beta.memory_stores.create"),
    ("list the memories in a memory store", "beta.memory_stores.memories.list"),
    ("create a webhook", "beta.organization.webhooks.create"),
    ("regenerate a webhook signing secret", "beta.organization.webhooks.regenerate_signing_secret"),
    ("export telemetry to our OpenTelemetry collector", "beta.organization.telemetry_destinations.create"),
    ("sign a user out", "beta.organization.users.sign_out"),
    ("add an SSO federation issuer", "organization.federation.issuers.create"),
    ("list federation rules", "organization.federation.rules.list"),
    ("customer managed encryption keys", "organization.external_keys.list"),
    ("show the compliance settings", "organization.compliance_settings.retrieve"),
    ("change the compliance settings", "organization.compliance_settings.update"),
    ("list user profiles", "user_profiles.list"),
    ("create a new version of a skill", "skills.versions.create"),
    ("delete a skill version", "skills.versions.delete"),
    ("override a workspace rate limit", "organization.workspaces.rate_limits.update"),
    ("activity analytics per user", "organization.analytics.users.list"),
    ("token usage report by model", "organization.usage_report.messages"),
    ("cost report", "organization.cost_report"),
    ("claude code usage report", "organization.usage_report.claude_code"),
    ("invite a colleague", "organization.invites.create"),
    ("change someone's role", "organization.users.update"),
    ("results of a message batch", "messages.batches.results"),
    ("download a file", "files.download"),
    ("deploy an agent", "beta.deployments.create"),
    ("pause a deployment", "beta.deployments.pause"),
    ("who is in the organization", "organization.users.list"),
    ("remove a workspace from a service account", "organization.service_accounts.workspaces.remove"),
    ("cancel a message batch", "messages.batches.cancel"),
    ("get a webhook", "beta.organization.webhooks.retrieve"),
    ("delete a vault", "beta.vaults.delete"),
    ("archive a session", "beta.sessions.archive"),
    ("list environments", "beta.environments.list"),
    ("update an agent's system prompt", "beta.agents.update"),
    ("count tokens in a prompt", "messages.count_tokens"),
    ("usage and cost analytics", "beta.organization.analytics.usage.list"),
    ("list API keys", "organization.api_keys.list"),
    ("spend limit", "beta.organization.spend_limits.list"),
    ("rate limits of a workspace", "organization.workspaces.rate_limits.list"),
]


def rank(query: str, expected: str) -> int | None:
    found = [op.id for op in search(query, 10)]
    return found.index(expected) + 1 if expected in found else None


def test_every_expected_operation_exists() -> None:
    catalog = load_catalog()
    assert len(REQUESTS) >= 40
    assert [op for _, op in REQUESTS if catalog.get(op) is None] == []


def test_the_right_operation_ranks_first_for_most_requests_and_top_three_for_all() -> None:
    ranks = {query: rank(query, expected) for query, expected in REQUESTS}
    for query, expected in REQUESTS:
        print(f"{ranks[query] or '-':>2}  {query!r} -> {expected}")
    first = sum(1 for r in ranks.values() if r == 1)
    top3 = sum(1 for r in ranks.values() if r is not None and r <= 3)
    print(f"rank 1: {first}/{len(REQUESTS)}; top 3: {top3}/{len(REQUESTS)}")
    assert top3 == len(REQUESTS), [q for q, r in ranks.items() if r is None or r > 3]
    assert first >= 0.85 * len(REQUESTS)


@pytest.mark.anyio
async def test_search_api_names_the_typed_tool_and_the_key(connect: Connect) -> None:
    async with connect() as client:
        found = await call_ok(client, "search_api", {"query": "list the users of the organization", "limit": 3})
    top = found["results"][0]
    assert top["operation"] == "organization.users.list"
    assert (top["typed_tool"], top["key"], top["writes"], top["method"]) == ("list_users", "admin", False, "GET")
    assert top["path"] == "/v1/organizations/users"


@pytest.mark.anyio
async def test_search_api_gives_the_beta_header_an_operation_needs(connect: Connect) -> None:
    async with connect() as client:
        found = await call_ok(client, "search_api", {"query": "archive an agent", "limit": 1})
    assert found["results"][0]["beta"] == "managed-agents-2026-04-01"
