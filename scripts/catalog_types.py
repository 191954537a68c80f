"""Python type annotations of the SDK (params TypedDicts, response models) → compact JSON Schema.

Used by ``update_catalog.py`` only. Compact on purpose: ``describe_api`` shows these schemas to a model,
so nesting stops at ``MAX_DEPTH`` (deeper values are described as a bare object or array, and the API
validates them). Fields of params TypedDicts carry the SDK's own attribute docs as ``description``
(``catalog_docs.py``); response models carry none (the shapes are for reading, and every word is paid for).
"""

from __future__ import annotations

import datetime
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pydantic
import typing_extensions
from catalog_docs import field_docs, sentence

MAX_DEPTH = 4
MAX_UNION = 12  # a union of more variants than this is described by its kinds only

_NONE = type(None)


def strip(tp: Any) -> Any:
    """Drop Annotated, Required/NotRequired/ReadOnly wrappers."""
    while True:
        origin = typing_extensions.get_origin(tp)
        if origin in (typing_extensions.Annotated, typing.Annotated) or origin in (
            typing_extensions.Required,
            typing_extensions.NotRequired,
            typing_extensions.ReadOnly,
        ):
            tp = typing_extensions.get_args(tp)[0]
        else:
            return tp


def alias_of(tp: Any) -> str | None:
    """The wire name an ``Annotated[..., PropertyInfo(alias=...)]`` field carries, if any."""
    while typing_extensions.get_origin(tp) in (
        typing_extensions.Required,
        typing_extensions.NotRequired,
        typing_extensions.ReadOnly,
    ):
        tp = typing_extensions.get_args(tp)[0]
    if typing_extensions.get_origin(tp) in (typing_extensions.Annotated, typing.Annotated):
        for meta in tp.__metadata__:
            alias = getattr(meta, "alias", None)
            if isinstance(alias, str):
                return alias
    return None


def is_required(hint: Any, total: bool) -> bool:
    """Whether a TypedDict field is required, from its own ``Required``/``NotRequired`` wrapper. Not from
    ``__required_keys__``: the SDK's modules use ``from __future__ import annotations``, and with string
    annotations the class cannot see the wrappers, so every field of a ``total=False`` class lands in
    ``__optional_keys__`` (a spend limit scope's ``type`` would read as optional)."""
    while True:
        origin = typing_extensions.get_origin(hint)
        if origin in (typing_extensions.Required, getattr(typing, "Required", None)):
            return True
        if origin in (typing_extensions.NotRequired, getattr(typing, "NotRequired", None)):
            return False
        if origin in (typing_extensions.Annotated, typing.Annotated, typing_extensions.ReadOnly):
            hint = typing_extensions.get_args(hint)[0]
            continue
        return total


def union_args(tp: Any) -> tuple[Any, ...] | None:
    tp = strip(tp)
    if typing_extensions.get_origin(tp) in (typing.Union, types.UnionType):
        return typing_extensions.get_args(tp)
    return None


def is_omit(tp: Any) -> bool:
    return getattr(tp, "__name__", "") in ("Omit", "NotGiven")


def is_file(tp: Any) -> bool:
    """An upload: the SDK's FileTypes (a union holding bytes) or a sequence of them."""
    tp = strip(tp)
    args = union_args(tp)
    if args is not None:
        return any(a is bytes for a in args) or any(is_file(a) for a in args if not is_omit(a) and a is not _NONE)
    origin = typing_extensions.get_origin(tp)
    if origin is not None and _is_sequence(origin):
        inner = typing_extensions.get_args(tp)
        return bool(inner) and is_file(inner[0])
    return False


def _is_sequence(origin: Any) -> bool:
    return isinstance(origin, type) and issubclass(origin, Iterable) and not issubclass(origin, Mapping | str)


def is_typeddict(tp: Any) -> bool:
    return typing_extensions.is_typeddict(tp)


def schema(tp: Any, depth: int = 0) -> dict[str, Any]:
    tp = strip(tp)
    if tp is Any or tp is object:
        return {}
    args = union_args(tp)
    if args is not None:
        return _union(args, depth)
    origin = typing_extensions.get_origin(tp)
    if origin is typing.Literal or origin is typing_extensions.Literal:
        values = list(typing_extensions.get_args(tp))
        out: dict[str, Any] = {"enum": values}
        if all(isinstance(v, str) for v in values):
            out = {"type": "string", **out}
        return out
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is datetime.datetime:
        return {"type": "string", "format": "date-time"}
    if tp is datetime.date:
        return {"type": "string", "format": "date"}
    if tp is bytes or is_file(tp):
        return {"type": "string", "format": "binary"}
    if origin is not None:
        inner = typing_extensions.get_args(tp)
        if isinstance(origin, type) and issubclass(origin, Mapping):
            values_schema = schema(inner[1], depth + 1) if len(inner) == 2 and depth < MAX_DEPTH else {}
            return {"type": "object", **({"additionalProperties": values_schema} if values_schema else {})}
        if isinstance(origin, type) and issubclass(origin, tuple):
            return {"type": "array"}
        if isinstance(origin, type) and issubclass(origin, Sequence | Iterable):
            items = schema(inner[0], depth + 1) if inner and depth < MAX_DEPTH else {}
            return {"type": "array", **({"items": items} if items else {})}
        return schema(origin, depth)
    if isinstance(tp, type) and issubclass(tp, Mapping) and not is_typeddict(tp):
        return {"type": "object"}
    if isinstance(tp, type) and issubclass(tp, list):
        return {"type": "array"}
    if is_typeddict(tp):
        return _typeddict(tp, depth)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return model_schema(tp, depth)
    return {}


