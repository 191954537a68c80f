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
* Outputs: nullable stays nullable (``anyOf`` with a ``null`` branch); references are inlined; the result's
  own fields keep their types, the objects it holds or lists keep their field names (the API's) with their
  JSON types only, and deeper objects are left open (``"type": "object"``). Clients validate results against
  this schema on every call: shallow is cheap. Every node is portable (the MCP Inspector's ``--strict``
  check): one ``type`` per schema, and no schema that constrains nothing (``Any`` is spelled as ``anyOf``
  the JSON types).

``compact`` / ``untitled`` remain as ``json_schema_extra`` hooks for models whose schema is also used
elsewhere.
"""

from __future__ import annotations

import copy
import json
from typing import Any

_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_UNION_COLLAPSE = 4  # a union of at least this many typed objects is published as one object
OUTPUT_DEPTH = 2


def tool_schema(schema: dict[str, Any], *, output: bool) -> dict[str, Any]:
    """A compacted copy of a tool's input (``output=False``) or output schema."""
    result = copy.deepcopy(schema)
    _trim(result, nullable=output, output=output)
    if output:
        shallow: dict[str, Any] = _limit(result, result.get("$defs", {}), depth=0)
        return shallow
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
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
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
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            for sub in value.values():  # keys here are names (a property may be called "title"), not keywords
                _trim(sub, nullable=nullable, output=output)
        elif key not in ("enum", "const", "required", "examples"):
            _trim(value, nullable=nullable, output=output)


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target: dict[str, Any] = defs.get(ref.removeprefix("#/$defs/"), {})
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


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
            pinned = [_pinned_types(_resolve(v, defs)) for v in variants if isinstance(v, dict)]
            if len(pinned) == len(variants) and all(pinned):
                del node[keyword]
                node.update({"type": "object", "required": ["type"]})
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
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


ANY: dict[str, Any] = {"anyOf": [{"type": t} for t in ("object", "array", "string", "number", "boolean", "null")]}


def _nullable(inner: dict[str, Any]) -> dict[str, Any]:
    """``inner`` or null, as ``anyOf`` branches with one ``type`` each (a ``type`` array is less portable)."""
    options = inner.get("anyOf")
    if isinstance(options, list) and set(inner) <= {"anyOf", "description"}:
        return inner if {"type": "null"} in options else {**inner, "anyOf": [*options, {"type": "null"}]}
    outer = {k: v for k, v in inner.items() if k == "description"}
    branch = {k: v for k, v in inner.items() if k != "description"}
    return {**outer, "anyOf": [branch or ANY, {"type": "null"}]} if branch else {**outer, **ANY}


def _shape(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Only the JSON type(s) of a value deep in a result: its name is the documentation."""
    node = _resolve(node, defs)
    union = node.get("anyOf") or node.get("oneOf")
    if isinstance(union, list):
        kinds = [_shape(v, defs) for v in union if isinstance(v, dict)]
        if any(k is ANY or "anyOf" in k for k in kinds):
            return dict(ANY)
        distinct = list({json.dumps(k, sort_keys=True): k for k in kinds}.values())
        return distinct[0] if len(distinct) == 1 else {"anyOf": distinct}
    kind = node.get("type")
    if isinstance(kind, str):
        return {"type": kind}
    if "properties" in node:
        return {"type": "object"}
    return dict(ANY)


def _limit(node: Any, defs: dict[str, Any], depth: int) -> Any:
    """Inline references; types for the result's fields, names (with their JSON types) one object deeper."""
    if not isinstance(node, dict):
        return node
    node = _resolve(node, defs)
    if depth >= OUTPUT_DEPTH:
        return _shape(node, defs)
    union = node.get("anyOf") or node.get("oneOf")
    if isinstance(union, list):
        nullable = {"type": "null"} in union
        rest = [_resolve(v, defs) for v in union if v != {"type": "null"}]
        outer = {k: v for k, v in node.items() if k not in ("anyOf", "oneOf")}
        if len(rest) == 1:
            inner = _limit({**rest[0], **outer}, defs, depth)
            return _nullable(inner) if nullable else inner
        if depth >= 1:  # a deep union of shapes: its JSON types
            shaped = _shape({"anyOf": rest}, defs)
            described = {k: v for k, v in outer.items() if k == "description"}
            return _nullable({**described, **shaped}) if nullable else {**described, **shaped}
        node = {**outer, "anyOf": [_limit(v, defs, depth) for v in union]}
    is_object = "properties" in node or node.get("type") == "object"
    if is_object:
        out = {k: v for k, v in node.items() if k not in ("$defs", "properties")}
        if depth >= 1:
            out.pop("description", None)
            out.pop("required", None)
        if "properties" in node:
            out["properties"] = {name: _limit(sub, defs, depth + 1) for name, sub in node["properties"].items()}
        return out
    if "items" in node:
        out = {k: v for k, v in node.items() if k != "items"}
        if depth >= 1:
            out.pop("description", None)
        out["items"] = _limit(node["items"], defs, depth)
        return out
    if not any(k in node for k in ("type", "enum", "const", "anyOf", "oneOf", "allOf", "$ref")):
        return {**node, **ANY}  # Any: say so in the one portable spelling
    return node
