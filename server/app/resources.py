"""The organization summary resource: the organization and counts of its members, invites, workspaces and keys.

Read through the same tool functions (and so the same client, key checks and pagination) as the tools;
each count is included only when its list tool is in the selection. Static resources get no ``Context``
in mcp 2.x, so a small middleware hands the request context of ``resources/read`` to the reader.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from mcp.server import MCPServer
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ToolError

from claude_api_mcp.app.profiles import Selection
from claude_api_mcp.core import scrub
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.errors import ApiError, describe
from claude_api_mcp.core.tooldef import ToolDef

SUMMARY_URI = "claude-api://organization/summary"

_request: ContextVar[ServerRequestContext[Any, Any] | None] = ContextVar(
    "claude_api_mcp_resource_request", default=None
)


async def _capture_request(ctx: ServerRequestContext[Any, Any], call_next: Callable[[Any], Awaitable[Any]]) -> Any:
    if ctx.method != "resources/read":
        return await call_next(ctx)
    token = _request.set(ctx)
    try:
        return await call_next(ctx)
    finally:
        _request.reset(token)


# list tool -> (section, the field to count by); counts are over every page, up to the server's list cap.
COUNTS = {
    "list_users": ("members", "role"),
    "list_invites": ("invites", "status"),
    "list_workspaces": ("workspaces", None),  # active ones: archived workspaces are not listed by default
    "list_api_keys": ("api_keys", "status"),
}


async def organization_summary(server: MCPServer[Any], tools: dict[str, ToolDef]) -> dict[str, Any]:
    request = _request.get()
    if request is None:
        raise ResourceError("the organization summary can only be read through an MCP request")
    ctx: Context[Any, Any] = Context(request_context=request, mcp_server=server)
    org = await tools["get_organization"].fn(ctx)
    summary: dict[str, Any] = {"organization": {"id": org.id, "name": org.name}}
    incomplete = []
    for tool_name, (section, by) in COUNTS.items():
        if tool_name not in tools:
            continue
        page = await tools[tool_name].fn(ctx, all_pages=True)
        items = [item.model_dump() for item in page.data]
        counts: dict[str, Any] = {"total": len(items)}
        if by is not None:
            counts[f"by_{by}"] = dict(sorted(Counter(str(i.get(by)) for i in items).items()))
        summary[section] = counts
        if page.has_more:
            incomplete.append(section)
    summary["complete"] = not incomplete
    if incomplete:
        summary["note"] = f"Counts for {', '.join(incomplete)} are lower bounds: the lists were capped."
    return summary


def register_resources(server: MCPServer[Any], selection: Selection) -> None:
    tools = {t.name: t for t in selection.tools}
    if "get_organization" not in tools:
        return
    server.middleware.append(_capture_request)

    async def read_summary() -> str:
        try:
            summary = await organization_summary(server, tools)
        except ApiError as err:
            raise ResourceError(scrub.text(describe(err, key=KeyKind.ADMIN))) from None
        except ToolError as err:
            raise ResourceError(scrub.text(str(err))) from None
        return scrub.text(json.dumps(summary, indent=2))  # upstream text: an echoed key is scrubbed like anywhere

    server.resource(
        SUMMARY_URI,
        name="organization_summary",
        title="Organization summary",
        description="The organization with counts of members by role, invites by status, workspaces and API keys.",
        mime_type="application/json",
    )(read_summary)
