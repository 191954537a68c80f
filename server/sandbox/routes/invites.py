"""Invites: /v1/organizations/invites."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.routes._admin import EMAIL, expire, now, only_fields, required_str
from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.routes.users import ASSIGNABLE, ROLES
from claude_api_mcp.sandbox.wire import invalid, json_body, not_found, ok, page_by_id, q_list

STATUSES = ("accepted", "expired", "pending")  # what the list filter accepts; "deleted" is never listed


def _normalize(email: str) -> str:
    return email.strip().lower()


def _invites(request: Request) -> list[dict[str, Any]]:
    moment = now(request)
    return [expire(i, moment, ("pending",)) for i in sandbox(request).org.invites.values()]


async def list_invites(request: Request) -> Response:
    roles = q_list(request, "roles", ROLES)
    statuses = q_list(request, "statuses", STATUSES) or list(STATUSES)
    email = request.query_params.get("email")
    invites = [
        i
        for i in _invites(request)
        if i["status"] in statuses
        and (not roles or i["role"] in roles)
        and (email is None or _normalize(i["email"]) == _normalize(email))
    ]
    return ok(page_by_id(request, invites))


def _invite(request: Request) -> dict[str, Any]:
    invite_id = request.path_params["invite_id"]
    invite = sandbox(request).org.invites.get(invite_id)
    if invite is None:
        raise not_found("Invite", invite_id)
    return expire(invite, now(request), ("pending",))


async def get_invite(request: Request) -> Response:
    return ok(_invite(request))


async def create_invite(request: Request) -> Response:
    body = await json_body(request)
    only_fields(body, ("email", "role", "rbac_group_ids"))
    email = required_str(body, "email").strip()
    role = required_str(body, "role")
    if not EMAIL.match(email):
        raise invalid(f"email: {email!r} is not a valid email address")
    if role == "managed":
        raise invalid("role: 'managed' is only available to Claude Enterprise organizations")
    if role not in ASSIGNABLE:
        raise invalid(f"role: Input should be one of {list(ASSIGNABLE)}; {role!r} cannot be assigned via the API")
    if body.get("rbac_group_ids"):
        raise invalid("rbac_group_ids: RBAC groups are only available to Claude Enterprise organizations")
    box = sandbox(request)
    org = box.org
    member = next((u for u in org.users.values() if _normalize(u["email"]) == _normalize(email)), None)
    if member is not None:
        raise invalid(f"{email} is already a member of this organization ({member['id']}).", "already_member")
    pending = next(
        (i for i in _invites(request) if i["status"] == "pending" and _normalize(i["email"]) == _normalize(email)),
        None,
    )
    if pending is not None:
        raise invalid(f"A pending invite already exists for {email} ({pending['id']}).", "invite_already_exists")
    return ok(org.add_invite(email, role, box.clock()))


async def delete_invite(request: Request) -> Response:
    invite = _invite(request)
    if invite["status"] != "pending":
        raise invalid(f"Only pending invites can be deleted; this invite is {invite['status']}.")
    invite["status"] = "deleted"  # kept, so get_invite shows it as deleted; lists leave it out
    return ok({"id": invite["id"], "type": "invite_deleted"})


ROUTES: list[BaseRoute] = [
    Route("/v1/organizations/invites", list_invites, methods=["GET"]),
    Route("/v1/organizations/invites", create_invite, methods=["POST"]),
    Route("/v1/organizations/invites/{invite_id}", get_invite, methods=["GET"]),
    Route("/v1/organizations/invites/{invite_id}", delete_invite, methods=["DELETE"]),
]
