"""Typed tools take their wire facts from the catalog: each names its operation, and no path is written twice."""

from __future__ import annotations

import re

import pytest

from claude_api_mcp.client.catalog import load_catalog
from claude_api_mcp.tools._ops import op
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.paths import REPO

GENERIC = {"search_api", "describe_api", "read_api", "write_api"}  # they take any operation by id


def test_every_typed_tool_names_a_catalog_operation_that_names_it_back() -> None:
    catalog = load_catalog()
    for tool in ALL_TOOLS:
        if tool.name in GENERIC:
            assert tool.op is None
            continue
        assert tool.op is not None, f"{tool.name} names no catalog operation"
        operation = catalog.get(tool.op)
        assert operation is not None, f"{tool.name}: the catalog has no {tool.op}"
        assert operation.typed_tool == tool.name  # generated from the tools' own declarations
        assert operation.key == tool.key.value, f"{tool.name} needs the {operation.key} key, as its operation does"
        assert (operation.method == "GET") == tool.read_only or tool.name == "count_tokens", tool.name


def test_no_typed_tool_writes_an_api_path_of_its_own() -> None:
    for path in sorted((REPO / "tools").glob("*.py")):
        if path.name.startswith("_api"):
            continue
        literal = re.findall(r"""["']/v1/[^"']*["']""", path.read_text())
        assert not literal, f"{path.name} writes {literal}: take it from the catalog (tools/_ops.py)"


def test_an_operation_fills_its_path_and_refuses_what_it_does_not_have() -> None:
    member = op("organization.workspaces.members.retrieve")
    assert (
        member.path(workspace_id="wrkspc_1", user_id="user_2") == "/v1/organizations/workspaces/wrkspc_1/members/user_2"
    )
    assert member.method == "GET"
    with pytest.raises(KeyError, match="needs more path parameters"):
        member.path(workspace_id="wrkspc_1")
    with pytest.raises(KeyError, match="no path parameter"):
        member.path(workspace_id="w", user_id="u", invite_id="i")
    with pytest.raises(LookupError, match="no operation"):
        op("organization.nothing.here").path()
