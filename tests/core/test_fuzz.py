"""Property-based fuzzing of every registered tool's arguments, through the MCP client.

Arguments are generated from each tool's input schema, then some are broken: wrong types, missing required
arguments, unknown enum values, huge strings, path traversal in ids, unknown arguments. Whatever arrives:
the server never crashes (no protocol error, no bare "Error executing tool"), every call returns a result
or a clear isError, a call that fails validation sends nothing upstream, and no path segment that reaches
the upstream is anything but a plain id. Bounded and deterministic (derandomize) for CI.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anyio.from_thread
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp.types import Tool

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.helpers import Sleeps, text_of

SEGMENT = re.compile(r"^[A-Za-z0-9_\-.:@]+$")
TRAVERSAL = ["../../etc/passwd", "user_../../v1/organizations/users", "wrkspc_x/../invites", "%2e%2e%2f", "a/b", ".."]
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(TRAVERSAL),
    st.just("x" * 200_000),
    st.just("\x00\u202e"),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


@dataclass
class Harness:
    portal: anyio.from_thread.BlockingPortal
    client: Client
    sandbox: Sandbox
    tools: dict[str, Tool]


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    with anyio.from_thread.start_blocking_portal(backend="asyncio") as portal:
        sandbox = Sandbox()
        server = build_server(Settings(sandbox=True, profile=Profile.ADMIN), sandbox=sandbox, sleep=Sleeps())
        with portal.wrap_async_context_manager(Client(server)) as client:
            tools = portal.call(client.list_tools).tools
            yield Harness(portal, client, sandbox, {t.name: t for t in tools})


def _resolve(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in prop:
        prop = defs[prop["$ref"].split("/")[-1]]
    return prop


def valid(prop: dict[str, Any], defs: dict[str, Any], name: str = "") -> st.SearchStrategy[Any]:
    """Values the schema accepts (a reasonable subset of JSON Schema)."""
    prop = _resolve(prop, defs)
    for key in ("anyOf", "oneOf"):
        if key in prop:
            return st.one_of([valid(p, defs, name) for p in prop[key]])
    if "allOf" in prop and len(prop["allOf"]) == 1:
        return valid(prop["allOf"][0], defs, name)
    if "const" in prop:
        return st.just(prop["const"])
    if "enum" in prop:
        return st.sampled_from(prop["enum"])
    kind = prop.get("type")
    if kind == "string":
        if "pattern" in prop and name != "path":
            return st.from_regex(prop["pattern"], fullmatch=True).filter(lambda s: len(s) <= prop.get("maxLength", 128))
        return st.text(min_size=prop.get("minLength", 0), max_size=min(prop.get("maxLength", 40), 40))
    if kind == "integer":
        return st.integers(prop.get("minimum", -5), prop.get("maximum", 5000))
    if kind == "number":
        return st.floats(prop.get("minimum", -5), prop.get("maximum", 5), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(valid(prop.get("items", {}), defs, name), min_size=prop.get("minItems", 0), max_size=2)
    if kind == "object" and "properties" in prop:
        return arguments(prop, defs)
    return st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)


def arguments(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {k: valid(v, defs, k) for k, v in props.items() if k in required},
        optional={k: valid(v, defs, k) for k, v in props.items() if k not in required},
    )


@st.composite
def broken(draw: st.DrawFn, schema: dict[str, Any]) -> dict[str, Any]:
    """Schema-valid arguments, then (usually) one or two of them broken."""
    args = draw(arguments(schema, schema.get("$defs", {})))
    names = sorted(schema.get("properties", {}))
    for _ in range(draw(st.integers(0, 2))):
        how = draw(st.sampled_from(["junk", "drop", "unknown", "enum"]))
        if how == "drop" and args:
            del args[draw(st.sampled_from(sorted(args)))]
        elif how == "unknown":
            args[draw(st.sampled_from(["confirm", "confirmation__", "x" * 300, "__proto__"]))] = draw(JUNK)
        elif names:
            name = draw(st.sampled_from(names))
            if name == "path":
                continue  # a local path is the caller's own file: not fuzzed into real ones
            args[name] = draw(JUNK) if how == "junk" else "not_a_real_" + name
    return args


@pytest.mark.parametrize("tool_name", [t.name for t in ALL_TOOLS])
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_any_arguments_get_a_result_or_a_clear_error_and_nothing_invalid_goes_upstream(
    harness: Harness, tool_name: str, data: st.DataObject
) -> None:
    tool = harness.tools[tool_name]
    args = data.draw(broken(tool.input_schema), label="arguments")
    before = len(harness.sandbox.requests)
    result = harness.portal.call(harness.client.call_tool, tool_name, args)
    sent = list(harness.sandbox.requests)[before:]
    text = text_of(result)
    if result.is_error:
        assert text.strip() and text.strip() != f"Error executing tool {tool_name}", "a crash, not a clear error"
        if "validation error" in text:
            assert not sent, f"invalid arguments reached the upstream: {[(r.method, r.path) for r in sent]}"
    for request in sent:
        segments = request.path.strip("/").split("/")
        assert all(SEGMENT.match(s) and s not in (".", "..") for s in segments), request.path
