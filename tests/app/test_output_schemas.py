"""Output schemas (issue 22): small, read straight from the result model's fields when they are plain, and the
same as the full path (the model's whole JSON schema, cut down by ``tool_schema``) would publish."""

from __future__ import annotations

import inspect
import json

import pytest
from jsonschema.validators import validator_for
from mcp import Client
from pydantic import BaseModel

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.client.models import ApiObject
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.tools._schema import tool_schema
from claude_api_mcp.tools._schema_output import from_model
from claude_api_mcp.tools.registry import ALL_TOOLS

MODELS = [
    (tool.name, model)
    for tool in ALL_TOOLS
    if isinstance(model := inspect.signature(tool.fn, eval_str=True).return_annotation, type)
    and issubclass(model, BaseModel)
]


@pytest.mark.parametrize(("name", "model"), MODELS, ids=[name for name, _ in MODELS])
def test_the_quick_schema_is_the_one_the_full_path_publishes(name: str, model: type[BaseModel]) -> None:
    passthrough = issubclass(model, ApiObject)
    quick = from_model(model, passthrough=passthrough)
    assert quick is not None, f"{name}: a field type from_model does not know; start-up takes the slow path"
    full = tool_schema(model.model_json_schema(), output=True, passthrough=passthrough)
    assert json.dumps(quick, sort_keys=True) == json.dumps(full, sort_keys=True)


def test_a_field_with_constraints_takes_the_full_path() -> None:
    from pydantic import Field

    class Bounded(BaseModel):
        n: int = Field(ge=1)

    assert from_model(Bounded, passthrough=False) is None


@pytest.mark.anyio
async def test_the_admin_list_is_small_on_the_wire_and_its_results_validate() -> None:
    async with Client(build_server(Settings(sandbox=True, profile=Profile.ADMIN))) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        wire = sum(len(t.model_dump_json(by_alias=True, exclude_none=True)) for t in tools.values())
        result = await client.call_tool("list_users", {"limit": 5})
    assert wire <= 48_000  # issue 22's goal for tools/list, admin profile, every toolset
    schema = tools["list_users"].output_schema
    assert schema is not None and list(validator_for(schema)(schema).iter_errors(result.structured_content)) == []
    assert "description" not in json.dumps(schema)  # outputs carry types, not prose
