"""The full JSON Schema of what each catalog operation returns, from the committed ``catalog/shapes.json``.

``scripts/update_catalog.py`` writes that file from the pinned SDK's own pydantic types (one shared ``$defs``
namespace for every operation), and ``tests/client/test_catalog.py`` checks it is what the installed SDK generates.
So the simulator answers with the SDK's exact shapes on a plain install too, without importing the SDK
(a test dependency, and a multi-second import) at run time. The file is read once, on first use.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Shape:
    kind: str  # object | page | jsonl | binary | sse | empty
    schema: dict[str, Any]  # of the object, or of one item (page, jsonl) or event (sse); with the shared $defs


@functools.cache
def _shapes() -> dict[str, Any]:
    text = resources.files("claude_api_mcp.client.catalog").joinpath("shapes.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def shape_of(op_id: str) -> Shape:
    """The response of an operation; one the SDK does not describe (the hand-served reports) has an empty schema."""
    data = _shapes()
    entry = data["operations"].get(op_id)
    if entry is None:
        return Shape("object", {})
    schema = entry["schema"]
    if "$defs" not in schema:  # the shared namespace, by reference: nothing is copied
        schema = {**schema, "$defs": data["$defs"]}
    return Shape(str(entry["kind"]), schema)
