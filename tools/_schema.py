"""Compact JSON schemas: every tool definition is paid for in every conversation, so its published schemas
say what a caller needs and no more.

``tool_schema()`` runs once per tool when the server is built, on the published input and output schemas.
Validation is unaffected: arguments are still validated by the tool's pydantic signature (so an unknown
content block type is refused before anything is sent) and results by its pydantic return model.

* Everywhere: no auto titles (a property's name says it), no ``default: null``, no
  ``additionalProperties: true`` and no discriminator mappings (JSON Schema implies them).
* Inputs: optional fields lose their ``anyOf [X, null]`` wrapper (leaving a field out is how to omit it),
  and a union of many object variants that each pin ``type`` (content blocks) is published as one object
  that needs a ``type``; the variants are the Messages API's, well known to models, and pydantic still
  refuses an unknown one (naming the accepted types) before anything is sent.
* Inputs also publish an id's pattern as its prefix (``^wrkspc_``; pydantic checks the whole id) and drop
  ``type`` beside a string ``enum`` (the values say it).
* Outputs: ``tools/_schema_output.py``.

``compact`` / ``untitled`` remain as ``json_schema_extra`` hooks for models whose schema is also used
elsewhere.
"""

from __future__ import annotations

import json
import re
from typing import Any

from claude_api_mcp.tools._schema_output import output_schema
from claude_api_mcp.tools._schema_walk import SCHEMA_MAPS, resolve

_UNION_COLLAPSE = 4  # a union of at least this many typed objects is published as one object
# An id's published pattern is its prefix: pydantic still checks the whole id (``tools/_args.py``).
_ID_PATTERN = re.compile(r"^\^([a-z]+_)\[A-Za-z0-9_-\]\+\$$")


def tool_schema(schema: dict[str, Any], *, output: bool, passthrough: bool = False) -> dict[str, Any]:
    """A compacted copy of a tool's input (``output=False``) or output schema.

    ``passthrough``: the result is an API object as the API sent it; only the fields this server guarantees
    or explains (required or described) are published, the rest being the API's own (see the module doc)."""
    result: dict[str, Any] = json.loads(json.dumps(schema))  # a deep copy of plain JSON, ~5x faster than deepcopy
    _trim(result, nullable=output, output=output)
    if output:
        return output_schema(result, passthrough=passthrough)
    _collapse_unions(result, result.get("$defs", {}))
    _prune_defs(result)
    _inline_single_use(result)
    _drop_input_noise(result)
    _drop_item_descriptions(result)
    return result


