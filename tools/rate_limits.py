"""rate_limits toolset: the organization's rate limits and each workspace's overrides."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from claude_api_mcp.client.models import ApiObject, TokenPage
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.tools._args import AllPages, WorkspaceId
from claude_api_mcp.tools._lists import list_token
from claude_api_mcp.tools._ops import op

ORG_LIMITS = op("organization.rate_limits.list")
WORKSPACE_LIMITS = op("organization.workspaces.rate_limits.list")
KEY = KeyKind.ADMIN

GroupType = Annotated[
    Literal["model_group", "batch", "token_count", "files", "skills", "web_search"] | None,
    Field(description="Only this kind of group."),
]


class RateLimitGroup(ApiObject):
    type: str | None = None
    id: str | None = None
    display_name: str | None = None


class LimitValue(ApiObject):
    type: str | None = Field(None, description="Limiter, e.g. requests_per_minute.")
    value: int | None = None


class RateLimit(ApiObject):
    id: str | None = Field(None, description="Entry id; a workspace entry's rate_limit_id.")
    type: str | None = "rate_limit"
    group: RateLimitGroup | None = None
    models: list[str] | None = Field(None, description="Models (and aliases) of a model_group; else null.")
    limits: list[LimitValue] = Field(default_factory=list)


class WorkspaceLimitValue(LimitValue):
    org_limit: int | None = Field(None, description="The organization's value, for reference.")
    source: dict[str, str] | None = Field(None, description='{"type": "workspace"} for an override.')


class WorkspaceRateLimit(ApiObject):
    type: str | None = "workspace_rate_limit"
    workspace_id: str | None = None
    rate_limit_id: str | None = None
    group: RateLimitGroup | None = None
    models: list[str] | None = None
    limits: list[WorkspaceLimitValue] = Field(default_factory=list)


@tool(
    "rate_limits",
    KEY,
    title="List rate limits",
    read_only=True,
    not_found_hint="No rate limits for that model: call list_rate_limits without model to see every group.",
    op="organization.rate_limits.list",
)
async def list_rate_limits(
    ctx: Ctx,
    group_type: GroupType = None,
    model: Annotated[
        str | None, Field(min_length=1, max_length=128, description="Only the entry covering this model id or alias.")
    ] = None,
    all_pages: AllPages = False,
) -> TokenPage[RateLimit]:
    """The organization's rate limits per group (model family, batch, files...)."""
    return await list_token(
        ctx,
        ORG_LIMITS.path(),
        RateLimit,
        key=KEY,
        limit=None,  # the API then returns every entry in one page
        page=None,
        all_pages=all_pages,
        params={"group_type": group_type, "model": model},
    )


@tool(
    "rate_limits",
    KEY,
    title="List workspace rate limits",
    read_only=True,
    not_found_hint="Call list_workspaces to find valid workspace ids.",
    op="organization.workspaces.rate_limits.list",
)
async def list_workspace_rate_limits(
    ctx: Ctx,
    workspace_id: WorkspaceId,
    group_type: GroupType = None,
    include_inherited: Annotated[bool, Field(description="Also list inherited values.")] = False,
    all_pages: AllPages = False,
) -> TokenPage[WorkspaceRateLimit]:
    """A workspace's rate-limit overrides; unlisted limiters have the organization's value."""
    return await list_token(
        ctx,
        WORKSPACE_LIMITS.path(workspace_id=workspace_id),
        WorkspaceRateLimit,
        key=KEY,
        limit=None,
        page=None,
        all_pages=all_pages,
        params={"group_type": group_type, "include_inherited": include_inherited or None},
    )


TOOLS: list[ToolDef] = [list_rate_limits, list_workspace_rate_limits]
