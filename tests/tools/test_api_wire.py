"""read_api / write_api on the wire: the catalog's method, path, query encoding, key and beta header, for an
operation of every area; arguments refused before any request; pages, JSONL, downloads and streams bounded."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.client.catalog import Operation, load_catalog
from claude_api_mcp.core.config import ConfirmPolicy, Profile, Settings
from claude_api_mcp.core.secret import Secret
from tests.api_upstream import ADMIN_KEY, API_KEY, Upstream, connect, one_per_area, required_arguments
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio
OP = load_catalog().get


def _expected_path(op: Operation, args: dict[str, Any]) -> str:
    path = op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", str(args[name]))
    return path


def _check_wire(op: Operation, args: dict[str, Any], upstream: Upstream) -> None:
    [request] = upstream.requests
    assert (request.method, request.url.path) == (op.method, _expected_path(op, args))
    assert request.headers["x-api-key"] == (ADMIN_KEY if op.path.startswith("/v1/organizations/") else API_KEY)
    assert request.headers.get("anthropic-beta") == op.beta
    assert "authorization" not in request.headers


async def test_a_read_of_every_area_sends_the_catalogs_request() -> None:
    upstream = Upstream()
    async with connect(upstream) as client:
        for op in one_per_area(writes=False):
            upstream.requests.clear()
            args = required_arguments(op)
            await call_ok(client, "read_api", {"operation": op.id, "arguments": args})
            _check_wire(op, args, upstream)


async def test_a_write_of_every_area_sends_the_catalogs_request() -> None:
    upstream = Upstream()
    async with connect(upstream, confirm=ConfirmPolicy.NEVER) as client:
        for op in one_per_area(writes=True):
            upstream.requests.clear()
            args = required_arguments(op)
            await call_ok(client, "write_api", {"operation": op.id, "arguments": args})
            _check_wire(op, args, upstream)
            if op.body == "json":
                assert set(json.loads(upstream.requests[0].content)) == {
                    k for k in args if op.locations[k] == "body"
                }, op.id


async def test_query_arrays_are_bracketed_and_headers_carry_workspace_ids() -> None:
    upstream = Upstream()
    args = {"starting_at": "2026-11-01T00:00:00Z", "group_by": ["model", "workspace_id"], "models": ["claude-x"]}
    async with connect(upstream) as client:
        await call_ok(client, "read_api", {"operation": "organization.usage_report.messages", "arguments": args})
        await call_ok(client, "read_api", {"operation": "beta.agents.list", "arguments": {"workspace_id": "wrkspc_1"}})
    usage, agents = upstream.requests
    assert usage.url.params.get_list("group_by[]") == ["model", "workspace_id"]
    assert usage.url.params.get_list("models[]") == ["claude-x"]
    assert agents.headers["anthropic-workspace-id"] == "wrkspc_1"
    assert agents.headers["anthropic-beta"] == "managed-agents-2026-04-01"


async def test_a_multipart_upload_sends_the_file_and_the_form_fields() -> None:
    upstream = Upstream()
    args = {"files": [{"filename": "my-skill/SKILL.md", "content_base64": "IyBoaQ=="}], "display_name": "Hi"}
    async with connect(upstream, confirm=ConfirmPolicy.NEVER) as client:
        await call_ok(client, "write_api", {"operation": "skills.create", "arguments": args})
    [request] = upstream.requests
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert b'filename="my-skill/SKILL.md"' in request.content and b"# hi" in request.content
    assert b'name="display_name"' in request.content


REFUSALS = [
    ("organization.users.list", {"limt": 2}, "Unknown argument(s) for organization.users.list: limt. Accepted:"),
    ("organization.rbac_groups.members.add", {"rbac_group_id": "rbacgrp_1"}, "Missing required argument(s)"),
    ("organization.users.list", {"limit": "ten"}, "'limit' must be an integer, not a string"),
    ("organization.users.list", {"limit": True}, "'limit' must be an integer"),
    (
        "beta.organization.spend_limits.set",
        {"amount": "5", "scope": {"type": "organization"}, "period": "yearly"},
        "'period' must be one of: daily, monthly, weekly (got 'yearly')",
    ),
    ("beta.organization.spend_limits.set", {"amount": "5", "scope": {"type": "galaxy"}}, "'scope' must be"),
    ("organization.users.retrieve", {"user_id": "../me"}, "no slashes, no '.' or '..'"),
    ("organization.users.retrieve", {"user_id": "user_1/../../x"}, "no slashes"),
    ("organization.users.retrieve", {"user_id": ".."}, "no slashes, no '.' or '..'"),
    ("organization.users.retrieve", {"user_id": None}, "'user_id' must be a string, not null"),
    ("beta.agents.list", {"workspace_id": "wrkspc_1\r\nx-api-key: stolen"}, "single-line"),
    ("organization.nope.list", {}, "Unknown operation 'organization.nope.list'"),
    ("skills.create", {"files": ["/etc/passwd"]}, "Reading local files is off"),
    ("skills.create", {"files": [{"filename": "a", "content_base64": "!!"}]}, "not valid base64"),
]


async def test_bad_arguments_are_refused_before_any_request() -> None:
    upstream = Upstream()
    async with connect(upstream, confirm=ConfirmPolicy.NEVER) as client:
        for op_id, args, says in REFUSALS:
            op = OP(op_id)
            tool = "write_api" if op is not None and op.writes else "read_api"
            text = await call_error(client, tool, {"operation": op_id, "arguments": args})
            assert says in text, (op_id, text)
            assert "pydantic" not in text.lower() and "http" not in text.lower()
    assert upstream.requests == []


async def test_unknown_arguments_list_the_accepted_ones() -> None:
    async with connect(Upstream()) as client:
        text = await call_error(client, "read_api", {"operation": "organization.users.list", "arguments": {"x": 1}})
    assert "Accepted: after_id, before_id, email, limit, roles." in text


async def test_all_pages_follows_the_cursor_and_says_when_it_stopped_at_the_cap() -> None:
    upstream = Upstream(pages=5, per_page=2)
    async with connect(upstream, list_item_cap=6) as client:
        first = await call_ok(client, "read_api", {"operation": "organization.users.list"})
        capped = await call_ok(client, "read_api", {"operation": "organization.users.list", "all_pages": True})
        tokens = await call_ok(client, "read_api", {"operation": "organization.rbac_groups.list", "all_pages": True})
    assert len(first["data"]) == 2 and first["has_more"] is True and "note" not in first
    assert len(capped["data"]) == 6 and capped["has_more"] is True
    assert "Incomplete" in capped["note"] and "after_id=p3" in capped["note"]
    assert len(tokens["data"]) == 6 and tokens["next_page"] == "p3" and "page=p3" in tokens["note"]


async def test_jsonl_binary_and_streams_come_back_bounded() -> None:
    upstream = Upstream()
    async with connect(upstream) as client:
        lines = await call_ok(
            client,
            "read_api",
            {"operation": "messages.batches.results", "arguments": {"message_batch_id": "msgbatch_1"}},
        )
        content = await call_ok(client, "read_api", {"operation": "files.download", "arguments": {"file_id": "file_1"}})
        events = await call_ok(
            client, "read_api", {"operation": "beta.sessions.events.stream", "arguments": {"session_id": "sesn_1"}}
        )
    assert [line["custom_id"] for line in lines["data"]] == ["r0", "r1", "r2"] and lines["has_more"] is False
    assert content == {"media_type": "text/plain", "size_bytes": 9, "text": "file body"}
    assert [e["n"] for e in events["data"]] == [0, 1, 2]
    assert "stopped because the stream ended" in events["note"]


async def test_a_long_jsonl_result_stops_at_the_budget_and_says_so() -> None:
    async with connect(Upstream(), output_char_budget=120) as client:
        lines = await call_ok(
            client,
            "read_api",
            {"operation": "messages.batches.results", "arguments": {"message_batch_id": "msgbatch_1"}},
        )
    assert len(lines["data"]) < 3 and lines["has_more"] is True and "Stopped at" in lines["note"]


async def test_upstream_errors_name_the_request_id_and_the_list_to_check() -> None:
    async with connect(Upstream()) as client:
        text = await call_error(
            client,
            "read_api",
            {"operation": "organization.rbac_groups.retrieve", "arguments": {"rbac_group_id": "missing_1"}},
        )
    assert "req_404" in text and "read_api organization.rbac_groups.list lists them" in text


class Hostile(Upstream):
    """Streams that never end well: 150 events, a JSONL line without end, a page whose data is not a list."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "POST":
            return httpx.Response(200, json=["not", "an", "object"])
        if path.startswith("/v1/sessions/slow"):
            return httpx.Response(200, stream=_Forever(), headers={"content-type": "text/event-stream"})
        if path.startswith("/v1/sessions/noise"):
            return httpx.Response(200, content=b": keep-alive\n" * 1000, headers={"content-type": "text/event-stream"})
        if path.endswith("/events/stream"):
            events = "".join(f'data: {{"n": {i}}}\n\n' for i in range(150))
            return httpx.Response(200, content=events.encode(), headers={"content-type": "text/event-stream"})
        if path.endswith("/results"):
            return httpx.Response(200, content=b'{"custom_id": "a"}\n{"custom_id": "' + b"x" * 5000)
        return httpx.Response(200, json={"data": {"not": "a list"}, "has_more": False})


