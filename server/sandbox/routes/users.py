"""Organization members: /v1/organizations/users."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import SandboxError, invalid, json_body, not_found, ok, page_by_id, q_list

ROLES = (
    "user",
    "developer",
    "billing",
    "admin",
    "claude_code_user",
    "managed",
    "membership_admin",
    "owner",
    "primary_owner",
)
ASSIGNABLE = ("user", "developer", "billing", "claude_code_user")


async def list_users(request: Request) -> Response:
    org = sandbox(request).org
    roles = q_list(request, "roles", ROLES)
    email = request.query_params.get("email")
    users = [
        u
        for u in org.users.values()
        if (not roles or u["role"] in roles) and (email is None or u["email"].lower() == email.lower())
    ]
    return ok(page_by_id(request, users))


def _user(request: Request) -> dict:  # type: ignore[type-arg]
    user_id = request.path_params["user_id"]
    user = sandbox(request).org.users.get(user_id)
    if user is None:
        raise not_found("User", user_id)
    return user


async def get_user(request: Request) -> Response:
    return ok(_user(request))


async def update_user(request: Request) -> Response:
    user = _user(request)
    body = await json_body(request)
    role = body.get("role")
    if role is None:
        raise invalid("role: Field required")
    if role not in ASSIGNABLE:
        raise invalid(f"role: Input should be one of {list(ASSIGNABLE)}; {role!r} cannot be assigned via the API")
    if user["role"] == "admin":
        raise invalid("Admins' roles cannot be changed via the API.")
    user["role"] = role
    org = sandbox(request).org
    for (ws_id, uid), member in list(org.members.items()):  # billing's automatic workspace role follows the org role
        if uid == user["id"] and member["workspace_role"] == "workspace_billing" and role != "billing":
            del org.members[(ws_id, uid)]
    if role == "billing":
        for ws_id in org.workspaces:
            org.members.setdefault(
                (ws_id, user["id"]),
                {
                    "type": "workspace_member",
                    "user_id": user["id"],
                    "workspace_id": ws_id,
                    "workspace_role": "workspace_billing",
                },
            )
    return ok(user)


async def remove_user(request: Request) -> Response:
    user = _user(request)
    if user["role"] == "admin":
        raise invalid("Admins cannot be removed via the API.")
    org = sandbox(request).org
    if len(org.users) <= 1:
        raise SandboxError(400, "invalid_request_error", "Cannot remove the last member.", "cannot_remove_last_member")
    del org.users[user["id"]]
    for key in [k for k in org.members if k[1] == user["id"]]:
        del org.members[key]
    # As in the real API, the user's API keys stay: they belong to the organization.
    return ok({"id": user["id"], "type": "user_deleted"})


ROUTES: list[BaseRoute] = [
    Route("/v1/organizations/users", list_users, methods=["GET"]),
    Route("/v1/organizations/users/{user_id}", get_user, methods=["GET"]),
    Route("/v1/organizations/users/{user_id}", update_user, methods=["POST"]),
    Route("/v1/organizations/users/{user_id}", remove_user, methods=["DELETE"]),
]
