"""Models: GET /v1/models (style-A page, newest first; retired models only when asked) and by id or alias."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.models_state import MODELS, resolve
from claude_api_mcp.sandbox.wire import not_found, ok, page_by_id, q_list

LIFECYCLES = ("active", "deprecated", "retired")


async def list_models(request: Request) -> Response:
    wanted = q_list(request, "lifecycle", LIFECYCLES) or ["active", "deprecated"]
    return ok(page_by_id(request, [m for m in MODELS if m["lifecycle"] in wanted]))


async def get_model(request: Request) -> Response:
    model_id = request.path_params["model_id"]
    model = resolve(model_id)
    if model is None:
        raise not_found("Model", model_id)
    return ok(model)


ROUTES: list[BaseRoute] = [
    Route("/v1/models", list_models, methods=["GET"]),
    Route("/v1/models/{model_id}", get_model, methods=["GET"]),
]
