"""The MCP Inspector's schema-portability rules (``inspector --cli --method tools/list --strict``), in Python.

Ported from the Inspector 2.12.0 CLI (``core/json/schemaLint.ts``) so a fast test can hold every tool's
schemas to them; ``tests/app/test_schema_portability.py`` also runs the real Inspector when npx is there, so
the port cannot drift from the tool it stands for without a test noticing.

* ``type-union`` (warning): ``type`` is an array of JSON types;
* ``remote-ref`` (warning): a ``$ref`` outside the document;
* ``untyped-schema`` (warning): a schema object with no validation keyword, which accepts any value (``{}``,
  or a bare description);
* ``boolean-schema`` (error): ``true``/``false`` where a schema object is expected (the
  ``additionalProperties`` family may be boolean).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BOOLEAN_VALUED = {"additionalProperties", "unevaluatedProperties", "additionalItems", "unevaluatedItems"}
SUBSCHEMA = [
    "items",
    "contains",
    "not",
    "propertyNames",
    "if",
    "then",
    "else",
    "additionalProperties",
    "unevaluatedProperties",
    "additionalItems",
    "unevaluatedItems",
    "contentSchema",
]
SUBSCHEMA_ARRAYS = ["allOf", "anyOf", "oneOf", "prefixItems"]
SUBSCHEMA_MAPS = ["properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"]
CONSTRAINING = {
    *("type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"),
    *("maxLength", "minLength", "pattern", "format", "contentMediaType", "contentEncoding", "contentSchema"),
    *("maxItems", "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties"),
    *("required", "dependentRequired", "allOf", "anyOf", "oneOf", "not", "items", "prefixItems", "contains"),
    *("additionalItems", "unevaluatedItems", "properties", "patternProperties", "additionalProperties"),
    *("unevaluatedProperties", "propertyNames", "dependentSchemas", "dependencies", "$ref", "$dynamicRef"),
    "$recursiveRef",
}
JSON_TYPES = {"null", "boolean", "object", "array", "number", "string", "integer"}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    path: str


def _children(node: dict[str, Any], path: str) -> list[tuple[Any, str, str]]:
    out: list[tuple[Any, str, str]] = []
    for key in SUBSCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            out += [(sub, f"{path}.{key}.{name}", key) for name, sub in node[key].items()]
    for key in SUBSCHEMA_ARRAYS:
        if isinstance(node.get(key), list):
            out += [(sub, f"{path}.{key}[{i}]", key) for i, sub in enumerate(node[key])]
    for key in SUBSCHEMA:
        if key not in node:
            continue
        if key == "items" and isinstance(node[key], list):
            out += [(sub, f"{path}.items[{i}]", key) for i, sub in enumerate(node[key])]
        else:
            out.append((node[key], f"{path}.{key}", key))
    return out


def _walk(node: Any, path: str, keyword: str | None, findings: list[Finding], depth: int = 0) -> None:
    if depth > 64:
        return
    if isinstance(node, bool):
        if keyword is None or keyword not in BOOLEAN_VALUED:
            findings.append(Finding("boolean-schema", "error", path))
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if isinstance(kind, list) and kind and all(k in JSON_TYPES for k in kind) and len(set(kind)) == len(kind):
        findings.append(Finding("type-union", "warning", path))
    ref = node.get("$ref")
    if isinstance(ref, str) and ref and not ref.startswith("#"):
        findings.append(Finding("remote-ref", "warning", path))
    constrains = any(k in CONSTRAINING for k in node) or ("if" in node and ("then" in node or "else" in node))
    if not constrains and keyword != "not":
        findings.append(Finding("untyped-schema", "warning", path))
    for child, child_path, child_keyword in _children(node, path):
        _walk(child, child_path, child_keyword, findings, depth + 1)


def lint(schema: dict[str, Any], kind: str) -> list[Finding]:
    findings: list[Finding] = []
    _walk(schema, kind, None, findings)
    return findings
