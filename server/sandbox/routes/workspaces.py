"""Workspaces: /v1/organizations/workspaces (list, get, create, update, archive)."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.org import OrgState
from claude_api_mcp.sandbox.routes._admin import now, only_fields, refuse_archived, required_str, workspace
from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import SandboxError, invalid, json_body, ok, page_by_id, q_bool, q_list

GEOS = ("global", "us")
NAME_MAX = 40
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
PALETTE = ("#D97757", "#4F8EDB", "#3BA776", "#C7A33B", "#B0559E", "#5B8A8A")
FIELDS = ("name", "display_color", "data_residency", "tags", "external_key_id", "user_profile_id")


def _org(request: Request) -> OrgState:
    return sandbox(request).org


async def list_workspaces(request: Request) -> Response:
    org = _org(request)
    include_archived = q_bool(request, "include_archived")
    include_default = q_bool(request, "include_default")
    ids = q_list(request, "ids")
    if len(ids) > 100:
        raise invalid("ids[]: at most 100 ids")
    items = [
        ws
        for ws in org.workspaces.values()
        if (include_archived or ws["archived_at"] is None)
        and (include_default or ws["id"] != org.default_workspace_id)
        and (not ids or ws["id"] in ids)
    ]
    return ok(page_by_id(request, items))


async def get_workspace(request: Request) -> Response:
    return ok(workspace(request))


def _name(org: OrgState, value: Any, *, exclude: str | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid("name: String should have at least 1 character")
    name = value.strip()
    if len(name) > NAME_MAX:
        raise invalid(f"name: String should have at most {NAME_MAX} characters")
    for ws in org.workspaces.values():
        if ws["id"] != exclude and ws["archived_at"] is None and ws["name"].lower() == name.lower():
            raise invalid(f"A workspace named {name!r} already exists ({ws['id']}).")
    return name


def _color(value: Any) -> str:
    if not isinstance(value, str) or not COLOR.match(value):
        raise invalid("display_color: must be a hex color like #D97757")
    return value


def _tags(value: Any, current: dict[str, str], *, nulls_delete: bool) -> dict[str, str]:
    if not isinstance(value, dict):
        raise invalid("tags: Input should be a valid dictionary")
    tags = dict(current)
    for key, val in value.items():
        if not key or key.lower().startswith("anthropic"):
            raise invalid(f"tags: key {key!r} is not allowed; keys may not begin with 'anthropic'")
        if val is None and nulls_delete:
            tags.pop(key, None)
        elif isinstance(val, str):
            tags[key] = val
        else:
            raise invalid(f"tags.{key}: Input should be a valid string")
    return tags


def _residency(value: Any, current: dict[str, Any], *, create: bool) -> dict[str, Any]:
    if value is None:
        return current
    if not isinstance(value, dict):
        raise invalid("data_residency: Input should be a valid dictionary")
    fields = ("allowed_inference_geos", "default_inference_geo") + (("workspace_geo",) if create else ())
    for name in value:
        if name not in fields:
            what = "is immutable" if name == "workspace_geo" else "Extra inputs are not permitted"
            raise invalid(f"data_residency.{name}: {what}")
    result = dict(current)
    geo = value.get("workspace_geo")
    if geo is not None and geo != "us":
        raise invalid("data_residency.workspace_geo: Input should be 'us'")
    allowed = value.get("allowed_inference_geos")
    if allowed is not None:
        if allowed != "unrestricted" and (
            not isinstance(allowed, list) or not allowed or any(g not in GEOS for g in allowed)
        ):
            raise invalid("data_residency.allowed_inference_geos: a non-empty list of 'global'/'us', or 'unrestricted'")
        result["allowed_inference_geos"] = allowed
    default = value.get("default_inference_geo")
    if default is not None:
        if default not in GEOS:
            raise invalid("data_residency.default_inference_geo: Input should be 'global' or 'us'")
        result["default_inference_geo"] = default
    allowed, default = result["allowed_inference_geos"], result["default_inference_geo"]
    if isinstance(allowed, list) and default not in allowed:
        raise invalid(
            f"data_residency.default_inference_geo: {default!r} must be one of allowed_inference_geos {allowed}"
        )
    return result


def _unsupported(body: dict[str, Any]) -> None:
    if body.get("external_key_id") is not None:
        raise invalid("external_key_id: customer-managed encryption keys are not enabled for this organization")
    if body.get("user_profile_id") is not None:
        raise SandboxError(
            400,
            "invalid_request_error",
            f"User profile {body['user_profile_id']!r} not found.",
            "user_profile_not_found",
        )


async def create_workspace(request: Request) -> Response:
    org = _org(request)
    body = await json_body(request)
    only_fields(body, FIELDS)
    required_str(body, "name")
    name = _name(org, body["name"])
    color = (
        _color(body["display_color"])
        if body.get("display_color") is not None
        else PALETTE[len(org.workspaces) % len(PALETTE)]
    )
    defaults = {"workspace_geo": "us", "allowed_inference_geos": "unrestricted", "default_inference_geo": "global"}
    residency = _residency(body.get("data_residency"), defaults, create=True)
    tags = _tags(body["tags"], {}, nulls_delete=False) if body.get("tags") is not None else {}
    _unsupported(body)
    ws = org.add_workspace(name, color, sandbox(request).clock(), tags=tags)
    ws["data_residency"] = residency
    return ok(ws)


async def update_workspace(request: Request) -> Response:
    org = _org(request)
    ws = workspace(request)
    body = await json_body(request)
    only_fields(body, FIELDS)
    refuse_archived(ws)
    changes: dict[str, Any] = {}
    if "name" in body:
        name = _name(org, body["name"], exclude=ws["id"])
        if ws["id"] == org.default_workspace_id and name != ws["name"]:
            raise invalid("The Default workspace cannot be renamed.")
        changes["name"] = name
    if "display_color" in body:
        changes["display_color"] = _color(body["display_color"])
    if body.get("data_residency") is not None:
        changes["data_residency"] = _residency(body["data_residency"], ws["data_residency"], create=False)
    if body.get("tags") is not None:
        changes["tags"] = _tags(body["tags"], ws["tags"], nulls_delete=True)
    if body.get("user_profile_id") is not None and ws["id"] == org.default_workspace_id:
        raise invalid("user_profile_id: the Default workspace cannot have a user profile.")
    _unsupported(body)
    ws.update(changes)  # all checks passed: apply at once, like the API (no partial updates)
    return ok(ws)


async def archive_workspace(request: Request) -> Response:
    org = _org(request)
    ws = workspace(request)
    if ws["id"] == org.default_workspace_id:
        raise invalid("The Default workspace cannot be archived.")
    if ws["archived_at"] is None:  # archiving again changes nothing: archived_at keeps the first time
        ws["archived_at"] = now(request)
        for key in org.api_keys.values():
            if key["scope"].get("workspace_id") == ws["id"] and key["status"] in ("active", "inactive"):
                key["status"] = "archived"  # archiving revokes the workspace's keys, permanently
    return ok(ws)


ROUTES: list[BaseRoute] = [
    Route("/v1/organizations/workspaces", list_workspaces, methods=["GET"]),
    Route("/v1/organizations/workspaces", create_workspace, methods=["POST"]),
    Route("/v1/organizations/workspaces/{workspace_id}", get_workspace, methods=["GET"]),
    Route("/v1/organizations/workspaces/{workspace_id}", update_workspace, methods=["POST"]),
    Route("/v1/organizations/workspaces/{workspace_id}/archive", archive_workspace, methods=["POST"]),
]
