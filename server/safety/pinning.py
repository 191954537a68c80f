"""Workspace pinning (--workspaces): writes only inside the named workspaces.

Decided from the request itself (method and path), in the one write path, so every write tool is covered,
including ones added later:

* ``/v1/organizations/workspaces/{id}[/...]``: that workspace (updates, archive, members).
* ``/v1/organizations/api_keys/{id}``: the key's workspace, looked up first (``scope.workspace_id`` in
  SDK 2.x shapes, ``workspace_id`` in older ones; null there means the Default workspace).
* Anything else under ``/v1/organizations`` (creating a workspace, users, invites): organization-wide,
  not in any workspace, so refused.
* The core API (messages, batches, files, skills) is allowed: those objects have no workspace id in
  their paths, and the standard API key that makes the calls is itself bound to one workspace. Pin the
  core API by giving the server a key from a pinned workspace.

Reads are never restricted.
"""

from __future__ import annotations

from typing import Any

from claude_api_mcp.client.http import AnthropicAPI
from claude_api_mcp.core.config import KeyKind, Settings

ORG_PREFIX = "/v1/organizations/"
_ORG_WIDE = {
    "users": "organization members are not in any workspace",
    "invites": "invites are organization-wide, not in any workspace",
    "workspaces": "a new workspace is not one of the pinned workspaces",
}


def pinned_list(settings: Settings) -> str:
    return ", ".join(sorted(settings.workspaces or ()))


def refuse(settings: Settings, why: str) -> str:
    """The one sentence a pinning refusal says, for typed tools and write_api alike."""
    return (
        f"Refused: this server only writes in the pinned workspaces ({pinned_list(settings)}), and {why}. "
        "Nothing was sent. The operator sets this with --workspaces (CLAUDE_API_MCP_WORKSPACES)."
    )


def key_workspace(key: dict[str, Any]) -> str | None:
    """An API key's workspace id from either known shape; None for the Default workspace or an org-scoped key."""
    scope = key.get("scope")
    if isinstance(scope, dict) and scope.get("workspace_id"):
        return str(scope["workspace_id"])
    value = key.get("workspace_id")
    return str(value) if value else None


async def refusal(api: AnthropicAPI, settings: Settings, method: str, path: str) -> str | None:
    """Why this write is outside the pinned workspaces, or None when it may go ahead."""
    pinned = settings.workspaces
    if not pinned or method.upper() in ("GET", "HEAD") or not path.startswith(ORG_PREFIX):
        return None
    parts = path.removeprefix(ORG_PREFIX).strip("/").split("/")
    area = parts[0]
    if area == "workspaces" and len(parts) >= 2:
        if parts[1] in pinned:
            return None
        return refuse(settings, f"workspace {parts[1]} is not one of them")
    if area == "api_keys" and len(parts) >= 2:
        key = await api.request("GET", f"{ORG_PREFIX}api_keys/{parts[1]}", key=KeyKind.ADMIN)
        workspace = key_workspace(key) if isinstance(key, dict) else None
        if workspace in pinned:
            return None
        where = f"workspace {workspace}" if workspace else "the Default workspace (or the whole organization)"
        return refuse(settings, f"API key {parts[1]} belongs to {where}")
    return refuse(settings, _ORG_WIDE.get(area, f"{area} is organization-wide, not in any workspace"))
