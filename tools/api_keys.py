"""api_keys toolset: the organization's API keys (read, rename, deactivate, archive; the API cannot create them)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field, StringConstraints

from claude_api_mcp.client.models import ApiObject, CursorPage
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety.deps import api
from claude_api_mcp.safety.writes import Writable, write
from claude_api_mcp.tools._args import AfterId, AllPages, ApiKeyId, BeforeId, DryRun, Limit, id_arg
from claude_api_mcp.tools._lists import list_cursor
from claude_api_mcp.tools._ops import op

LIST, GET = op("organization.api_keys.list"), op("organization.api_keys.retrieve")
UPDATE = op("organization.api_keys.update")
KEY = KeyKind.ADMIN
NOT_FOUND = "Call list_api_keys to find valid API key ids."


class ApiKeyStatus(str, Enum):
    active = "active"
    inactive = "inactive"
    archived = "archived"
    expired = "expired"


class SettableStatus(str, Enum):
    """expired cannot be set; archived is permanent."""

    active = "active"
    inactive = "inactive"
    archived = "archived"


class Tagged(ApiObject):
    """A nested actor or scope; its other fields differ between API versions and are kept as sent."""

    type: str | None = None


# Two known shapes. SDK 2.10.0: scope {type: workspace|organization, workspace_id?} and principal
# {type: user_actor, user_id} | {type: service_account_actor, service_account_id}. Docs (Aug 2026, and likely
# anthropic-version 2023-06-01): workspace_id (null = the Default workspace) and principal {id, type}.
# Only the fields both shapes share are declared, so nothing one shape lacks is ever shown as null (a null
# workspace_id would wrongly say "Default workspace"); scope/workspace_id and nested fields are kept as sent.
class ApiKey(ApiObject):
    """An API key's metadata; the workspace is in scope.workspace_id or workspace_id, as the API sent it."""

    id: str | None = None
    type: str | None = "api_key"
    name: str | None = None
    status: str | None = None
    created_at: str | None = None
    created_by: Tagged | None = None
    expires_at: str | None = None
    partial_key_hint: str | None = None
    principal: Tagged | None = None


class ApiKeyResult(ApiKey, Writable):
    pass


def _path(api_key_id: str) -> str:
    return GET.path(api_key_id=api_key_id)


@tool("api_keys", KEY, title="List API keys", read_only=True, op="organization.api_keys.list")
async def list_api_keys(
    ctx: Ctx,
    limit: Limit = 20,
    after_id: AfterId = None,
    before_id: BeforeId = None,
    all_pages: AllPages = False,
    status: Annotated[ApiKeyStatus | None, Field(description="Only keys with this status.")] = None,
    workspace_id: Annotated[str | None, id_arg("wrkspc_")] = None,
    created_by_user_id: Annotated[str | None, id_arg("user_")] = None,
) -> CursorPage[ApiKey]:
    """List API keys (never the secret)."""
    params = {"status": status, "workspace_id": workspace_id, "created_by_user_id": created_by_user_id}
    return await list_cursor(
        ctx,
        LIST.path(),
        ApiKey,
        key=KEY,
        limit=limit,
        after_id=after_id,
        before_id=before_id,
        all_pages=all_pages,
        params=params,
    )


@tool(
    "api_keys", KEY, title="Get API key", read_only=True, not_found_hint=NOT_FOUND, op="organization.api_keys.retrieve"
)
async def get_api_key(ctx: Ctx, api_key_id: ApiKeyId) -> ApiKey:
    """Get one API key's metadata."""
    return ApiKey.model_validate(await api(ctx, KEY).request("GET", _path(api_key_id), key=KEY))


@tool(
    "api_keys",
    KEY,
    title="Update API key",
    destructive=True,
    idempotent=True,
    not_found_hint=NOT_FOUND,
    op="organization.api_keys.update",
)
async def update_api_key(
    ctx: Ctx,
    api_key_id: ApiKeyId,
    name: Annotated[
        str | None,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
        Field(description="New name."),
    ] = None,
    status: Annotated[
        SettableStatus | None, Field(description="inactive stops the key working; archived is permanent.")
    ] = None,
    dry_run: DryRun = False,
) -> ApiKeyResult:
    """Rename an API key or change its status."""
    body = {k: v for k, v in {"name": name, "status": status.value if status else None}.items() if v is not None}
    if not body:
        raise ToolError("Nothing to change: give name and/or status.")
    req = UPDATE.prepared(KEY, body=body, idempotent=True, current=GET, api_key_id=api_key_id)
    return await write(ctx, req, ApiKeyResult, dry_run=dry_run)


TOOLS: list[ToolDef] = [list_api_keys, get_api_key, update_api_key]
