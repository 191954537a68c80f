"""rate_limits toolset end to end, with the sandbox's entries checked against the SDK 2.14.0 types."""

from __future__ import annotations

import json

import pytest
from anthropic.types.organization import OrganizationRateLimit
from anthropic.types.organization.workspaces import WorkspaceRateLimit

from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok
from tests.reports_expect import replay

pytestmark = pytest.mark.anyio


def _workspace(sandbox: Sandbox, name: str) -> str:
    return next(ws_id for ws_id, ws in sandbox.org.workspaces.items() if ws["name"] == name)


async def test_org_rate_limits_come_whole_in_the_sdk_shape(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        page = await call_ok(client, "list_rate_limits")
    assert page["has_more"] is False and page["next_page"] is None
    (raw,) = await replay(sandbox, sandbox.requests)
    entries = json.loads(raw)["data"]
    assert [OrganizationRateLimit.model_validate(e).id for e in entries] == [e["id"] for e in page["data"]]
    assert {e["group"]["type"] for e in entries} == {
        "model_group",
        "batch",
        "token_count",
        "files",
        "skills",
        "web_search",
    }
    assert sandbox.requests[0].query == []  # no limit: the API returns every entry in one page


async def test_group_type_and_model_filters_are_sent_and_applied(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        batch = await call_ok(client, "list_rate_limits", {"group_type": "batch"})
        sonnet = await call_ok(client, "list_rate_limits", {"model": "claude-sonnet-4-6"})
        text = await call_error(client, "list_rate_limits", {"model": "claude-nonexistent-9"})
    assert [e["group"]["type"] for e in batch["data"]] == ["batch"] and batch["data"][0]["models"] is None
    assert [e["group"]["display_name"] for e in sonnet["data"]] == ["Claude Sonnet 4.x"]
    assert [r.query for r in sandbox.requests][:2] == [[("group_type", "batch")], [("model", "claude-sonnet-4-6")]]
    assert "Not found" in text and "list_rate_limits without model" in text


async def test_workspace_overrides_alone_or_with_inherited_values(connect: Connect, sandbox: Sandbox) -> None:
    staging = _workspace(sandbox, "Staging")
    async with connect() as client:
        own = await call_ok(client, "list_workspace_rate_limits", {"workspace_id": staging})
        every = await call_ok(
            client, "list_workspace_rate_limits", {"workspace_id": staging, "include_inherited": True}
        )
        batch = await call_ok(client, "list_workspace_rate_limits", {"workspace_id": staging, "group_type": "batch"})
        default = await call_ok(
            client, "list_workspace_rate_limits", {"workspace_id": sandbox.org.default_workspace_id}
        )
    for entry in own["data"] + every["data"]:
        WorkspaceRateLimit.model_validate(entry)
    assert {e["group"].get("display_name") or e["group"]["type"] for e in own["data"]} == {
        "Claude Sonnet 4.x",
        "batch",
    }
    assert all(v["source"] == {"type": "workspace"} for e in own["data"] for v in e["limits"])
    assert len(every["data"]) == 8 and {v["source"]["type"] for e in every["data"] for v in e["limits"]} == {
        "workspace",
        "organization",
    }
    inherited = [v for e in every["data"] for v in e["limits"] if v["source"]["type"] == "organization"]
    assert all(v["value"] == v["org_limit"] for v in inherited)
    assert batch["data"][0]["limits"] == [
        {"type": "enqueued_batch_requests", "value": 50_000, "org_limit": 500_000, "source": {"type": "workspace"}}
    ]
    assert default["data"] == []
    assert sandbox.requests[1].query == [("include_inherited", "true")]
    assert sandbox.requests[2].query == [("group_type", "batch")]


async def test_unknown_workspace_and_bad_group_type(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        missing = await call_error(client, "list_workspace_rate_limits", {"workspace_id": "wrkspc_01missing"})
        before = len(sandbox.requests)
        bad = await call_error(client, "list_rate_limits", {"group_type": "images"})
        bad_id = await call_error(client, "list_workspace_rate_limits", {"workspace_id": "ws_1"})
    assert "Not found" in missing and "list_workspaces" in missing
    assert "group_type" in bad and "workspace_id" in bad_id and len(sandbox.requests) == before
