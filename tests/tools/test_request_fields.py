"""Today's request fields (issue 12, SDK 2.14.0): each reaches the request body or query as the API names it,
and the sandbox reflects it; betas set anthropic-beta and nothing else does."""

from __future__ import annotations

import base64
import json
import typing
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from anthropic.types.anthropic_beta_param import AnthropicBetaParam
from anthropic.types.tool_union_param import ToolUnionParam
from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.betas import KNOWN_BETAS
from claude_api_mcp.sandbox.messages_fields import SERVER_TOOLS
from claude_api_mcp.sandbox.state import RecordedRequest
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio

MODEL = "claude-sonnet-4-6"
HELLO = [{"role": "user", "content": "Hello"}]
SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
NEW_FIELDS: dict[str, Any] = {
    "output_config": {"effort": "low", "format": {"type": "json_schema", "schema": SCHEMA}},
    "container": {"skills": [{"type": "anthropic", "skill_id": "pdf"}]},
    "inference_geo": "us",
    "speed": "fast",
    "cache_control": {"type": "ephemeral", "ttl": "1h"},
    "diagnostics": {"previous_message_id": None},
}


def last(sandbox: Sandbox, path: str) -> RecordedRequest:
    return [r for r in sandbox.requests if r.path == path][-1]


async def test_send_message_sends_every_new_field_and_the_reply_shows_them(connect: Connect, sandbox: Sandbox) -> None:
    tools = [{"type": "computer_toolset_20260801"}, {"type": "web_search_20260318", "name": "web_search"}]
    args = {"model": MODEL, "max_tokens": 200, "messages": HELLO, "tools": tools, **NEW_FIELDS}
    args |= {"betas": ["context-management-2025-06-27"], "extra_body": {"context_management": {"edits": []}}}
    async with connect() as client:
        reply = await call_ok(client, "send_message", args)
    sent = last(sandbox, "/v1/messages")
    body = sent.json()
    assert {k: body[k] for k in NEW_FIELDS} == NEW_FIELDS
    assert body["tools"] == tools and body["context_management"] == {"edits": []}
    assert sent.beta == "context-management-2025-06-27"
    assert json.loads(reply["content"][0]["text"]) == {"answer": "sandbox"}  # JSON output matching the schema
    assert reply["container"]["id"].startswith("container_")
    assert reply["container"]["skills"] == [{"type": "anthropic", "skill_id": "pdf", "version": "latest"}]