def _union(args: tuple[Any, ...], depth: int) -> dict[str, Any]:
    real = [a for a in args if not is_omit(a)]
    nullable = _NONE in real
    real = [a for a in real if a is not _NONE]
    if str in [strip(a) for a in real]:  # an open enum (model names): any string
        real = [a for a in real if not _is_str_literal(strip(a))]
    variants: list[dict[str, Any]] = []
    for arg in real[:MAX_UNION]:
        sub = schema(arg, depth)
        if sub not in variants:
            variants.append(sub)
    if len(real) > MAX_UNION:
        kinds = sorted({str(v.get("type", "object")) for v in variants})
        variants = [{"type": k} for k in kinds]
    if not variants:
        out: dict[str, Any] = {}
    elif len(variants) == 1:
        out = variants[0]
    else:
        out = {"anyOf": variants}
    if nullable and out:
        if isinstance(out.get("type"), str) and "anyOf" not in out:
            out = {**out, "type": [out["type"], "null"]}
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [*out.get("anyOf", [out]), {"type": "null"}]}
    return out


def _is_str_literal(tp: Any) -> bool:
    origin = typing_extensions.get_origin(tp)
    return origin in (typing.Literal, typing_extensions.Literal) and all(
        isinstance(v, str) for v in typing_extensions.get_args(tp)
    )


def _typeddict(tp: Any, depth: int) -> dict[str, Any]:
    if depth >= MAX_DEPTH:
        return {"type": "object"}
    hints = typing_extensions.get_type_hints(tp, include_extras=True)
    total = bool(getattr(tp, "__total__", True))
    docs = field_docs(tp)
    props: dict[str, Any] = {}
    required: list[str] = []
    for name, hint in hints.items():
        wire = alias_of(hint) or name
        doc = docs.get(name)
        props[wire] = described(schema(hint, depth + 1), sentence(doc) if doc and depth >= 1 else doc)
        if is_required(hint, total):
            required.append(wire)
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    own = sentence(tp.__doc__) if isinstance(tp.__doc__, str) else ""
    return described(out, own or None)


def model_schema(model: type[pydantic.BaseModel], depth: int = 0) -> dict[str, Any]:
    """A response model's fields by their wire names (nested models to ``MAX_DEPTH``)."""
    if depth >= MAX_DEPTH:
        return {"type": "object"}
    props: dict[str, Any] = {}
    required: list[str] = []
    for name, field in model.model_fields.items():
        wire = field.alias or name
        props[wire] = schema(field.annotation, depth + 1)
        if field.is_required():
            required.append(wire)
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


def described(sub: dict[str, Any], doc: str | None) -> dict[str, Any]:
    """The schema with the SDK's words for the field, placed first so a reader sees them before the shape."""
    return {"description": doc, **sub} if doc else sub


def merged_fields(whole: dict[str, Any]) -> dict[str, Any]:
    """A body that is one union of objects, as one flat set of fields: each variant's properties (a field in
    several variants with different shapes becomes their union, string enums are joined), required where
    every variant requires it. The API checks the combination; ``type`` names the variant."""
    variants = [v for v in whole.get("anyOf", [whole]) if v.get("type") == "object"]
    props: dict[str, Any] = {}
    for variant in variants:
        for name, sub in variant.get("properties", {}).items():
            props[name] = sub if name not in props else _joined(props[name], sub)
    required = [n for n in props if variants and all(n in v.get("required", ()) for v in variants)]
    return {"properties": props, "required": required}


def _joined(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    if a == b:
        return a
    plain_a = {k: v for k, v in a.items() if k not in ("enum", "description")}
    plain_b = {k: v for k, v in b.items() if k not in ("enum", "description")}
    if "enum" in a and "enum" in b and plain_a == plain_b:
        return {**a, "enum": [*a["enum"], *(v for v in b["enum"] if v not in a["enum"])]}
    options = [*a.get("anyOf", [a]), *(o for o in b.get("anyOf", [b]) if o not in a.get("anyOf", [a]))]
    return {"anyOf": options}
