"""Workspace members: /v1/organizations/workspaces/{workspace_id}/members."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.routes._admin import one_of, only_fields, refuse_archived, required_str, workspace
from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import invalid, json_body, not_found, ok, page_by_id

ROLES = (
    "workspace_user",
    "workspace_developer",
    "workspace_restricted_developer",
    "workspace_admin",
    "workspace_billing",
)
ADDABLE = ROLES[:-1]  # workspace_billing comes only with the org billing role
# Org roles whose workspace role is automatic: the role it fixes, and what it may still be changed to.
AUTOMATIC = {"admin": ("workspace_admin", ()), "billing": ("workspace_billing", ("workspace_admin",))}


async def list_members(request: Request) -> Response:
    ws = workspace(request)
    members = sandbox(request).org.workspace_members(ws["id"])
    return ok(page_by_id(request, members, id_field="user_id"))


def _member(request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    ws = workspace(request)
    user_id = request.path_params["user_id"]
    member = sandbox(request).org.members.get((ws["id"], user_id))
    if member is None:
        raise not_found("Workspace member", user_id)
    return ws, member


async def get_member(request: Request) -> Response:
    return ok(_member(request)[1])


async def add_member(request: Request) -> Response:
    ws = workspace(request)
    body = await json_body(request)
    only_fields(body, ("user_id", "workspace_role"))
    user_id = required_str(body, "user_id")
    role = required_str(body, "workspace_role")
    if role == "workspace_billing":
        raise invalid("workspace_role: workspace_billing cannot be assigned; it comes with the billing org role")
    role = one_of(body, "workspace_role", ADDABLE)
    refuse_archived(ws)
    org = sandbox(request).org
    if user_id not in org.users:
        raise not_found("User", user_id)
    if (ws["id"], user_id) in org.members:
        raise invalid(f"User {user_id!r} is already a member of workspace {ws['id']!r}.")
    return ok(org.set_member(ws["id"], user_id, role))


def _fixed_role(request: Request, member: dict[str, Any]) -> tuple[str, tuple[str, ...]] | None:
    user = sandbox(request).org.users.get(member["user_id"])
    return AUTOMATIC.get(user["role"]) if user else None


async def update_member(request: Request) -> Response:
    ws, member = _member(request)
    body = await json_body(request)
    only_fields(body, ("workspace_role",))
    role = one_of(body, "workspace_role", ROLES)
    refuse_archived(ws)
    fixed = _fixed_role(request, member)
    if fixed is None and role == "workspace_billing":
        raise invalid("workspace_role: workspace_billing comes only with the billing organization role.")
    if fixed is not None and role != member["workspace_role"] and role not in (fixed[0], *fixed[1]):
        raise invalid(f"This member's workspace role follows their organization role; it cannot be set to {role}.")
    member["workspace_role"] = role
    return ok(member)


async def remove_member(request: Request) -> Response:
    ws, member = _member(request)
    refuse_archived(ws)
    if _fixed_role(request, member) is not None:
        raise invalid("Organization admins and billing members cannot be removed from a workspace.")
    del sandbox(request).org.members[(ws["id"], member["user_id"])]
    return ok({"type": "workspace_member_deleted", "user_id": member["user_id"], "workspace_id": ws["id"]})


_BASE = "/v1/organizations/workspaces/{workspace_id}/members"
ROUTES: list[BaseRoute] = [
    Route(_BASE, list_members, methods=["GET"]),
    Route(_BASE, add_member, methods=["POST"]),
    Route(_BASE + "/{user_id}", get_member, methods=["GET"]),
    Route(_BASE + "/{user_id}", update_member, methods=["POST"]),
    Route(_BASE + "/{user_id}", remove_member, methods=["DELETE"]),
]
