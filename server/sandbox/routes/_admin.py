"""Helpers the Admin route modules share: body checks in the API's wording, lookups, time-based status."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request

from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import invalid, not_found, rfc3339

EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def only_fields(body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """The API rejects unknown body fields rather than ignoring them."""
    for name in body:
        if name not in allowed:
            raise invalid(f"{name}: Extra inputs are not permitted")


def required_str(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        raise invalid(f"{name}: Field required")
    if not isinstance(value, str):
        raise invalid(f"{name}: Input should be a valid string")
    return value


def one_of(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = required_str(body, name)
    if value not in allowed:
        raise invalid(f"{name}: Input should be one of {list(allowed)}; got {value!r}")
    return value


def now(request: Request) -> str:
    return rfc3339(sandbox(request).clock())


def workspace(request: Request) -> dict[str, Any]:
    workspace_id = request.path_params["workspace_id"]
    ws = sandbox(request).org.workspaces.get(workspace_id)
    if ws is None:
        raise not_found("Workspace", workspace_id)
    return ws


def refuse_archived(ws: dict[str, Any]) -> None:
    if ws["archived_at"] is not None:
        raise invalid(f"Workspace {ws['id']!r} is archived and cannot be modified.")


def expire(obj: dict[str, Any], moment: str, live: tuple[str, ...]) -> dict[str, Any]:
    """Status follows the clock: an invite/key in a ``live`` status whose expires_at has passed is expired.

    Both timestamps come from ``rfc3339()`` (same width, UTC), so string order is time order.
    """
    if obj["status"] in live and obj.get("expires_at") and obj["expires_at"] <= moment:
        obj["status"] = "expired"
    return obj
