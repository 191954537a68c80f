"""The full JSON Schema of what every catalog operation returns → server/client/catalog/shapes.json.

Used by ``update_catalog.py`` only. The sandbox's generic simulator builds each answer from these schemas,
so it needs them whole (the catalog's ``response.fields`` stop at a few levels, for ``describe_api``) and
must not import the SDK at run time to get them. One pydantic generation pass over every distinct
return / item / event type gives one shared ``$defs`` namespace: a model used by forty operations is written
once, under one name. Titles and descriptions (the SDK's docstrings) are dropped: the simulator needs the
structure only (the field docs a model reads are in the catalog's argument schemas, catalog_docs.py).
"""

from __future__ import annotations

import json
from typing import Any

import pydantic
import typing_extensions
from catalog_types import union_args

PAGES = {  # SDK page class -> the catalog's pagination name (as in update_catalog.PAGES)
    "SyncPage": "cursor",
    "SyncPageCursor": "token",
    "SyncTokenPage": "page_token",
    "SyncBidirectionalPageCursor": "bidirectional",
    "SyncReportPageCursor": "report",
}
_PROSE = ("title", "description")


def split(hint: Any) -> tuple[str, str | None, Any]:
    """(kind, pagination, the type of the object / one item / one event) from a method's return annotation."""
    args = union_args(hint)
    if args is not None:  # Optional[Model]: a poll that may find nothing
        hint = next(a for a in args if a is not type(None))
    if hint is None or hint is type(None):
        return "empty", None, None
    generic = getattr(hint, "__pydantic_generic_metadata__", None)
    if generic and generic.get("origin") is not None:  # pydantic pages: SyncPageCursor[Item]
        origin, inner = generic["origin"], tuple(generic["args"])
    else:
        origin, inner = typing_extensions.get_origin(hint) or hint, typing_extensions.get_args(hint)
    name = getattr(origin, "__name__", "")
    if name in PAGES:
        return "page", PAGES[name], inner[0]
    if name == "JSONLDecoder":
        return "jsonl", None, inner[0]
    if name == "Stream":
        return "sse", None, inner[0]
    if name == "BinaryAPIResponse":
        return "binary", None, None
    return "object", None, hint


def build_shapes(returns: dict[str, Any]) -> dict[str, Any]:
    """``{"$defs": {...}, "operations": {op_id: {"kind", "pagination", "schema"}}}`` from op id → return hint.

    Operations without a return annotation (the hand-added report endpoints) are left out: the sandbox
    serves those by hand-written routes.
    """
    split_ops = {op_id: split(hint) for op_id, hint in sorted(returns.items())}
    types: list[Any] = []  # distinct item types, in first-use order (deterministic: ops are sorted)
    for _, _, item in split_ops.values():
        if item is not None and not any(item is seen for seen in types):
            types.append(item)
    adapters = [(index, "validation", pydantic.TypeAdapter(tp)) for index, tp in enumerate(types)]
    schemas, definitions = pydantic.TypeAdapter.json_schemas(adapters)  # type: ignore[arg-type]
    operations: dict[str, Any] = {}
    for op_id, (kind, pagination, item) in split_ops.items():
        schema: dict[str, Any] = {}
        if item is not None:
            index = next(i for i, tp in enumerate(types) if tp is item)
            schema = schemas[(index, "validation")]
        operations[op_id] = {"kind": kind, "pagination": pagination, "schema": _plain(schema)}
    defs = {name: _plain(d) for name, d in sorted(definitions.get("$defs", {}).items())}
    return {"$defs": defs, "operations": operations}


def _plain(schema: Any) -> Any:
    """The schema without prose (``title``/``description`` keywords go, properties of those names stay) and
    without ``additionalProperties: true`` (the default: every SDK model keeps unknown fields)."""
    if isinstance(schema, list):
        return [_plain(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _PROSE or (key == "additionalProperties" and value is True):  # true is JSON Schema's default
            continue
        if key in ("properties", "$defs", "patternProperties", "mapping"):  # maps keyed by names: names are data
            out[key] = {name: _plain(sub) for name, sub in value.items()}
        elif key in ("default", "const", "enum", "examples"):  # values, not schemas
            out[key] = value
        else:
            out[key] = _plain(value)
    return out


def render_shapes(shapes: dict[str, Any]) -> str:
    """Compact JSON, one operation per line (so a pin bump's diff reads), defs one per line."""
    lines = ['{"$defs":{']
    defs = list(shapes["$defs"].items())
    lines += [f"{_dump(name)}:{_dump(d)}" + ("," if i < len(defs) - 1 else "") for i, (name, d) in enumerate(defs)]
    lines.append('},"operations":{')
    ops = list(shapes["operations"].items())
    lines += [f"{_dump(op)}:{_dump(s)}" + ("," if i < len(ops) - 1 else "") for i, (op, s) in enumerate(ops)]
    lines.append("}}")
    return "\n".join(lines) + "\n"


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
