"""The tool index: a server lists its tools from data computed at build time and builds a tool on its first call.

What is listed must be exactly what the built tool publishes and enforces, whatever the settings; a server
that has listed its tools has imported no tool module and built no argument model.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from claude_api_mcp.app import tool_index
from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.app.tool_build import build_tool
from claude_api_mcp.core.config import ConfirmPolicy, Profile, Settings
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio


def test_the_index_is_what_the_registry_builds() -> None:
    current = tool_index.INDEX_PATH.read_text(encoding="utf-8")
    assert tool_index.render() == current, "server/app/tool_index.json is stale: run python scripts/sync_docs.py"


def test_the_index_holds_every_tool_of_the_registry_in_order_with_its_metadata() -> None:
    indexed = tool_index.indexed_tools()
    assert [t.name for t in indexed] == [t.name for t in ALL_TOOLS]
    assert list(indexed) == ALL_TOOLS  # every metadata field compared (the function is not)
    assert all(t.fn is r.fn for t, r in zip(indexed, ALL_TOOLS, strict=True))  # loads the very function


@pytest.mark.parametrize(
    "settings",
    [
        Settings(profile=Profile.ADMIN, confirm=ConfirmPolicy.WRITES),
        Settings(profile=Profile.ADMIN, confirm=ConfirmPolicy.NEVER),
        Settings(sandbox=True),
    ],
    ids=["confirm-writes", "confirm-never", "read-only-sandbox"],
)
def test_what_is_listed_is_what_the_built_tool_publishes_whatever_the_settings(settings: Settings) -> None:
    for tool in ALL_TOOLS:
        built, listed = build_tool(tool, settings), tool_index.listing(tool.name)
        assert built.parameters == listed.input_schema, tool.name
        assert built.output_schema == listed.output_schema, tool.name
        assert built.description == tool.description, tool.name


async def test_a_listed_tool_is_built_once_on_its_first_call_and_then_enforces_its_schema() -> None:
    server = build_server(Settings(sandbox=True))
    listed: Any = server._tool_manager.get_tool("list_users")
    assert isinstance(listed, tool_index.ListedTool) and listed._built is None
    async with Client(server) as client:
        await call_ok(client, "list_users", {"limit": 2})
        first = listed._built
        await call_ok(client, "list_users", {"limit": 3})
        assert first is not None and listed._built is first
        text = await call_error(client, "list_users", {"limit": 2, "made_up": 1})
    assert "made_up" in text and "limit" in text  # strict arguments: the built tool's


async def test_a_tool_built_unlike_its_listing_says_the_index_is_stale(caplog: pytest.LogCaptureFixture) -> None:
    server = build_server(Settings(sandbox=True))
    listed: Any = server._tool_manager.get_tool("list_users")
    listed.parameters = {**listed.parameters, "properties": {}}  # as if list_users had gained its arguments since
    async with Client(server) as client:
        await call_ok(client, "list_users", {"limit": 1})
        await call_ok(client, "list_users", {"limit": 1})
    stale = [r.getMessage() for r in caplog.records if "stale" in r.getMessage()]
    assert stale == ["list_users: tool_index.json is stale; run python scripts/sync_docs.py"]
