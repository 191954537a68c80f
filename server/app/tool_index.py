"""The tool list a server publishes, computed at build time (``tool_index.json``), and tools built on first call.

Importing the tool modules (216 pydantic models) and building 51 tools' argument models and schemas was two
thirds of our start-up (``bench/startup_split.py``). The index holds each tool's metadata and its input and
output schema exactly as ``build_tool`` publishes them. A server lists tools from it, and builds a tool,
importing its module, when the tool is first called. ``python scripts/sync_docs.py`` writes the index, with
the other files generated from the code; ``tests/app/test_tool_index.py`` fails when it is stale.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp.server.mcpserver.tools import Tool
from pydantic import PrivateAttr

from claude_api_mcp.app.dashboards import tool_meta
from claude_api_mcp.core.config import KeyKind, Settings
from claude_api_mcp.core.tooldef import ToolDef, ToolFn

log = logging.getLogger("claude_api_mcp")
INDEX_PATH = Path(__file__).with_name("tool_index.json")
FORMAT = 1
_METADATA = ("title", "toolset", "read_only", "destructive", "idempotent", "not_found_hint", "any_key", "op", "ui")


@dataclass(frozen=True)
class Listing:
    """What tools/list publishes for a tool beyond its metadata."""

    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None


def entry(tool: ToolDef, built: Tool) -> dict[str, Any]:
    """The index entry for ``tool``, from the SDK tool ``build_tool`` made of it."""
    meta = {name: getattr(tool, name) for name in _METADATA}
    return {
        "name": tool.name,
        "module": tool.module,
        "key": tool.key.value,
        **meta,
        "description": built.description,
        "input_schema": built.parameters,
        "output_schema": built.output_schema,
    }


def render() -> str:
    """The index, from the registry: every tool built as a server builds it on its first call."""
    from claude_api_mcp.app.tool_build import build_tool
    from claude_api_mcp.core.config import Profile
    from claude_api_mcp.tools.registry import ALL_TOOLS

    settings = Settings(profile=Profile.ADMIN)  # what a tool publishes does not depend on the settings
    tools = [entry(tool, build_tool(tool, settings)) for tool in ALL_TOOLS]
    return json.dumps({"format": FORMAT, "tools": tools}, indent=1, ensure_ascii=False) + "\n"


def indexed_tools() -> tuple[ToolDef, ...]:
    """Every tool of the registry, in its order, each importing its function on first use."""
    return _read()[0]


def listing(name: str) -> Listing:
    return _read()[1][name]


@functools.cache
def _read() -> tuple[tuple[ToolDef, ...], dict[str, Listing]]:
    data = json.loads(INDEX_PATH.read_bytes())
    if data.get("format") != FORMAT:
        found = data.get("format")
        raise RuntimeError(f"{INDEX_PATH.name} has format {found}, not {FORMAT}: run scripts/sync_docs.py")
    tools, listings = [], {}
    for e in data["tools"]:
        meta = {name: e[name] for name in _METADATA}
        loader = _loader(e["module"], e["name"])
        tools.append(
            ToolDef(
                e["name"],
                key=KeyKind(e["key"]),
                description=e["description"],
                module=e["module"],
                loader=loader,
                **meta,
            )
        )
        listings[e["name"]] = Listing(e["input_schema"], e["output_schema"])
    return tuple(tools), listings


def _loader(module: str, name: str) -> Callable[[], ToolFn]:
    @functools.cache
    def load() -> ToolFn:
        defined: list[ToolDef] = importlib.import_module(f"claude_api_mcp.tools.{module}").TOOLS
        return next(t.fn for t in defined if t.name == name)

    return load


class ListedTool(Tool):
    """A tool listed from the index and built (function, argument model, wrappers) on its first call.

    It publishes the index's schemas; every call runs on the built tool, so validation, strictness, audit
    and confirmation are exactly those of ``build_tool``."""

    _build: Callable[[], Tool] = PrivateAttr()
    _built: Tool | None = PrivateAttr(default=None)
    _output_schema: dict[str, Any] | None = PrivateAttr(default=None)

    @property  # the SDK's property reads the argument model's metadata, which exists only after the first call
    def output_schema(self) -> dict[str, Any] | None:
        return self._output_schema

    def built(self) -> Tool:
        if self._built is None:
            self._built = self._build()
            if (self._built.parameters, self._built.output_schema) != (self.parameters, self._output_schema):
                # A tool changed since the index was written (a development checkout): what the client was
                # shown is not what is enforced. The suite fails on this; here it is said once, loudly.
                log.warning("%s: %s is stale; run python scripts/sync_docs.py", self.name, INDEX_PATH.name)
        return self._built

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        return await self.built().run(arguments, context, convert_result)


def listed_tool(tool: ToolDef, settings: Settings) -> Tool:
    """The SDK tool for ``tool``: listed from the index now, built by ``build_tool`` when first called."""
    found = listing(tool.name)
    sdk_tool = ListedTool.model_construct(  # type: ignore[call-arg]  # fn_metadata: the built tool's, on first call
        fn=_unbuilt,
        name=tool.name,
        title=tool.title,
        description=tool.description,
        parameters=found.input_schema,
        is_async=True,
        context_kwarg=None,
        resolved_params={},
        resolver_plans={},
        annotations=tool.annotations,
        icons=None,
        meta=tool_meta(tool),
    )
    sdk_tool._build = functools.partial(_build, tool, settings)
    sdk_tool._output_schema = found.output_schema
    return sdk_tool


def _build(tool: ToolDef, settings: Settings) -> Tool:
    from claude_api_mcp.app.tool_build import build_tool  # the tools' modules and pydantic models: first call only

    return build_tool(tool, settings)


async def _unbuilt(**_: Any) -> Any:
    raise RuntimeError("a listed tool runs on the tool built at its first call")
