"""Profiles and narrowing: what is listed is decided once, from each tool's own read-only flag."""

from __future__ import annotations

import pytest
from mcp import Client

from claude_api_mcp.app.assemble import build_server, selection_of
from claude_api_mcp.app.profiles import SelectionError, missing_keys_message, select
from claude_api_mcp.core.config import KeyKind, Profile, Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.helpers import call_error

pytestmark = pytest.mark.anyio


async def names(settings: Settings) -> set[str]:
    async with Client(build_server(settings)) as client:
        return {t.name for t in (await client.list_tools()).tools}


async def test_read_only_lists_exactly_the_read_tools() -> None:
    async with Client(build_server(Settings(sandbox=True))) as client:
        tools = (await client.list_tools()).tools
    assert tools, "the default profile lists tools"
    assert all(t.annotations and t.annotations.read_only_hint is True for t in tools)
    assert {t.name for t in tools} == {t.name for t in ALL_TOOLS if t.read_only}


async def test_admin_lists_every_tool() -> None:
    assert await names(Settings(sandbox=True, profile=Profile.ADMIN)) == {t.name for t in ALL_TOOLS}


async def test_toolsets_tools_and_exclude_narrow_the_list() -> None:
    users_only = await names(Settings(sandbox=True, profile=Profile.ADMIN, toolsets=frozenset({"users"})))
    assert users_only == {t.name for t in ALL_TOOLS if t.toolset == "users"}
    allow = await names(
        Settings(
            sandbox=True,
            profile=Profile.ADMIN,
            tools=frozenset({"get_user", "list_users"}),
            exclude_tools=frozenset({"get_user"}),
        )
    )
    assert allow == {"list_users"}
    everything = await names(Settings(sandbox=True, profile=Profile.ADMIN, toolsets=frozenset({"all"})))
    assert everything == {t.name for t in ALL_TOOLS}


async def test_a_tool_is_never_widened_past_its_profile() -> None:
    listed = await names(
        Settings(sandbox=True, profile=Profile.READ_ONLY, tools=frozenset({"update_user", "list_users"}))
    )
    assert listed == {"list_users"}


async def test_a_hidden_tool_cannot_be_called() -> None:
    async with Client(build_server(Settings(sandbox=True, toolsets=frozenset({"organization"})))) as client:
        text = await call_error(client, "list_users")
        made_up = await call_error(client, "list_userz")
    assert text.startswith("list_users exists but is not enabled") and "--toolsets" in text
    assert "list_invites" not in text and "get_organization" not in text  # the answer lists no other tool
    assert "unknown tool" in made_up.lower()


def test_tools_whose_key_is_missing_are_not_listed_and_the_reason_is_kept() -> None:
    settings = Settings(api_key=Secret("sk-ant-api03-x"), profile=Profile.ADMIN)
    selection = select(ALL_TOOLS, settings)
    assert all(t.key is KeyKind.API for t in selection.tools)
    assert selection.omitted_toolsets.get("users") == "ANTHROPIC_ADMIN_KEY is not set"
    server = build_server(Settings(admin_key=Secret("sk-ant-admin01-x")))
    assert all(t.key is KeyKind.ADMIN or t.any_key for t in selection_of(server).tools)


def test_read_only_says_why_write_only_toolsets_are_left_out() -> None:
    selection = select(ALL_TOOLS, Settings(sandbox=True))
    for toolset, why in selection.omitted_toolsets.items():
        assert all(not t.read_only for t in ALL_TOOLS if t.toolset == toolset)
        assert why == "writes (use --profile admin)"


def test_unknown_toolsets_and_tools_are_startup_errors() -> None:
    with pytest.raises(SelectionError, match="unknown toolset"):
        select(ALL_TOOLS, Settings(sandbox=True, toolsets=frozenset({"userz"})))
    with pytest.raises(SelectionError, match="unknown tool"):
        select(ALL_TOOLS, Settings(sandbox=True, exclude_tools=frozenset({"list_userz"})))


def test_no_key_and_no_sandbox_is_refused_with_what_to_set() -> None:
    message = missing_keys_message(Settings())
    assert message and "ANTHROPIC_ADMIN_KEY" in message and "ANTHROPIC_API_KEY" in message and "--sandbox" in message
    assert missing_keys_message(Settings(sandbox=True)) is None
    assert missing_keys_message(Settings(api_key=Secret("sk-ant-api03-x"))) is None


async def test_a_non_admin_key_for_admin_tools_is_refused_before_any_call() -> None:
    settings = Settings(admin_key=Secret("sk-ant-api03-not-admin"), sandbox=True)
    async with Client(build_server(settings)) as client:
        text = await call_error(client, "list_users")
    assert "is not an Admin API key" in text and "sk-ant-api03-not-admin" not in text
