"""API keys: /v1/organizations/api_keys (list, get, update; the API cannot create keys)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.routes._admin import expire, now, one_of, only_fields
from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import invalid, json_body, not_found, ok, page_by_id

STATUSES = ("active", "inactive", "archived", "expired")
SETTABLE = ("active", "inactive", "archived")
NAME_MAX = 500


def _keys(request: Request) -> list[dict[str, Any]]:
    moment = now(request)
    return [expire(k, moment, ("active", "inactive")) for k in sandbox(request).org.api_keys.values()]


async def list_api_keys(request: Request) -> Response:
    status = request.query_params.get("status")
    if status is not None and status not in STATUSES:
        raise invalid(f"status: Input should be one of {list(STATUSES)}; got {status!r}")
    workspace_id = request.query_params.get("workspace_id")
    creator = request.query_params.get("created_by_user_id")
    keys = [
        k
        for k in _keys(request)
        if (status is None or k["status"] == status)
        and (workspace_id is None or k["scope"].get("workspace_id") == workspace_id)
        and (creator is None or (k["created_by"] or {}).get("id") == creator)
    ]
    return ok(page_by_id(request, keys))


def _key(request: Request) -> dict[str, Any]:
    key_id = request.path_params["api_key_id"]
    key = sandbox(request).org.api_keys.get(key_id)
    if key is None:
        raise not_found("API key", key_id)
    return expire(key, now(request), ("active", "inactive"))


async def get_api_key(request: Request) -> Response:
    return ok(_key(request))


async def update_api_key(request: Request) -> Response:
    key = _key(request)
    body = await json_body(request)
    only_fields(body, ("name", "status"))
    changes: dict[str, Any] = {}
    if body.get("name") is not None:
        name = body["name"]
        if not isinstance(name, str) or not name.strip():
            raise invalid("name: String should have at least 1 character")
        if len(name) > NAME_MAX:
            raise invalid(f"name: String should have at most {NAME_MAX} characters")
        changes["name"] = name.strip()
    if body.get("status") is not None:
        status = one_of(body, "status", SETTABLE)
        if status != key["status"]:
            if key["status"] == "archived":
                raise invalid("This API key is archived; archiving is permanent.")
            if key["status"] == "expired":
                raise invalid("This API key has expired; its status cannot be changed.")
        changes["status"] = status
    key.update(changes)
    return ok(key)


ROUTES: list[BaseRoute] = [
    Route("/v1/organizations/api_keys", list_api_keys, methods=["GET"]),
    Route("/v1/organizations/api_keys/{api_key_id}", get_api_key, methods=["GET"]),
    Route("/v1/organizations/api_keys/{api_key_id}", update_api_key, methods=["POST"]),
]
