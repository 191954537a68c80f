"""models toolset: the models this key can use."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from claude_api_mcp.client.models import ApiObject, CursorPage
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety.deps import api
from claude_api_mcp.tools._args import AfterId, AllPages, BeforeId, Limit, ModelId
from claude_api_mcp.tools._lists import list_cursor
from claude_api_mcp.tools._ops import op

LIST, GET = op("models.list"), op("models.retrieve")
KEY = KeyKind.API
NOT_FOUND = "Call list_models to find valid model ids."


class Model(ApiObject):
    id: str | None = None
    type: str | None = "model"
    display_name: str | None = None
    created_at: str | None = None
    lifecycle: str | None = None
    deprecated_at: str | None = None
    retires_at: str | None = None
    line: str | None = None
    max_input_tokens: int | None = None
    max_tokens: int | None = None
    capabilities: dict[str, Any] | None = None


@tool("models", KEY, title="List models", read_only=True, op="models.list")
async def list_models(
    ctx: Ctx,
    limit: Limit = 20,
    after_id: AfterId = None,
    before_id: BeforeId = None,
    all_pages: AllPages = False,
    lifecycle: Annotated[
        list[Literal["active", "deprecated", "retired"]] | None, Field(description="Default: active, deprecated.")
    ] = None,
) -> CursorPage[Model]:
    """List Claude models (newest first) with limits and capabilities."""
    return await list_cursor(
        ctx,
        LIST.path(),
        Model,
        key=KEY,
        limit=limit,
        after_id=after_id,
        before_id=before_id,
        all_pages=all_pages,
        params={"lifecycle": lifecycle},
    )


@tool("models", KEY, title="Get model", read_only=True, not_found_hint=NOT_FOUND, op="models.retrieve")
async def get_model(
    ctx: Ctx,
    model_id: ModelId,
) -> Model:
    """Get one model by id or alias."""
    return Model.model_validate(await api(ctx, KEY).request(GET.method, GET.path(model_id=model_id), key=KEY))


TOOLS: list[ToolDef] = [list_models, get_model]
