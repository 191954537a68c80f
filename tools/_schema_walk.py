"""What both schema passes need: which keywords hold named subschemas, and resolving a local reference."""

from __future__ import annotations

from typing import Any

SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")  # keys here are names, not keywords


def resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target: dict[str, Any] = defs.get(ref.removeprefix("#/$defs/"), {})
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node
