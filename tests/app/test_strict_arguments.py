"""Strict typed tools (issue 12): no argument is ever silently dropped, errors read as plain sentences, and a
tool outside the selection says what would enable it."""

from __future__ import annotations

import inspect
import typing
from typing import Any

import httpx
import pytest
from mcp import Client
from pydantic import BaseModel

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.app.tool_build import _is_resolved
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.core.validation import is_library_text
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.tools._message_request import MessageParams
from claude_api_mcp.tools.messages import send_message
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.conftest import Connect
from tests.helpers import call_error, text_of

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("tool", ALL_TOOLS, ids=lambda t: t.name)
async def test_every_tool_refuses_an_unknown_argument_by_name_and_sends_nothing(
    connect: Connect, sandbox: Sandbox, tool: Any
) -> None:
    async with connect(profile=Profile.ADMIN) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        accepted = list(listed[tool.name].input_schema["properties"])
        before = len(sandbox.requests)
        text = await call_error(client, tool.name, {"bogus_option": 1})
    assert "bogus_option" in text and ("accepts only" in text or "takes no arguments" in text)
    assert all(name in text for name in accepted), text
    assert len(sandbox.requests) == before, "a refused call must send nothing upstream"


async def test_every_input_schema_refuses_unknown_properties_for_clients_too() -> None:
    async with Client(build_server(Settings(sandbox=True, profile=Profile.ADMIN))) as client:
        for tool in (await client.list_tools()).tools:
            assert tool.input_schema.get("additionalProperties") is False, tool.name


def _nested_models(annotation: Any, seen: set[type[BaseModel]]) -> None:
    origin = typing.get_origin(annotation)
    for arg in typing.get_args(annotation) if origin is not None else ():
        _nested_models(arg, seen)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _nested_models(field.annotation, seen)


def test_no_nested_argument_object_ignores_a_field() -> None:
    """pydantic's default (extra="ignore") would drop a misspelled nested field without a word."""
    models: set[type[BaseModel]] = set()
    for tool in ALL_TOOLS:
        for name, param in inspect.signature(tool.fn, eval_str=True).parameters.items():
            if name != "ctx" and not _is_resolved(param.annotation):  # the client's roots are not arguments
                _nested_models(param.annotation, models)
    assert len(models) > 10
    for model in models:
        assert model.model_config.get("extra") in ("forbid", "allow"), model.__name__


def test_a_batch_request_takes_exactly_send_messages_request_arguments() -> None:
    params = set(inspect.signature(send_message.fn).parameters) - {"ctx", "dry_run", "betas"}
    assert set(MessageParams.model_fields) - {"stream"} == params


@pytest.mark.parametrize(
    ("name", "args", "sentences"),
    [
        ("get_user", {"user_id": 5}, ["user_id: Input should be a valid string."]),
        ("get_user", {"user_id": "usr_1"}, ["user_id: should be an id starting with user_ (letters, digits"]),
        ("list_users", {"limit": 0, "roles": ["boss"]}, ["limit: Input should be greater than or equal to 1."]),
        ("get_usage", {}, ["starting_at is required."]),
        (
            "count_tokens",
            {"model": "m", "messages": [{"role": "user", "content": [{"type": "audio"}]}, {"role": "x", "content": 3}]},
            [
                "messages[0].content[0]: type 'audio' is not one of",
                "messages[1].role: Input should be 'user' or 'assistant'.",
                "messages[1].content: Input should be a valid string or a valid list.",
            ],
        ),
        (
            "send_message",
            {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}], "speed": "warp"},
            ["speed: Input should be 'standard' or 'fast'."],
        ),
        (
            "send_message",
            {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi", "name": "x"}]},
            ["messages[0].name is not a field the API accepts here."],
        ),
    ],
)
async def test_validation_errors_are_one_plain_sentence_per_problem(
    connect: Connect, name: str, args: dict[str, Any], sentences: list[str]
) -> None:
    async with connect() as client:
        text = await call_error(client, name, args)
    assert text.startswith(f"{name} was not called: ")
    for sentence in sentences:
        assert sentence in text
    assert not is_library_text(text) and "Arguments" not in text and "[" + "tagged-union" not in text
    assert "roles[0]" in text or name != "list_users"  # every problem is named, not only the first


async def test_a_tool_outside_the_profile_says_how_to_enable_it_and_lists_no_other_tool() -> None:
    settings = Settings(admin_key=Secret("sk-ant-admin01-x"), profile=Profile.READ_ONLY)
    async with Client(build_server(settings)) as client:
        listed = {t.name for t in (await client.list_tools()).tools}
        text = text_of(await client.call_tool("send_message", {"model": "m"}))
        unknown = text_of(await client.call_tool("send_messages", {}))
    assert "send_message" not in listed
    assert text.startswith("send_message exists but is not enabled")
    assert "--profile admin" in text and "ANTHROPIC_API_KEY" in text
    assert not any(other in text for other in listed)
    assert "Unknown tool: send_messages" in unknown


async def test_an_unexpected_result_shape_is_reported_plainly() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        bad = {"id": ["not", "a", "string"]}
        return httpx.Response(200, json={"data": [bad], "has_more": False, **bad})

    settings = Settings(admin_key=Secret("sk-ant-admin01-x"), api_key=Secret("sk-ant-api03-x"), profile=Profile.ADMIN)
    async with Client(build_server(settings, transport=httpx.MockTransport(upstream))) as client:
        listed = text_of(await client.call_tool("list_users", {}))
        got = text_of(await client.call_tool("get_model", {"model_id": "claude-x"}))
    assert "The API returned an unexpected User shape: id: Input should be a valid string." in listed
    assert "The API returned an unexpected Model shape: id: Input should be a valid string." in got
    assert "check --base-url" in listed and "check --base-url" in got
    assert not is_library_text(listed + got)