async def test_no_beta_is_sent_unless_asked(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        await call_ok(client, "send_message", {"model": MODEL, "max_tokens": 50, "messages": HELLO, "speed": "fast"})
        await call_ok(client, "count_tokens", {"model": MODEL, "messages": HELLO})
    assert [r.beta for r in sandbox.requests] == [None, None]


async def test_beta_fields_need_betas_and_cannot_shadow_a_field(connect: Connect, sandbox: Sandbox) -> None:
    base = {"model": MODEL, "max_tokens": 50, "messages": HELLO}
    async with connect() as client:
        no_beta = await call_error(client, "send_message", {**base, "extra_body": {"mcp_servers": []}})
        shadow = await call_error(
            client, "send_message", {**base, "betas": ["mcp-client-2025-11-20"], "extra_body": {"speed": "fast"}}
        )
    assert "betas" in no_beta and "speed as its own argument" in shadow
    assert not sandbox.requests


async def test_an_unknown_beta_is_the_apis_400_with_its_request_id(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        text = await call_error(
            client, "send_message", {"model": MODEL, "max_tokens": 50, "messages": HELLO, "betas": ["warp-2099"]}
        )
    assert "anthropic-beta" in text and "warp-2099" in text and "req_" in text


async def test_the_sandbox_refuses_what_the_api_refuses(sandbox: Sandbox) -> None:
    headers = {"x-api-key": "sk-ant-api03-test", "anthropic-version": "2023-06-01"}
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="https://api.anthropic.com") as http:
        unknown_field = await http.post(
            "/v1/messages",
            headers=headers,
            json={"model": MODEL, "max_tokens": 5, "messages": HELLO, "mcp_servers": []},
        )
        with_beta = await http.post(
            "/v1/messages",
            headers={**headers, "anthropic-beta": "mcp-client-2025-11-20"},
            json={"model": MODEL, "max_tokens": 5, "messages": HELLO, "mcp_servers": []},
        )
        counting_container = await http.post(
            "/v1/messages/count_tokens", headers=headers, json={"model": MODEL, "messages": HELLO, "container": "c"}
        )
        bad_format = await http.post(
            "/v1/messages",
            headers=headers,
            json={"model": MODEL, "max_tokens": 5, "messages": HELLO, "output_config": {"format": {"type": "xml"}}},
        )
        tool_checks = [
            await http.post(
                "/v1/messages",
                headers=headers,
                json={"model": MODEL, "max_tokens": 5, "messages": HELLO, "tools": tools},
            )
            for tools in (
                [{"type": "computer_toolset_20260801"}],
                [{"type": "web_search_20260318", "name": "search"}],
                [{"type": "mcp_toolset", "mcp_server_name": "x"}],
                [{"name": "mine"}],
            )
        ]
    assert [r.status_code for r in tool_checks] == [200, 400, 400, 400]
    assert unknown_field.status_code == 400 and "mcp_servers" in unknown_field.json()["error"]["message"]
    assert with_beta.status_code == 200
    assert counting_container.status_code == 400 and unknown_field.json()["type"] == "error"
    assert bad_format.status_code == 400 and "output_config.format.type" in bad_format.json()["error"]["message"]


async def test_count_tokens_sends_the_sdks_count_fields(connect: Connect, sandbox: Sandbox) -> None:
    fields = {k: NEW_FIELDS[k] for k in ("output_config", "speed", "cache_control")}
    async with connect() as client:
        counted = await call_ok(
            client, "count_tokens", {"model": MODEL, "messages": HELLO, **fields, "betas": ["fast-mode-2026-02-01"]}
        )
        refused = await call_error(client, "count_tokens", {"model": MODEL, "messages": HELLO, "container": "c"})
    sent = last(sandbox, "/v1/messages/count_tokens")
    assert {k: sent.json()[k] for k in fields} == fields and sent.beta == "fast-mode-2026-02-01"
    assert counted["input_tokens"] > 0 and "Unknown argument container" in refused


async def test_a_batch_request_is_validated_like_send_message_and_sends_the_same_fields(
    connect: Connect, sandbox: Sandbox
) -> None:
    params = {"model": MODEL, "max_tokens": 50, "messages": HELLO, **NEW_FIELDS}
    beta_only = {**params, "extra_body": {"context_management": {"edits": []}}}
    async with connect() as client:
        typo = await call_error(
            client, "create_batch", {"requests": [{"custom_id": "a", "params": {**params, "temprature": 1}}]}
        )
        unnamed = await call_error(client, "create_batch", {"requests": [{"custom_id": "b", "params": beta_only}]})
        assert not sandbox.requests
        await call_ok(
            client,
            "create_batch",
            {"requests": [{"custom_id": "c", "params": beta_only}], "betas": ["context-management-2025-06-27"]},
        )
    assert "requests[0].params.temprature is not a field the API accepts here." in typo
    assert "name their betas in betas" in unnamed
    sent = last(sandbox, "/v1/messages/batches")
    assert sent.json()["requests"][0]["params"] == {**params, "context_management": {"edits": []}}
    assert sent.beta == "context-management-2025-06-27"


async def test_usage_filters_reach_the_query_and_speed_sends_its_beta(connect: Connect, sandbox: Sandbox) -> None:
    args = {"starting_at": "2026-11-01", "ending_at": "2026-11-03", "account_ids": ["user_01a"]}
    args |= {"service_account_ids": ["svac_01b"], "speeds": ["fast"]}
    async with connect() as client:
        await call_ok(client, "get_usage", args)
    sent = last(sandbox, "/v1/organizations/usage_report/messages")
    assert ("account_ids[]", "user_01a") in sent.query and ("service_account_ids[]", "svac_01b") in sent.query
    assert ("speeds[]", "fast") in sent.query and sent.beta == "fast-mode-2026-02-01"


async def test_a_speed_filter_without_its_beta_is_a_400_like_grouping(sandbox: Sandbox) -> None:
    headers = {"x-api-key": "sk-ant-admin01-test", "anthropic-version": "2023-06-01"}
    query = {"starting_at": "2026-11-01T00:00:00Z", "speeds[]": "fast"}
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="https://api.anthropic.com") as http:
        refused = await http.get("/v1/organizations/usage_report/messages", params=query, headers=headers)
        grouped = await http.get(
            "/v1/organizations/usage_report/messages",
            params={"starting_at": "2026-11-01T00:00:00Z", "group_by[]": "speed"},
            headers=headers,
        )
    assert refused.status_code == 400 and "fast-mode-2026-02-01" in refused.json()["error"]["message"]
    assert grouped.status_code == 400


