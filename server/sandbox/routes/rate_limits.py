"""Rate limits: /v1/organizations/rate_limits and /v1/organizations/workspaces/{workspace_id}/rate_limits.

Page-token lists (``{data, next_page}``); with no ``limit`` every entry comes in one page, as in the API.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.rate_limit_data import GROUP_TYPES, rate_limits
from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import SandboxError, invalid, not_found, ok, page_by_token, q_bool


def _group_type(request: Request) -> str | None:
    value = request.query_params.get("group_type")
    if value is not None and value not in GROUP_TYPES:
        raise invalid(f"group_type: Input should be one of {list(GROUP_TYPES)}; got {value!r}")
    return value


async def list_rate_limits(request: Request) -> Response:
    group_type = _group_type(request)
    model = request.query_params.get("model")
    entries = [
        e for e in rate_limits(sandbox(request)).entries if group_type is None or e["group"]["type"] == group_type
    ]
    if model is not None:
        entries = [e for e in entries if model in (e["models"] or [])]
        if not entries:
            raise SandboxError(404, "not_found_error", f"No rate limits found for model {model!r}.")
    return ok(page_by_token(request, entries, salt="rate_limits", default_limit=None, has_more=False))


async def list_workspace_rate_limits(request: Request) -> Response:
    box = sandbox(request)
    workspace_id = request.path_params["workspace_id"]
    if workspace_id not in box.org.workspaces:
        raise not_found("Workspace", workspace_id)
    group_type = _group_type(request)
    entries = rate_limits(box).workspace_entries(workspace_id, q_bool(request, "include_inherited"))
    entries = [e for e in entries if group_type is None or e["group"]["type"] == group_type]
    return ok(page_by_token(request, entries, salt=f"rate_limits:{workspace_id}", default_limit=None, has_more=False))


ROUTES: list[BaseRoute] = [
    Route("/v1/organizations/rate_limits", list_rate_limits, methods=["GET"]),
    Route("/v1/organizations/workspaces/{workspace_id}/rate_limits", list_workspace_rate_limits, methods=["GET"]),
]