def _drop_input_noise(node: Any) -> None:
    """What a caller needs no telling: ``default: false`` (an omitted flag is off), and lengths beside a
    ``pattern`` that already shows the shape (pydantic still enforces both)."""
    if isinstance(node, list):
        for item in node:
            _drop_input_noise(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("default") is False:
        del node["default"]
    if node.get("additionalProperties") is False:  # published once, at the top; nested objects refuse too
        del node["additionalProperties"]
    if isinstance(node.get("maxItems"), int) and node["maxItems"] >= 10_000:  # the API's, out of a model's reach
        del node["maxItems"]
    if "pattern" in node:
        node.pop("maxLength", None)
        node.pop("minLength", None)
        node["pattern"] = _ID_PATTERN.sub(r"^\1", node["pattern"])  # an id's prefix is what a caller needs
    if (
        isinstance(node.get("enum"), list)
        and node.get("type") == "string"
        and all(isinstance(v, str) for v in node["enum"])
    ):
        del node["type"]  # the values say it
    for key, value in node.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            for sub in value.values():
                _drop_input_noise(sub)
        elif key not in ("enum", "const", "required", "default"):
            _drop_input_noise(value)


def _inline_single_use(schema: dict[str, Any]) -> None:
    """A definition referred to once is written in place (its name and the reference cost more than it saves)."""
    defs = schema.get("$defs")
    if not isinstance(defs, dict):
        return
    text = json.dumps({k: v for k, v in schema.items() if k != "$defs"}) + json.dumps(defs)
    once = {name for name in defs if text.count(f'"#/$defs/{name}"') == 1}

    def visit(node: Any) -> Any:
        if isinstance(node, list):
            return [visit(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.removeprefix("#/$defs/") in once:
            target = defs[ref.removeprefix("#/$defs/")]
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            merged = {**target, **siblings}  # the property's own description wins over the definition's
            return visit(merged)
        return {k: (v if k in ("enum", "const", "required") else visit(v)) for k, v in node.items()}

    inlined = visit({k: v for k, v in schema.items() if k != "$defs"})
    kept = {name: visit(d) for name, d in defs.items() if name not in once}
    schema.clear()
    schema.update(inlined)
    if kept:
        schema["$defs"] = kept


def _drop_item_descriptions(node: Any) -> None:
    """An array's own description covers its items (``workspace_ids: "Only these workspaces."``)."""
    if isinstance(node, list):
        for item in node:
            _drop_item_descriptions(item)
    elif isinstance(node, dict):
        items = node.get("items")
        if isinstance(items, dict) and "description" in node:
            items.pop("description", None)
        for key, value in node.items():
            if key not in ("enum", "const", "required"):
                _drop_item_descriptions(value)


def compact(schema: dict[str, Any], *_: Any) -> None:
    """``json_schema_extra`` for input models."""
    _trim(schema, nullable=False, output=False)


def untitled(schema: dict[str, Any], *_: Any) -> None:
    """``json_schema_extra`` for output models (nulls occur in results, so nullability stays)."""
    _trim(schema, nullable=True, output=True)


def _trim(node: Any, *, nullable: bool, output: bool) -> None:
    if isinstance(node, list):
        for item in node:
            _trim(item, nullable=nullable, output=output)
        return
    if not isinstance(node, dict):
        return
    node.pop("title", None)
    node.pop("discriminator", None)
    if node.get("additionalProperties") is True:
        del node["additionalProperties"]
    if "default" in node and (node["default"] is None or output):  # a result's defaults tell a reader nothing
        del node["default"]
    options = node.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        single = rest[0] if len(rest) == 1 else None
        if not nullable:
            del node["anyOf"]
            if single is not None:
                node.update(single)
            else:
                node["anyOf"] = rest
    for key, value in list(node.items()):
        if key in SCHEMA_MAPS and isinstance(value, dict):
            for sub in value.values():  # keys here are names (a property may be called "title"), not keywords
                _trim(sub, nullable=nullable, output=output)
        elif key not in ("enum", "const", "required", "examples"):
            _trim(value, nullable=nullable, output=output)


def _pinned_types(variant: dict[str, Any]) -> list[str]:
    """The ``type`` values a variant accepts (``const`` or ``enum``), or none when ``type`` is free."""
    kind = (variant.get("properties") or {}).get("type") or {}
    if "const" in kind:
        return [str(kind["const"])]
    enum = kind.get("enum")
    return [str(v) for v in enum] if isinstance(enum, list) else []


def _collapse_unions(node: Any, defs: dict[str, Any]) -> None:
    if isinstance(node, list):
        for item in node:
            _collapse_unions(item, defs)
        return
    if not isinstance(node, dict):
        return
    for keyword in ("oneOf", "anyOf"):
        variants = node.get(keyword)
        if isinstance(variants, list) and len(variants) >= _UNION_COLLAPSE:
            pinned = [_pinned_types(resolve(v, defs)) for v in variants if isinstance(v, dict)]
            if len(pinned) == len(variants) and all(pinned):
                del node[keyword]
                node.update({"type": "object", "required": ["type"]})
    for key, value in node.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            for sub in value.values():
                _collapse_unions(sub, defs)
        elif key not in ("enum", "const", "required"):
            _collapse_unions(value, defs)


def _prune_defs(schema: dict[str, Any]) -> None:
    """Drop $defs nothing refers to any more (after unions were collapsed)."""
    defs = schema.get("$defs")
    if not isinstance(defs, dict):
        return
    while True:
        text = json.dumps({k: v for k, v in schema.items() if k != "$defs"}) + json.dumps(defs)
        unused = [name for name in defs if f'"#/$defs/{name}"' not in text]
        if not unused:
            break
        for name in unused:
            del defs[name]
    if not defs:
        del schema["$defs"]