class _Forever(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'data: {"n": 0}\n\n'
        await anyio.sleep(3600)
        yield b""


async def test_hostile_streams_and_pages_stay_bounded() -> None:
    async with connect(Hostile(), output_char_budget=1000) as client:
        events = await call_ok(
            client, "read_api", {"operation": "beta.sessions.events.stream", "arguments": {"session_id": "sesn_1"}}
        )
        lines = await call_ok(
            client, "read_api", {"operation": "messages.batches.results", "arguments": {"message_batch_id": "b_1"}}
        )
        page = await call_ok(client, "read_api", {"operation": "organization.rbac_groups.list"})
        noise = await call_ok(
            client, "read_api", {"operation": "beta.sessions.events.stream", "arguments": {"session_id": "noise_1"}}
        )
    assert len(events["data"]) == 100 and "100 events arrived" in events["note"] and "left open" in events["note"]
    assert lines["data"] == [{"custom_id": "a"}] and "longer than 1000 characters" in lines["note"]
    assert page["data"] == []
    assert noise["data"] == [] and "bytes arrived" in noise["note"]


@pytest.mark.slow
async def test_a_stream_that_goes_quiet_returns_what_arrived_within_the_time_bound() -> None:
    async with connect(Hostile()) as client:
        events = await call_ok(
            client, "read_api", {"operation": "beta.sessions.events.stream", "arguments": {"session_id": "slow_1"}}
        )
    assert events["data"] == [{"n": 0}] and "10 s passed" in events["note"]


async def test_count_tokens_is_a_read_sent_as_a_post_with_its_body() -> None:
    upstream = Upstream()
    args = {"model": "claude-x", "messages": [{"role": "user", "content": "hi"}]}
    async with connect(upstream, profile=Profile.READ_ONLY) as client:
        await call_ok(client, "read_api", {"operation": "messages.count_tokens", "arguments": args})
    [request] = upstream.requests
    assert (request.method, request.url.path, request.headers["x-api-key"]) == (
        "POST",
        "/v1/messages/count_tokens",
        API_KEY,
    )
    assert json.loads(request.content) == args


async def test_a_write_answered_with_something_other_than_an_object_is_a_clear_error() -> None:
    async with connect(Hostile(), confirm=ConfirmPolicy.NEVER) as client:
        text = await call_error(
            client, "write_api", {"operation": "organization.rbac_groups.create", "arguments": {"name": "Finance"}}
        )
    assert "organization.rbac_groups.create was sent, but the API's answer was not a JSON object." in text


async def test_an_operation_whose_key_is_not_set_says_which_key_before_sending() -> None:
    upstream = Upstream()
    server = build_server(Settings(api_key=Secret(API_KEY)), transport=httpx.MockTransport(upstream))
    async with Client(server) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        text = await call_error(client, "read_api", {"operation": "organization.rbac_groups.list"})
        await call_ok(client, "read_api", {"operation": "models.list"})
    assert {"search_api", "describe_api", "read_api"} <= names
    assert "ANTHROPIC_ADMIN_KEY is not set" in text
    assert [r.url.path for r in upstream.requests] == ["/v1/models"]


async def test_a_required_argument_may_be_null_where_the_api_allows_it() -> None:
    upstream = Upstream()
    args = {"amount": None, "scope": {"type": "organization"}}
    async with connect(upstream, confirm=ConfirmPolicy.NEVER) as client:
        await call_ok(client, "write_api", {"operation": "beta.organization.spend_limits.set", "arguments": args})
    assert json.loads(upstream.requests[0].content) == args
