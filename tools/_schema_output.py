"""Output schemas: what a client checks on every call, and no more (``tools/_schema.py`` runs these once per
tool when the server is built).

Nullable stays nullable (``anyOf`` with a ``null`` branch); references are inlined; the result's own fields
keep their JSON types; what they hold (lists, nested objects) is typed by its JSON type only; no descriptions
(the model reads the tool's description and the JSON; hosts do not prompt with output schemas). An API object
passed through as the result (``passthrough``) publishes only the fields this server guarantees or explains,
its other fields being the API's own. A client validates every result against this schema, field by field and
item by item: a detailed one cost the MCP Python client ~0.7 ms per ``list_users`` call (bench/README.md).
Every node is portable (the MCP Inspector's ``--strict`` check): one ``type`` per schema, and no schema that
constrains nothing (``Any`` is spelled as ``anyOf`` the JSON types).

``from_model`` builds the same schema straight from a model's fields at start-up, when they are plain.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

from pydantic import BaseModel

from claude_api_mcp.tools._schema_walk import SCHEMA_MAPS, resolve

OUTPUT_DEPTH = 2


def output_schema(result: dict[str, Any], *, passthrough: bool) -> dict[str, Any]:
    """The published output schema, from a trimmed copy of the model's."""
    if passthrough:
        _keep_own_fields(result)
    shallow: dict[str, Any] = _limit(result, result.get("$defs", {}), depth=0)
    _drop_descriptions(shallow)
    return shallow


def _keep_own_fields(schema: dict[str, Any]) -> None:
    """Drop an API object's optional, undocumented fields: a client checks each one on every call, and their
    names and types are the API's (``describe_api``), not something this server adds."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    required = set(schema.get("required", []))
    schema["properties"] = {
        name: sub for name, sub in properties.items() if name in required or "description" in resolve(sub, {})
    }


def _drop_descriptions(node: Any) -> None:
    """Output schemas are for checking results; the model learns a result from the tool's description and
    the JSON it reads, so prose here would only be paid for on the wire (once per tool, every session)."""
    if isinstance(node, list):
        for item in node:
            _drop_descriptions(item)
    elif isinstance(node, dict):
        node.pop("description", None)
        for key, value in node.items():
            if key in SCHEMA_MAPS and isinstance(value, dict):
                for sub in value.values():
                    _drop_descriptions(sub)
            elif key not in ("enum", "const", "required"):
                _drop_descriptions(value)


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
    node = resolve(node, defs)
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
    node = resolve(node, defs)
    if depth >= OUTPUT_DEPTH:
        return _shape(node, defs)
    union = node.get("anyOf") or node.get("oneOf")
    if isinstance(union, list):
        nullable = {"type": "null"} in union
        rest = [resolve(v, defs) for v in union if v != {"type": "null"}]
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
    if depth >= 1 and (is_object or "items" in node):  # what a result holds: its JSON type only (a schema
        return _shape(node, defs)  # for its fields or items costs the client a check per item on every call)
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


def from_model(model: type[BaseModel], *, passthrough: bool) -> dict[str, Any] | None:
    """The same schema as ``output_schema`` gives for ``model``'s full JSON schema, read straight from its
    fields (generating the full schema of every nested model is a quarter of building the server). None when
    a field's type is not one of the plain shapes below: the caller then takes the full path."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, field in model.model_fields.items():
        if field.alias or field.validation_alias or field.metadata or field.json_schema_extra is not None:
            return None  # constraints or renames: pydantic's own schema says them
        if passthrough and not (field.is_required() or field.description):
            continue
        shape = _annotation_shape(field.annotation)
        if shape is None:
            return None
        properties[name] = shape
        if field.is_required():
            required.append(name)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    return {"required": required, **schema} if required else schema


_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _annotation_shape(annotation: Any) -> dict[str, Any] | None:
    """A result field's published schema: its JSON type, nullable when it may be None."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        shapes = [_annotation_shape(a) for a in members]
        if any(s is None for s in shapes):
            return None
        distinct = list({json.dumps(s, sort_keys=True): s for s in shapes if s is not None}.values())
        inner = distinct[0] if len(distinct) == 1 else {"anyOf": distinct}
        return _nullable(inner) if len(members) < len(typing.get_args(annotation)) else inner
    if annotation is Any:
        return dict(ANY)
    if annotation in _SCALARS:
        return {"type": _SCALARS[annotation]}
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set, frozenset):
        return {"type": "array"}
    if origin is dict or annotation is dict:
        return {"type": "object"}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"type": "object"}
    return None
