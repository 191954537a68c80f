"""Every write tool's dry run sends nothing but reads, and says what it would send.

Parametrized over the registry, so write tools that land later are covered without edits: arguments come
from each tool's input schema plus ids that exist in the sandbox (tests/schema_args.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp.types import ElicitResult

from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests import schema_args
from tests.conftest import Connect
from tests.helpers import call_ok, text_of

pytestmark = pytest.mark.anyio

WRITE_TOOLS = [t for t in ALL_TOOLS if not t.read_only]


async def _never_asked(context: Any, params: Any) -> ElicitResult:
    raise AssertionError(f"a dry run asked the person: {params.message}")


@pytest.mark.parametrize("tool", WRITE_TOOLS, ids=lambda t: t.name)
async def test_a_dry_run_of_every_write_tool_sends_nothing_but_reads(
    tool: Any, connect: Connect, sandbox: Sandbox, tmp_path: Path
) -> None:
    async with connect(client_kwargs={"elicitation_callback": _never_asked}, allow_files=(tmp_path,)) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        schema = listed[tool.name].input_schema
        assert "dry_run" in schema.get("properties", {}), f"{tool.name} takes no dry_run"
        ids = await schema_args.seed_ids(client, sandbox, tmp_path)
        before = len(sandbox.requests)
        special = schema_args.overrides(tmp_path).get(tool.name)
        candidates = [special] if special else []
        candidates += [schema_args.build(schema, ids), schema_args.build(schema, ids, optional=True)]
        outcomes = []
        for args in candidates:
            result = await client.call_tool(tool.name, {**(args or {}), "dry_run": True})
            outcomes.append(result)
            if not result.is_error:
                break
    sent = list(sandbox.requests)[before:]
    assert all(r.method == "GET" for r in sent), [(r.method, r.path) for r in sent]
    result = outcomes[-1]
    assert not result.is_error, f"no dry run of {tool.name} succeeded: {[text_of(r)[:200] for r in outcomes]}"
    plan = (result.structured_content or {}).get("dry_run")
    assert plan and plan["sent"] is False and plan["method"] != "GET" and plan["path"].startswith("/v1/")


async def test_a_destructive_dry_run_shows_the_request_the_current_state_and_the_consequence(
    connect: Connect, sandbox: Sandbox
) -> None:
    ws = next(w for w in sandbox.org.workspaces.values() if w["name"] == "Prod")
    active = sum(
        1 for k in sandbox.org.api_keys.values() if k["status"] == "active" and k["scope"]["workspace_id"] == ws["id"]
    )
    async with connect() as client:
        plan = await call_ok(client, "archive_workspace", {"workspace_id": ws["id"], "dry_run": True})
    assert plan["dry_run"] == {
        "method": "POST",
        "path": f"/v1/organizations/workspaces/{ws['id']}/archive",
        "body": None,
        "sent": False,
    }
    assert plan["archived_at"] is None and plan["name"] == "Prod"  # the current state, unchanged
    assert plan["confirmation"] == (
        f"Archive workspace 'Prod' ({ws['id']}): its {active} active API keys stop working immediately; "
        "this cannot be undone."
    )
    assert sandbox.org.workspaces[ws["id"]]["archived_at"] is None


async def test_a_non_destructive_dry_run_carries_no_confirmation_text(connect: Connect) -> None:
    async with connect() as client:
        plan = await call_ok(client, "create_workspace", {"name": "Scratch", "dry_run": True})
    assert "confirmation" not in plan
    assert plan["dry_run"]["body"] == {"name": "Scratch"}
