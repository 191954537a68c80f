"""build_server(settings): the MCP server with the selected tools and a lifespan that owns the one client."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import pydantic_core
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from server import __version__
from server.config import Secret, Settings
from server.errors import ApiError, tool_error
from server.http import AnthropicAPI, make_client
from server.profiles import Selection, select
from server.sandbox import SANDBOX_ADMIN_KEY, SANDBOX_API_KEY, Sandbox
from tools import ALL_TOOLS
from tools._base import ToolDef

log = logging.getLogger("claude_api_mcp")

INSTRUCTIONS = (
    "Tools for one Claude API organization: members, invites, workspaces, API keys, usage and cost reports "
    "(Admin API key), and messages, models, batches, files, skills (standard API key). Times are UTC. "
    "Lists may be partial: has_more true means more exist."
)


@dataclass
class AppState:
    settings: Settings
    api: AnthropicAPI
    sandbox: Sandbox | None


def effective_settings(settings: Settings) -> Settings:
    """In the sandbox, keys that were not given are stand-ins, so every tool works with no credential."""
    if not settings.sandbox:
        return settings
    return dataclasses.replace(
        settings,
        admin_key=settings.admin_key or Secret(SANDBOX_ADMIN_KEY),
        api_key=settings.api_key or Secret(SANDBOX_API_KEY),
    )


def build_server(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    sandbox: Sandbox | None = None,
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> MCPServer:
    """The server for ``settings``. Tests pass their own ``sandbox`` (to inspect it), ``transport``, or a
    ``sleep`` that records retry waits instead of spending them."""
    settings = effective_settings(settings)
    selection = select(ALL_TOOLS, settings)
    if settings.sandbox and transport is None:
        sandbox = sandbox or Sandbox()
        transport = sandbox.transport()

    @asynccontextmanager
    async def lifespan(_: MCPServer[Any]) -> AsyncIterator[AppState]:
        async with make_client(settings, transport) as client:
            api = AnthropicAPI(client, settings) if sleep is None else AnthropicAPI(client, settings, sleep=sleep)
            yield AppState(settings=settings, api=api, sandbox=sandbox)

    server: MCPServer[Any] = MCPServer(
        "claude-api-mcp",
        title="Claude API",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://github.com/anthropics/claude-api-mcp",
        lifespan=lifespan,
        warn_on_duplicate_tools=True,
    )
    for tool in selection.tools:
        register(server, tool, settings)
    server.selection = selection  # type: ignore[attr-defined]  # read by the CLI's startup report and doctor
    return server


def selection_of(server: MCPServer[Any]) -> Selection:
    selection: Selection = server.selection  # type: ignore[attr-defined]
    return selection


def to_result(result: BaseModel) -> CallToolResult:
    """Structured content with the API's field names, and the same JSON, compact, as the text the model reads."""
    data = result.model_dump(mode="json", by_alias=True)
    if "dry_run" in data and data["dry_run"] is None:  # only dry runs carry it; omitting it is schema-valid
        del data["dry_run"]
    text = pydantic_core.to_json(data).decode()
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def register(server: MCPServer[Any], tool: ToolDef, settings: Settings) -> None:
    """Register ``tool`` with ApiError mapped to an actionable ToolError and compact JSON text."""
    fn = tool.fn
    signature = inspect.signature(fn, eval_str=True)
    output_model = signature.return_annotation

    @functools.wraps(fn)
    async def call(**kwargs: Any) -> Any:
        try:
            result = await fn(**kwargs)
        except ApiError as err:
            raise tool_error(
                err, key=tool.key, not_found_hint=tool.not_found_hint, base_url=settings.base_url
            ) from None
        return to_result(result) if isinstance(result, BaseModel) else result

    # The SDK derives the input schema from the parameters and the output schema from the return annotation;
    # ``Annotated[CallToolResult, Model]`` publishes Model's schema while we build the content ourselves.
    returns = (
        Annotated[CallToolResult, output_model]
        if isinstance(output_model, type) and issubclass(output_model, BaseModel)
        else output_model
    )
    call.__signature__ = signature.replace(return_annotation=returns)  # type: ignore[attr-defined]
    call.__annotations__ = {**{n: p.annotation for n, p in signature.parameters.items()}, "return": returns}
    del call.__wrapped__  # make the SDK read the signature above, not fn's
    server.add_tool(call, name=tool.name, title=tool.title, description=tool.description, annotations=tool.annotations)


__all__ = ["AppState", "ToolError", "build_server", "effective_settings", "register", "selection_of", "to_result"]
