"""organization toolset: the organization the admin key belongs to."""

from __future__ import annotations

from claude_api_mcp.client.models import ApiObject
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety.deps import api
from claude_api_mcp.tools._ops import op

ME = op("organization.retrieve")
KEY = KeyKind.ADMIN


class Organization(ApiObject):
    id: str
    type: str = "organization"
    name: str


@tool("organization", KEY, title="Get organization", read_only=True, op="organization.retrieve")
async def get_organization(ctx: Ctx) -> Organization:
    """The organization the admin key belongs to (id, name)."""
    body = await api(ctx, KEY).request(ME.method, ME.path(), key=KEY)
    return Organization.model_validate(body)


TOOLS: list[ToolDef] = [get_organization]
