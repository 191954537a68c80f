"""users toolset: organization members."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import Field

from claude_api_mcp.client.models import ApiObject, CursorPage
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety.deps import api
from claude_api_mcp.safety.writes import DeletedResult, Writable, write
from claude_api_mcp.tools._args import AfterId, AllPages, BeforeId, DryRun, Limit, UserId
from claude_api_mcp.tools._lists import list_cursor
from claude_api_mcp.tools._ops import op

LIST, GET = op("organization.users.list"), op("organization.users.retrieve")
UPDATE, REMOVE = op("organization.users.update"), op("organization.users.remove")
KEY = KeyKind.ADMIN
NOT_FOUND = "Call list_users to find valid user ids."


class OrgRole(str, Enum):
    """Organization roles the API reports."""

    user = "user"
    developer = "developer"
    billing = "billing"
    admin = "admin"
    claude_code_user = "claude_code_user"
    managed = "managed"
    membership_admin = "membership_admin"
    owner = "owner"
    primary_owner = "primary_owner"


class AssignableRole(str, Enum):
    # Roles the API can assign (admin cannot be; managed is Claude Enterprise only: the tools say so).

    user = "user"
    developer = "developer"
    billing = "billing"
    claude_code_user = "claude_code_user"
    managed = "managed"


class User(ApiObject):
    id: str | None = None
    type: str | None = "user"
    email: str | None = None
    name: str | None = None
    role: str | None = None
    added_at: str | None = None


class UserResult(User, Writable):
    pass


def _path(user_id: str) -> str:
    return GET.path(user_id=user_id)


@tool("users", KEY, title="List users", read_only=True, op="organization.users.list")
async def list_users(
    ctx: Ctx,
    limit: Limit = 20,
    after_id: AfterId = None,
    before_id: BeforeId = None,
    all_pages: AllPages = False,
    email: Annotated[str | None, Field(description="Exact email address.")] = None,
    roles: Annotated[list[OrgRole] | None, Field(description="Any of these roles.")] = None,
) -> CursorPage[User]:
    """List organization members and roles."""
    params = {"email": email, "roles": roles}
    return await list_cursor(
        ctx,
        LIST.path(),
        User,
        key=KEY,
        limit=limit,
        after_id=after_id,
        before_id=before_id,
        all_pages=all_pages,
        params=params,
    )


@tool("users", KEY, title="Get user", read_only=True, not_found_hint=NOT_FOUND, op="organization.users.retrieve")
async def get_user(ctx: Ctx, user_id: UserId) -> User:
    """Get one organization member."""
    return User.model_validate(await api(ctx, KEY).request("GET", _path(user_id), key=KEY))


@tool(
    "users",
    KEY,
    title="Change user role",
    destructive=True,
    idempotent=True,
    not_found_hint=NOT_FOUND,
    op="organization.users.update",
)
async def update_user(ctx: Ctx, user_id: UserId, role: AssignableRole, dry_run: DryRun = False) -> UserResult:
    """Change a member's organization role (never to admin; managed: Claude Enterprise only)."""
    req = UPDATE.prepared(KEY, body={"role": role.value}, idempotent=True, current=GET, user_id=user_id)
    return await write(ctx, req, UserResult, dry_run=dry_run)


@tool(
    "users",
    KEY,
    title="Remove user",
    destructive=True,
    idempotent=True,
    not_found_hint=NOT_FOUND,
    op="organization.users.remove",
)
async def remove_user(ctx: Ctx, user_id: UserId, dry_run: DryRun = False) -> DeletedResult:
    """Remove a member from the organization. Their API keys stay active: review them with list_api_keys."""
    req = REMOVE.prepared(KEY, idempotent=True, current=GET, user_id=user_id)
    return await write(ctx, req, DeletedResult, dry_run=dry_run)


TOOLS: list[ToolDef] = [list_users, get_user, update_user, remove_user]
