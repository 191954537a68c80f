"""models toolset: the models this key can use."""

from __future__ import annotations

from server.config import KeyKind
from tools._args import AfterId, AllPages, BeforeId, Limit, ModelId
from tools._base import Ctx, ToolDef, api, tool
from tools._lists import list_cursor
from tools._models import ApiObject, CursorPage

KEY = KeyKind.API
NOT_FOUND = "Call list_models to find valid model ids."


class Model(ApiObject):
    id: str | None = None
    type: str | None = "model"
    display_name: str | None = None
    created_at: str | None = None
    lifecycle: str | None = None
    max_input_tokens: int | None = None
    max_tokens: int | None = None


@tool("models", KEY, title="List models", read_only=True)
async def list_models(
    ctx: Ctx,
    limit: Limit = 20,
    after_id: AfterId = None,
    before_id: BeforeId = None,
    all_pages: AllPages = False,
) -> CursorPage[Model]:
    """List available Claude models, newest first, with limits and capabilities."""
    return await list_cursor(
        ctx, "/v1/models", Model, key=KEY, limit=limit, after_id=after_id, before_id=before_id, all_pages=all_pages
    )


@tool("models", KEY, title="Get model", read_only=True, not_found_hint=NOT_FOUND)
async def get_model(
    ctx: Ctx,
    model_id: ModelId,
) -> Model:
    """Get one model by id or alias (an alias resolves to the current model id)."""
    return Model.model_validate(await api(ctx, KEY).request("GET", f"/v1/models/{model_id}", key=KEY))


TOOLS: list[ToolDef] = [list_models, get_model]
