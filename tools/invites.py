"""invites toolset: invitations to join the organization."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from claude_api_mcp.client.models import ApiObject, CursorPage
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety.deps import api
from claude_api_mcp.safety.writes import DeletedResult, Writable, write
from claude_api_mcp.tools._args import AfterId, AllPages, BeforeId, DryRun, Limit, id_arg
from claude_api_mcp.tools._lists import list_cursor
from claude_api_mcp.tools._ops import op
from claude_api_mcp.tools.users import AssignableRole, OrgRole

LIST, GET, CREATE = (
    op("organization.invites.list"),
    op("organization.invites.retrieve"),
    op("organization.invites.create"),
)
DELETE = op("organization.invites.delete")
KEY = KeyKind.ADMIN
NOT_FOUND = "Call list_invites to find valid invite ids."

# Deliberately loose (the API is the judge of deliverability); it catches typos like a missing @ or domain.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"
EMAIL_SCHEMA = WithJsonSchema({"type": "string", "format": "email"})  # the pattern is checked, not published
Email = Annotated[str, Field(pattern=EMAIL_PATTERN, max_length=254, description="Email address."), EMAIL_SCHEMA]
InviteId = Annotated[str, id_arg("invite_")]


class InviteStatus(str, Enum):
    """Statuses the list filter accepts (deleted invites are never listed)."""

    accepted = "accepted"
    expired = "expired"
    pending = "pending"


class Invite(ApiObject):
    id: str | None = None
    type: str | None = "invite"
    email: str | None = None
    role: str | None = None
    status: str | None = None
    invited_at: str | None = None
    expires_at: str | None = None
    accepted_at: str | None = None
    rbac_group_ids: list[str] | None = None


class InviteResult(Invite, Writable):
    pass


def _path(invite_id: str) -> str:
    return GET.path(invite_id=invite_id)


@tool("invites", KEY, title="List invites", read_only=True, op="organization.invites.list")
async def list_invites(
    ctx: Ctx,
    limit: Limit = 20,
    after_id: AfterId = None,
    before_id: BeforeId = None,
    all_pages: AllPages = False,
    email: Annotated[
        str | None,
        Field(pattern=EMAIL_PATTERN, max_length=254, description="Email (case-insensitive)."),
        EMAIL_SCHEMA,
    ] = None,
    roles: Annotated[list[OrgRole] | None, Field(description="Any of these roles.")] = None,
    statuses: Annotated[list[InviteStatus] | None, Field(description="Default: all.")] = None,
) -> CursorPage[Invite]:
    """List invitations (status, expiry)."""
    params = {"email": email, "roles": roles, "statuses": statuses}
    return await list_cursor(
        ctx,
        LIST.path(),
        Invite,
        key=KEY,
        limit=limit,
        after_id=after_id,
        before_id=before_id,
        all_pages=all_pages,
        params=params,
    )


@tool("invites", KEY, title="Get invite", read_only=True, not_found_hint=NOT_FOUND, op="organization.invites.retrieve")
async def get_invite(ctx: Ctx, invite_id: InviteId) -> Invite:
    """Get one invitation."""
    return Invite.model_validate(await api(ctx, KEY).request("GET", _path(invite_id), key=KEY))


@tool("invites", KEY, title="Invite user", op="organization.invites.create")
async def create_invite(
    ctx: Ctx,
    email: Email,
    role: AssignableRole,
    rbac_group_ids: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=128)]] | None,
        Field(description="RBAC groups to join (Enterprise)."),
    ] = None,
    dry_run: DryRun = False,
) -> InviteResult:
    """Invite someone to the organization (never as admin; managed: Claude Enterprise only)."""
    body: dict[str, Any] = {"email": email, "role": role.value}
    if rbac_group_ids is not None:
        body["rbac_group_ids"] = rbac_group_ids
    req = CREATE.prepared(KEY, body=body)
    return await write(ctx, req, InviteResult, dry_run=dry_run)


@tool(
    "invites",
    KEY,
    title="Delete invite",
    destructive=True,
    idempotent=True,
    not_found_hint=NOT_FOUND,
    op="organization.invites.delete",
)
async def delete_invite(ctx: Ctx, invite_id: InviteId, dry_run: DryRun = False) -> DeletedResult:
    """Withdraw a pending invitation (accepted or expired ones cannot be deleted)."""
    req = DELETE.prepared(KEY, idempotent=True, current=GET, invite_id=invite_id)
    return await write(ctx, req, DeletedResult, dry_run=dry_run)


TOOLS: list[ToolDef] = [list_invites, get_invite, create_invite, delete_invite]
