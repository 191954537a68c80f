"""workspace_members toolset: who can use a workspace, and with which workspace role."""

from __future__ import annotations

from enum import Enum

from claude_api_mcp.client.models import ApiObject, CursorPage
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety.deps import api
from claude_api_mcp.safety.writes import Writable, write
from claude_api_mcp.tools._args import AfterId, AllPages, BeforeId, DryRun, Limit, UserId, WorkspaceId
from claude_api_mcp.tools._lists import list_cursor
from claude_api_mcp.tools._ops import op

LIST, GET = op("organization.workspaces.members.list"), op("organization.workspaces.members.retrieve")
ADD, UPDATE = op("organization.workspaces.members.add"), op("organization.workspaces.members.update")
REMOVE = op("organization.workspaces.members.remove")
KEY = KeyKind.ADMIN
NOT_FOUND = "Call list_workspace_members for the workspace's members, or list_workspaces for workspace ids."


class WorkspaceRole(str, Enum):
    # Every workspace role; workspace_billing comes only from the org billing role (the tool says so).

    workspace_user = "workspace_user"
    workspace_developer = "workspace_developer"
    workspace_restricted_developer = "workspace_restricted_developer"
    workspace_admin = "workspace_admin"
    workspace_billing = "workspace_billing"


class AddableRole(str, Enum):
    # The roles add_workspace_member can give (never workspace_billing; the tool says so).

    workspace_user = "workspace_user"
    workspace_developer = "workspace_developer"
    workspace_restricted_developer = "workspace_restricted_developer"
    workspace_admin = "workspace_admin"


class WorkspaceMember(ApiObject):
    type: str | None = "workspace_member"
    user_id: str | None = None
    workspace_id: str | None = None
    workspace_role: str | None = None


class WorkspaceMemberResult(WorkspaceMember, Writable):
    pass


class WorkspaceMemberDeleted(ApiObject, Writable):
    type: str
    user_id: str | None = None
    workspace_id: str | None = None


def _members(workspace_id: str) -> str:
    return LIST.path(workspace_id=workspace_id)


def _member(workspace_id: str, user_id: str) -> str:
    return GET.path(workspace_id=workspace_id, user_id=user_id)


@tool(
    "workspace_members",
    KEY,
    title="List workspace members",
    read_only=True,
    not_found_hint=NOT_FOUND,
    op="organization.workspaces.members.list",
)
async def list_workspace_members(
    ctx: Ctx,
    workspace_id: WorkspaceId,
    limit: Limit = 20,
    after_id: AfterId = None,
    before_id: BeforeId = None,
    all_pages: AllPages = False,
) -> CursorPage[WorkspaceMember]:
    """List a workspace's members and roles (cursors: user ids)."""
    return await list_cursor(
        ctx,
        _members(workspace_id),
        WorkspaceMember,
        key=KEY,
        limit=limit,
        after_id=after_id,
        before_id=before_id,
        all_pages=all_pages,
        id_field="user_id",
    )


@tool(
    "workspace_members",
    KEY,
    title="Get workspace member",
    read_only=True,
    not_found_hint=NOT_FOUND,
    op="organization.workspaces.members.retrieve",
)
async def get_workspace_member(ctx: Ctx, workspace_id: WorkspaceId, user_id: UserId) -> WorkspaceMember:
    """Get one member's workspace role."""
    body = await api(ctx, KEY).request("GET", _member(workspace_id, user_id), key=KEY)
    return WorkspaceMember.model_validate(body)


@tool(
    "workspace_members",
    KEY,
    title="Add workspace member",
    not_found_hint=NOT_FOUND,
    op="organization.workspaces.members.add",
)
async def add_workspace_member(
    ctx: Ctx, workspace_id: WorkspaceId, user_id: UserId, workspace_role: AddableRole, dry_run: DryRun = False
) -> WorkspaceMemberResult:
    """Give an organization member a workspace role (never workspace_billing)."""
    body = {"user_id": user_id, "workspace_role": workspace_role.value}
    req = ADD.prepared(KEY, body=body, workspace_id=workspace_id)
    return await write(ctx, req, WorkspaceMemberResult, dry_run=dry_run)


@tool(
    "workspace_members",
    KEY,
    title="Change workspace role",
    destructive=True,
    idempotent=True,
    not_found_hint=NOT_FOUND,
    op="organization.workspaces.members.update",
)
async def update_workspace_member(
    ctx: Ctx, workspace_id: WorkspaceId, user_id: UserId, workspace_role: WorkspaceRole, dry_run: DryRun = False
) -> WorkspaceMemberResult:
    """Change a member's workspace role. Org admins keep workspace_admin; billing members can only go to
    workspace_admin."""
    body = {"workspace_role": workspace_role.value}
    req = UPDATE.prepared(KEY, body=body, idempotent=True, current=GET, workspace_id=workspace_id, user_id=user_id)
    return await write(ctx, req, WorkspaceMemberResult, dry_run=dry_run)


@tool(
    "workspace_members",
    KEY,
    title="Remove workspace member",
    destructive=True,
    idempotent=True,
    not_found_hint=NOT_FOUND,
    op="organization.workspaces.members.remove",
)
async def remove_workspace_member(
    ctx: Ctx, workspace_id: WorkspaceId, user_id: UserId, dry_run: DryRun = False
) -> WorkspaceMemberDeleted:
    """Remove a member from a workspace (they stay in the organization)."""
    req = REMOVE.prepared(KEY, idempotent=True, current=GET, workspace_id=workspace_id, user_id=user_id)
    return await write(ctx, req, WorkspaceMemberDeleted, dry_run=dry_run)


TOOLS: list[ToolDef] = [
    list_workspace_members,
    get_workspace_member,
    add_workspace_member,
    update_workspace_member,
    remove_workspace_member,
]
