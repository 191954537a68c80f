"""organization toolset: the organization the admin key belongs to."""

from __future__ import annotations

from server.config import KeyKind
from tools._base import Ctx, ToolDef, api, tool
from tools._models import ApiObject

KEY = KeyKind.ADMIN


class Organization(ApiObject):
    id: str
    type: str = "organization"
    name: str


@tool("organization", KEY, title="Get organization", read_only=True)
async def get_organization(ctx: Ctx) -> Organization:
    """The organization the admin key belongs to (id, name)."""
    body = await api(ctx, KEY).request("GET", "/v1/organizations/me", key=KEY)
    return Organization.model_validate(body)


TOOLS: list[ToolDef] = [get_organization]
