"""Compact JSON schemas for nested argument and result models: every schema is paid for in every conversation.

Used as ``json_schema_extra`` on a model: pydantic calls it with that model's schema once generated.
"""

from __future__ import annotations

from typing import Any


def compact(schema: dict[str, Any], *_: Any) -> None:
    """Trim an input model's JSON schema to what a caller needs: no auto titles, no ``anyOf [X, null]``
    wrappers or ``default: null`` (omitting a field is how to leave it out), no discriminator mapping
    (a ``oneOf`` over blocks that each pin ``type`` says the same)."""
    schema.pop("title", None)
    _trim(schema, nullable=False)


def untitled(schema: dict[str, Any], *_: Any) -> None:
    """For output models: only the auto titles go (nulls do occur in results, so the schema keeps them)."""
    schema.pop("title", None)
    _trim(schema, nullable=True)


def _trim(node: Any, *, nullable: bool) -> None:
    if isinstance(node, list):
        for item in node:
            _trim(item, nullable=nullable)
        return
    if not isinstance(node, dict):
        return
    options = node.get("anyOf")
    if not nullable and isinstance(options, list) and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        del node["anyOf"]
        if len(rest) == 1:
            node.update(rest[0])
        else:
            node["anyOf"] = rest
        if node.get("default", 0) is None:
            del node["default"]
    node.pop("discriminator", None)
    if node.get("additionalProperties") is True:  # the JSON Schema default: saying it costs tokens
        del node["additionalProperties"]
    for prop in (node.get("properties") or {}).values():
        if isinstance(prop, dict):
            prop.pop("title", None)
    for value in node.values():
        _trim(value, nullable=nullable)
