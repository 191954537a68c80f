"""Resource templates: one workspace, one model, one catalog operation, read through the tools' functions.

They give a client something to attach by id (with completions for the id, ``app/completions.py``); each
is registered only when the tool that reads it is in the selection.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from pydantic import BaseModel

from claude_api_mcp.app.profiles import Selection
from claude_api_mcp.core import scrub
from claude_api_mcp.core.errors import ApiError, describe
from claude_api_mcp.core.tooldef import ToolDef

WORKSPACE = "claude-api://workspaces/{workspace_id}"
MODEL = "claude-api://models/{model_id}"
OPERATION = "claude-api://operations/{operation_id}"


def _reader(tool: ToolDef, param: str) -> Callable[..., Awaitable[str]]:
    async def read(value: str, ctx: Context[Any, Any]) -> str:
        try:
            result = await tool.fn(ctx, **{param: value})
        except ApiError as err:
            raise ResourceError(scrub.text(describe(err, key=tool.key, not_found_hint=tool.not_found_hint))) from None
        except ToolError as err:
            raise ResourceError(scrub.text(str(err))) from None
        data = result.model_dump(mode="json", by_alias=True) if isinstance(result, BaseModel) else result
        return scrub.text(json.dumps(data, indent=2))

    return read


def register_templates(server: MCPServer[Any], selection: Selection) -> dict[str, dict[str, str]]:
    """Register the templates whose tools are listed; return each one's completable parameter and source.

    The SDK matches a template's parameters to the function's by name, hence one small function each."""
    tools = {t.name: t for t in selection.tools}
    completable: dict[str, dict[str, str]] = {}
    if "get_workspace" in tools:
        read_workspace = _reader(tools["get_workspace"], "workspace_id")

        async def workspace(workspace_id: str, ctx: Context[Any, Any]) -> str:
            return await read_workspace(workspace_id, ctx)

        server.resource(
            WORKSPACE,
            name="workspace",
            title="Workspace",
            mime_type="application/json",
            description="One workspace: name, data residency, archive state.",
        )(workspace)
        completable[WORKSPACE] = {"workspace_id": "workspace_id"}
    if "get_model" in tools:
        read_model = _reader(tools["get_model"], "model_id")

        async def model(model_id: str, ctx: Context[Any, Any]) -> str:
            return await read_model(model_id, ctx)

        server.resource(
            MODEL,
            name="model",
            title="Model",
            mime_type="application/json",
            description="One model: limits and capabilities.",
        )(model)
        completable[MODEL] = {"model_id": "model_id"}
    if "describe_api" in tools:
        read_operation = _reader(tools["describe_api"], "operation")

        async def operation(operation_id: str, ctx: Context[Any, Any]) -> str:
            return await read_operation(operation_id, ctx)

        server.resource(
            OPERATION,
            name="api_operation",
            title="API operation",
            mime_type="application/json",
            description="A catalog operation's arguments (JSON Schema) and what it returns.",
        )(operation)
        completable[OPERATION] = {"operation_id": "operation_id"}
    return completable
