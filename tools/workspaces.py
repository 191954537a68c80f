"""workspaces toolset: create, rename, configure and archive workspaces."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from claude_api_mcp.client.models import ApiObject, CursorPage
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety.deps import api
from claude_api_mcp.safety.writes import Writable, write
from claude_api_mcp.tools._args import AfterId, AllPages, BeforeId, DryRun, Limit, WorkspaceId
from claude_api_mcp.tools._lists import list_cursor
from claude_api_mcp.tools._ops import op

LIST, GET = op("organization.workspaces.list"), op("organization.workspaces.retrieve")
CREATE, ARCHIVE = op("organization.workspaces.create"), op("organization.workspaces.archive")
UPDATE = op("organization.workspaces.update")
KEY = KeyKind.ADMIN
NOT_FOUND = "Call list_workspaces (include_archived=true) to find valid workspace ids."

Geo = Literal["global", "us"]


def _tag_key(key: str) -> str:
    if key.lower().startswith("anthropic"):
        raise ValueError(f"tag key {key!r}: keys may not begin with 'anthropic'")
    return key


TagKey = Annotated[str, Field(min_length=1), AfterValidator(_tag_key)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), Field(description="1-40 characters.")
]
Color = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="Hex color #RRGGBB.")]


class DataResidencyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allowed_inference_geos: Annotated[list[Geo], Field(min_length=1)] | Literal["unrestricted"] | None = Field(
        None, description='Geos allowed for inference, or "unrestricted".'
    )
    default_inference_geo: Geo | None = Field(None, description="Geo used when a request names none.")

    @model_validator(mode="after")
    def _default_is_allowed(self) -> DataResidencyUpdate:
        allowed, default = self.allowed_inference_geos, self.default_inference_geo
        if isinstance(allowed, list) and default is not None and default not in allowed:
            raise ValueError(f"default_inference_geo {default!r} must be one of allowed_inference_geos {allowed}")
        return self


class DataResidencyCreate(DataResidencyUpdate):
    workspace_geo: Literal["us"] | None = Field(None, description="Where data is stored; immutable.")


class DataResidency(ApiObject):
    workspace_geo: str | None = None
    allowed_inference_geos: list[str] | str | None = None
    default_inference_geo: str | None = None


class Workspace(ApiObject):
    id: str | None = None
    type: str | None = "workspace"
    name: str | None = None
    display_color: str | None = None
    created_at: str | None = None
    archived_at: str | None = Field(None, description="Set once archived (permanent).")
    compartment_id: str | None = None
    external_key_id: str | None = None
    tags: dict[str, Any] | None = None
    user_profile_id: str | None = None
    data_residency: DataResidency | None = None


class WorkspaceResult(Workspace, Writable):
    pass


def _path(workspace_id: str) -> str:
    return GET.path(workspace_id=workspace_id)


def _body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, BaseModel):
            value = value.model_dump(mode="json", exclude_none=True)
        if value is not None:
            body[name] = value
    return body


@tool("workspaces", KEY, title="List workspaces", read_only=True, op="organization.workspaces.list")
async def list_workspaces(
    ctx: Ctx,
    limit: Limit = 20,
    after_id: AfterId = None,
    before_id: BeforeId = None,
    all_pages: AllPages = False,
    include_archived: Annotated[bool, Field(description="Include archived workspaces.")] = False,
    include_default: Annotated[bool, Field(description="Include the Default workspace.")] = False,
    ids: Annotated[list[WorkspaceId] | None, Field(max_length=100, description="Only these.")] = None,
) -> CursorPage[Workspace]:
    """List workspaces."""
    return await list_cursor(
        ctx,
        LIST.path(),
        Workspace,
        key=KEY,
        limit=limit,
        after_id=after_id,
        before_id=before_id,
        all_pages=all_pages,
        params={"include_archived": include_archived or None, "include_default": include_default or None, "ids": ids},
    )


@tool(
    "workspaces",
    KEY,
    title="Get workspace",
    read_only=True,
    not_found_hint=NOT_FOUND,
    op="organization.workspaces.retrieve",
)
async def get_workspace(ctx: Ctx, workspace_id: WorkspaceId) -> Workspace:
    """Get one workspace, archived or not."""
    return Workspace.model_validate(await api(ctx, KEY).request("GET", _path(workspace_id), key=KEY))


@tool("workspaces", KEY, title="Create workspace", op="organization.workspaces.create")
async def create_workspace(
    ctx: Ctx,
    name: Name,
    display_color: Color | None = None,
    data_residency: Annotated[DataResidencyCreate | None, Field(description="Default: us, unrestricted.")] = None,
    tags: Annotated[dict[TagKey, str] | None, Field(description="Key-value tags.")] = None,
    dry_run: DryRun = False,
) -> WorkspaceResult:
    """Create a workspace. Names are unique among active workspaces."""
    body = _body(name=name, display_color=display_color, data_residency=data_residency, tags=tags)
    return await write(ctx, CREATE.prepared(KEY, body=body), WorkspaceResult, dry_run=dry_run)


@tool(
    "workspaces",
    KEY,
    title="Update workspace",
    destructive=True,
    idempotent=True,
    not_found_hint=NOT_FOUND,
    op="organization.workspaces.update",
)
async def update_workspace(
    ctx: Ctx,
    workspace_id: WorkspaceId,
    name: Name | None = None,
    display_color: Color | None = None,
    data_residency: Annotated[DataResidencyUpdate | None, Field(description="Inference geos to allow.")] = None,
    tags: Annotated[dict[TagKey, str | None] | None, Field(description="Tags to set; null removes one.")] = None,
    dry_run: DryRun = False,
) -> WorkspaceResult:
    """Change a workspace's name, color, inference geos or tags. The Default workspace cannot be renamed."""
    body = _body(name=name, display_color=display_color, data_residency=data_residency, tags=tags)
    if data_residency is not None and not body.get("data_residency"):
        raise ToolError("data_residency: give allowed_inference_geos and/or default_inference_geo.")
    if not body:
        raise ToolError("Nothing to change: give name, display_color, data_residency or tags.")
    req = UPDATE.prepared(KEY, body=body, idempotent=True, current=GET, workspace_id=workspace_id)
    return await write(ctx, req, WorkspaceResult, dry_run=dry_run)


@tool(
    "workspaces",
    KEY,
    title="Archive workspace",
    destructive=True,
    idempotent=True,
    not_found_hint=NOT_FOUND,
    op="organization.workspaces.archive",
)
async def archive_workspace(ctx: Ctx, workspace_id: WorkspaceId, dry_run: DryRun = False) -> WorkspaceResult:
    """Archive a workspace: permanent, and immediately revokes all its API keys. The Default workspace cannot be
    archived."""
    req = ARCHIVE.prepared(KEY, idempotent=True, current=GET, workspace_id=workspace_id)
    return await write(ctx, req, WorkspaceResult, dry_run=dry_run)


TOOLS: list[ToolDef] = [list_workspaces, get_workspace, create_workspace, update_workspace, archive_workspace]
