"""models toolset, end to end through the in-memory MCP client against the sandbox."""

from __future__ import annotations

import pytest

from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.models_state import MODELS
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio


async def test_list_models_is_newest_first_and_leaves_retired_models_out(connect: Connect) -> None:
    async with connect() as client:
        page = await call_ok(client, "list_models", {})
    ids = [m["id"] for m in page["data"]]
    assert ids[0] == MODELS[0]["id"] and page["has_more"] is False
    dates = [m["created_at"] for m in page["data"]]
    assert dates == sorted(dates, reverse=True)
    assert "claude-opus-4-5-20251101" not in ids  # retired
    first = page["data"][0]
    assert first["type"] == "model" and first["max_tokens"] > 0 and first["capabilities"]["batch"]["supported"]


async def test_list_models_pages_by_cursor_and_all_pages_collects_everything(
    connect: Connect, sandbox: Sandbox
) -> None:
    async with connect(list_item_cap=1000) as client:
        first = await call_ok(client, "list_models", {"limit": 3})
        second = await call_ok(client, "list_models", {"limit": 3, "after_id": first["last_id"]})
        everything = await call_ok(client, "list_models", {"all_pages": True})
    assert first["has_more"] is True and len(first["data"]) == 3
    assert {m["id"] for m in first["data"]}.isdisjoint({m["id"] for m in second["data"]})
    listed = [m for m in MODELS if m["lifecycle"] != "retired"]
    assert [m["id"] for m in everything["data"]] == [m["id"] for m in listed] and everything["has_more"] is False
    assert sandbox.requests[-1].query[0] == ("limit", "1000")
    assert all(r.key_kind == "api" for r in sandbox.requests)


async def test_get_model_resolves_an_alias_to_the_current_model_id(connect: Connect) -> None:
    async with connect() as client:
        by_alias = await call_ok(client, "get_model", {"model_id": "claude-haiku-4-5"})
        by_id = await call_ok(client, "get_model", {"model_id": "claude-sonnet-4-6"})
    assert by_alias["id"] == "claude-haiku-4-5-20251001" and by_alias["lifecycle"] == "deprecated"
    assert by_alias["deprecated_at"] and by_alias["retires_at"]
    assert by_id["display_name"] == "Claude Sonnet 4.6"


async def test_get_model_unknown_id_names_the_list_tool_and_bad_ids_are_refused_first(
    connect: Connect, sandbox: Sandbox
) -> None:
    async with connect() as client:
        text = await call_error(client, "get_model", {"model_id": "claude-nope-1"})
        before = len(sandbox.requests)
        bad = await call_error(client, "get_model", {"model_id": "../v1/files"})
    assert "Not found" in text and "list_models" in text
    assert "pattern" in bad and len(sandbox.requests) == before
