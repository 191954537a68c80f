"""Every tool's metadata, checked in one loop, against the contract (docs/tools-contract.md) and the snapshots.

Snapshots (tests/__toolsnaps__/<tool>.json) pin the advertised surface: a renamed argument or a changed
schema is a breaking change for users and must show up in review. Rewrite them with UPDATE_TOOLSNAPS=1.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest
from mcp import Client
from mcp.types import Tool

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import KeyKind, Profile, Settings
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.paths import REPO, TESTS

pytestmark = pytest.mark.anyio

CONTRACT = REPO / "docs" / "tools-contract.md"
SNAPS = TESTS / "__toolsnaps__"
ADMIN_TOOLSETS = {
    "organization",
    "users",
    "invites",
    "workspaces",
    "workspace_members",
    "api_keys",
    "rate_limits",
    "reports",
}
MAX_DESCRIPTION = 300  # characters: descriptions are paid for in every conversation
# Arguments beyond the contract's table: the request fields of SDK 2.14.0 that issue 12 asked for (the SDK's
# own names, so nothing is renamed), and ``betas`` / ``extra_body`` for beta features on purpose.
MESSAGE_FIELDS = {"output_config", "container", "inference_geo", "speed", "cache_control", "diagnostics"}
ADDED_ARGS: dict[str, set[str]] = {
    "send_message": MESSAGE_FIELDS | {"betas", "extra_body"},
    "count_tokens": {"output_config", "speed", "cache_control", "betas"},  # the SDK's count_tokens fields
    "create_batch": {"betas"},
    "get_usage": {"account_ids", "service_account_ids", "speeds"},
    "list_models": {"lifecycle"},
    "list_files": {"ids"},
    "upload_file": {"expires_in_seconds"},
    "list_workspaces": {"include_default", "ids"},
    "create_invite": {"rbac_group_ids"},
}


def contract() -> dict[str, dict[str, Any]]:
    """Tool name → {toolset, key, hints, args} parsed from the contract's tables."""
    tools: dict[str, dict[str, Any]] = {}
    toolset, key = "", ""
    for line in CONTRACT.read_text().splitlines():
        if heading := re.match(r"^### (\w+) \((A and K|A|K)\)", line):
            toolset, key = heading.group(1), heading.group(2)
            continue
        if line.startswith("## "):
            toolset = ""  # past the catalog (e.g. the flags table)
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not toolset or len(cells) < 3 or not cells[0].startswith("`"):
            continue
        name = cells[0].strip("`")
        hints = cells[-1]
        args = cells[2] if len(cells) == 4 else cells[1] if len(cells) == 3 else ""  # the api table has no HTTP
        tools[name] = {
            "toolset": toolset,
            "key": KeyKind.ADMIN if key == "A" else KeyKind.API,  # "A and K": either key, declared as API
            "any_key": key == "A and K",
            "read_only": hints.startswith("R"),
            "destructive": " D" in f" {hints}" and "not D" not in hints,
            "idempotent": hints.startswith("R") or (" I" in f" {hints}" and "not I" not in hints),
            "args": _arg_names(args),
        }
    return tools


def _arg_names(cell: str) -> set[str]:
    """Backticked names (`a, b`; `path` or (`content_base64`, `filename`)); a `{...}` span is a shape."""
    names: set[str] = set()
    for span in re.findall(r"`([^`]+)`", cell):
        if "{" not in span:
            names.update(p.strip() for p in span.split(",") if re.fullmatch(r"[a-z0-9_]+", p.strip()))
    return names


async def listed(profile: Profile) -> list[Tool]:
    async with Client(build_server(Settings(sandbox=True, profile=profile))) as client:
        return (await client.list_tools()).tools


def test_the_registry_is_exactly_the_contract() -> None:
    assert [t.name for t in ALL_TOOLS] == list(dict.fromkeys(t.name for t in ALL_TOOLS)), "duplicate tool names"
    assert {t.name for t in ALL_TOOLS} == set(contract())


@pytest.mark.parametrize("tool", ALL_TOOLS, ids=lambda t: t.name)
def test_each_tool_matches_its_contract_row(tool: Any) -> None:
    row = contract()[tool.name]
    assert (tool.toolset, tool.key, tool.any_key) == (row["toolset"], row["key"], row["any_key"])
    assert (tool.read_only, tool.destructive, tool.idempotent) == (
        row["read_only"],
        row["destructive"],
        row["idempotent"],
    )


async def test_every_listed_tool_has_complete_metadata() -> None:
    for tool in await listed(Profile.ADMIN):
        assert re.fullmatch(r"[a-z]+(_[a-z]+)+", tool.name), tool.name
        assert tool.title and tool.annotations
        ann = tool.annotations
        for hint in (ann.read_only_hint, ann.destructive_hint, ann.idempotent_hint, ann.open_world_hint):
            assert hint is not None, f"{tool.name}: every hint must be explicit"
        assert ann.open_world_hint is True
        assert tool.description and len(tool.description) <= MAX_DESCRIPTION, tool.name
        schema = tool.input_schema
        assert schema.get("type") == "object" and "anyOf" not in schema and "oneOf" not in schema, tool.name
        assert tool.output_schema and tool.output_schema.get("type") == "object", tool.name
        for name, prop in schema.get("properties", {}).items():
            described = prop.get("description") or prop.get("$ref") or "allOf" in prop or "enum" in prop
            described = described or "pattern" in prop  # an id: its name and prefix say what it is
            assert described or name in {"dry_run"}, f"{tool.name}.{name} has no description"


async def test_argument_names_are_the_contracts_and_every_write_takes_dry_run() -> None:
    rows = contract()
    for tool in await listed(Profile.ADMIN):
        params = set(tool.input_schema.get("properties", {}))
        # the api table names dry_run; the others imply it. Issue 12 added fields the contract predates.
        expected = (rows[tool.name]["args"] - {"dry_run"}) | ADDED_ARGS.get(tool.name, set())
        if not rows[tool.name]["read_only"]:
            assert "dry_run" in params, f"{tool.name} is a write without dry_run"
            params.discard("dry_run")
        assert params == expected, f"{tool.name}: {sorted(params)} != contract {sorted(expected)}"


def test_key_kinds_follow_the_toolset() -> None:
    for tool in ALL_TOOLS:
        assert (tool.key is KeyKind.ADMIN) == (tool.toolset in ADMIN_TOOLSETS), tool.name


def _snapshot(tool: Tool) -> dict[str, Any]:
    return {
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else None,
        "inputSchema": tool.input_schema,
        "outputSchema": tool.output_schema,
    }


async def test_the_advertised_surface_matches_the_snapshots() -> None:
    update = os.environ.get("UPDATE_TOOLSNAPS") == "1"
    SNAPS.mkdir(exist_ok=True)
    tools = await listed(Profile.ADMIN)
    for tool in tools:
        path = SNAPS / f"{tool.name}.json"
        current = json.dumps(_snapshot(tool), indent=2, sort_keys=True) + "\n"
        if update:
            path.write_text(current)
            continue
        assert path.exists(), f"no snapshot for {tool.name}: run UPDATE_TOOLSNAPS=1 pytest tests/app/test_metadata.py"
        assert path.read_text() == current, f"{tool.name} changed; review, then UPDATE_TOOLSNAPS=1"
    stale = {p.stem for p in SNAPS.glob("*.json")} - {t.name for t in tools}
    if update:
        for name in stale:
            (SNAPS / f"{name}.json").unlink()
    else:
        assert not stale, f"snapshots for tools that no longer exist: {sorted(stale)}"