async def test_cost_rows_keep_what_a_description_stands_for(connect: Connect) -> None:
    async with connect() as client:
        cost = await call_ok(client, "get_cost", {"starting_at": "2026-11-01", "group_by": ["description"]})
    tokens = next(row for row in cost["groups"] if row.get("cost_type") == "tokens")
    assert {"model", "token_type", "service_tier", "context_window", "inference_geo"} <= set(tokens)


async def test_claude_code_actor_rows_keep_the_records_fields(connect: Connect) -> None:
    async with connect() as client:
        report = await call_ok(client, "get_claude_code_usage", {"starting_at": "2026-11-02"})
    actor = report["actors"][0]
    assert {"customer_type", "terminal_type", "is_remote"} <= set(actor)


async def test_list_filters_reach_the_query_and_the_sandbox_applies_them(connect: Connect, sandbox: Sandbox) -> None:
    default_ws = sandbox.org.default_workspace_id
    async with connect() as client:
        retired = await call_ok(client, "list_models", {"lifecycle": ["retired"]})
        spaces = await call_ok(client, "list_workspaces", {"include_default": True, "ids": [default_ws]})
    assert retired["data"] and {m["lifecycle"] for m in retired["data"]} == {"retired"}
    assert ("lifecycle[]", "retired") in last(sandbox, "/v1/models").query
    assert [w["id"] for w in spaces["data"]] == [default_ws]
    query = last(sandbox, "/v1/organizations/workspaces").query
    assert ("include_default", "true") in query and ("ids[]", default_ws) in query


async def test_files_by_id_and_with_an_expiry(connect: Connect, sandbox: Sandbox) -> None:
    upload = {"content_base64": base64.b64encode(b"x,y\n").decode(), "filename": "a.csv"}
    async with connect() as client:
        kept = await call_ok(client, "upload_file", {**upload, "expires_in_seconds": 7200})
        await call_ok(client, "upload_file", upload)
        listed = await call_ok(client, "list_files", {"ids": [kept["id"]]})
        mixed = await call_error(client, "list_files", {"ids": [kept["id"]], "page": "page_x"})
    assert kept["expires_at"] is not None
    first_upload = next(r for r in sandbox.requests if r.path == "/v1/files" and r.method == "POST")
    assert b'name="expires_in_seconds"\r\n\r\n7200' in first_upload.body
    assert [f["id"] for f in listed["data"]] == [kept["id"]] and listed["has_more"] is False
    assert ("ids[]", kept["id"]) in last(sandbox, "/v1/files").query
    assert "not both" in mixed


async def test_an_invite_sends_its_rbac_groups(connect: Connect, sandbox: Sandbox) -> None:
    args = {"email": "new.person@acme.example", "role": "developer", "rbac_group_ids": ["rbacgrp_01x"]}
    async with connect() as client:
        text = await call_error(client, "create_invite", args)
    assert last(sandbox, "/v1/organizations/invites").json()["rbac_group_ids"] == ["rbacgrp_01x"]
    assert "Claude Enterprise" in text  # the sandbox organization is not an Enterprise one


def test_the_sandbox_knows_exactly_the_sdks_server_tools() -> None:
    def literals(hint: Any) -> list[str]:
        if typing.get_origin(hint) is typing.Literal:
            return list(typing.get_args(hint))
        return [value for arg in typing.get_args(hint) for value in literals(arg)]

    expected: dict[str, str | None] = {}
    for param in typing.get_args(ToolUnionParam):
        hints = typing.get_type_hints(param, include_extras=True)
        for kind in literals(hints["type"]):
            if kind != "custom":
                names = literals(hints["name"]) if "name" in hints else [None]
                expected[kind] = names[0]
    assert expected == SERVER_TOOLS


def test_the_sandbox_knows_exactly_the_sdks_beta_values() -> None:
    literal = next(a for a in typing.get_args(AnthropicBetaParam) if typing.get_origin(a) is typing.Literal)
    assert set(typing.get_args(literal)) == KNOWN_BETAS


async def test_a_batchs_betas_apply_to_each_of_its_requests_in_the_sandbox() -> None:
    now = [datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)]
    box = Sandbox(clock=lambda: now[0])
    params = {"model": MODEL, "max_tokens": 50, "messages": HELLO, "extra_body": {"context_management": {"edits": []}}}
    args = {"requests": [{"custom_id": "c", "params": params}], "betas": ["context-management-2025-06-27"]}
    async with Client(build_server(Settings(sandbox=True, profile=Profile.ADMIN), sandbox=box)) as client:
        batch = await call_ok(client, "create_batch", args)
        now[0] += timedelta(minutes=5)
        results = await call_ok(client, "get_batch_results", {"message_batch_id": batch["id"]})
    assert results["counts"] == {"succeeded": 1}
