"""Objects built from a response's JSON Schema: plausible values where nothing is known, the caller's where it is.

``Synth.build(schema, source)`` walks the schema (``$ref``/``$defs``, ``anyOf``, ``const``, ``enum``,
objects, arrays, formats) and, field by field, keeps the ``source`` value when it fits the field's schema
(a stored record, a request's body) and makes one up when it does not: an id with the prefix the API uses
for that kind of object, RFC 3339 timestamps relative to the sandbox's clock, the ``type`` constant, a
likely enum member, one item in a top-level list. Nothing outside the schema is ever emitted, so the
result validates against the model the schema came from, with no extra fields.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from claude_api_mcp.sandbox.generic_seed import id_prefix, string_for
from claude_api_mcp.sandbox.wire import rfc3339

Schema = Mapping[str, Any]
MISSING: Any = object()
# An existing id for a reference field (field name, the field holding its object, index) and what it names
# (``{"name": ..., "email": ...}``), or None when the field names nothing the organization has.
Resolver = Callable[[str, str, int], "tuple[str, dict[str, Any]] | None"]
# Fields that label the thing an id refers to, filled from it: a user actor's name and email are that user's.
_LABELS = {"name": "name", "email": "email", "email_address": "email"}

# A status the sandbox reports when it has to pick one: the ordinary, settled state of a thing.
_PREFERRED = ("active", "enabled", "idle", "ready", "available", "succeeded", "completed", "approved", "valid")
# Optional timestamps and fields that describe an ending: a new object has none of them.
_ENDINGS: tuple[str, ...] = (
    "archived",
    "deleted",
    "revoked",
    "cancel",
    "ended",
    "failed",
    "error",
    "expired",
    "terminated",
)
_ENDINGS += ("resolved", "disabled", "deactivated", "suspended", "retired", "deprecated", "stopped", "paused", "denied")
_MAX_DEPTH = 6
# The stamp a settled status goes with (``approved`` → ``resolved_at``); other statuses go with their own
# (``archived`` → ``archived_at``).
_SETTLED_BY = {"approved": "resolved", "denied": "resolved", "completed": "ended", "succeeded": "ended"}
_SETTLED_BY |= {"failed": "ended", "cancelled": "cancelled", "canceled": "canceled", "expired": "expired"}


class Synth:
    def __init__(
        self, new_id: Callable[[str], str], now: Callable[[], datetime], resolve: Resolver | None = None
    ) -> None:
        self.new_id, self.now, self.resolve = new_id, now, resolve

    def build(self, schema: Schema, source: Any = MISSING, *, noun: str = "item", index: int = 0) -> Any:
        return _Walk(self, schema, noun, index).value(schema, source, "", 0)


class _Walk:
    def __init__(self, synth: Synth, root: Schema, noun: str, index: int) -> None:
        self.synth, self.defs, self.noun, self.index = synth, root.get("$defs", {}), noun, index
        self.holder = ""  # the field holding the object being built (``slack`` of ``slack.workspace_id``)

    def resolve(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            schema = self.defs[schema["$ref"].rsplit("/", 1)[-1]]
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.resolve(schema["allOf"][0])
        return schema

    # --- does a known value fit? ----------------------------------------------------------------------------

    def fits(self, schema: Schema, value: Any, depth: int = 0) -> bool:
        schema = self.resolve(schema)
        if depth > 12:
            return True
        if "const" in schema:
            return bool(value == schema["const"])
        if "enum" in schema:
            return value in schema["enum"]
        options = schema.get("anyOf") or schema.get("oneOf")
        if options:
            return any(self.fits(o, value, depth + 1) for o in options)
        kind = schema.get("type")
        if kind is None:
            return True
        if isinstance(kind, list):
            return any(self.fits({**schema, "type": k}, value, depth) for k in kind)
        if kind == "null":
            return value is None
        if kind == "string":
            return isinstance(value, str) and _format_ok(schema.get("format"), value)
        if kind == "boolean":
            return isinstance(value, bool)
        if kind == "integer":
            return isinstance(value, int) and not isinstance(value, bool)
        if kind == "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        if kind == "array":
            return isinstance(value, list) and all(self.fits(schema.get("items", {}), v, depth + 1) for v in value)
        if kind == "object":
            if not isinstance(value, dict):
                return False
            props = schema.get("properties", {})
            if any(name not in value for name in schema.get("required", ())):
                return False
            extra = schema.get("additionalProperties", True)
            for name, item in value.items():
                # a value for an object with declared fields may not bring others; a map's values must fit
                wanted = props.get(name) if props else (extra if isinstance(extra, dict) else {})
                if wanted is None or not self.fits(wanted, item, depth + 1):
                    return False
            return True
        return True

    # --- build ----------------------------------------------------------------------------------------------

    def value(self, schema: Schema, source: Any, name: str, depth: int) -> Any:
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            if source is not MISSING and source in schema["enum"]:
                return source
            if name == "status" and {"pending", "approved"} <= set(schema["enum"]) and self.index % 2 == 0:
                return "pending"  # requests awaiting a decision: every other one still waits
            return _pick(schema["enum"])
        options = schema.get("anyOf") or schema.get("oneOf")
        if options:
            return self.union(options, source, name, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            return self.union([{**schema, "type": k} for k in kind], source, name, depth)
        if kind == "object" or (kind is None and "properties" in schema):
            return self.obj(schema, source, depth, name)
        if source is not MISSING and self.fits(schema, source):
            return source
        if kind == "array":
            return self.array(schema, name, depth)
        if kind == "string":
            return self.string(schema, name)
        if kind == "integer":
            return _integer(name, self.index)
        if kind == "number":
            return float(_integer(name, self.index)) + 0.5
        if kind == "boolean":
            return name in ("enabled", "active", "is_enabled", "verified", "success")
        if kind == "null":
            return None
        return {}

    def union(self, options: list[Schema], source: Any, name: str, depth: int) -> Any:
        resolved = [self.resolve(o) for o in options]
        concrete = [o for o in resolved if o.get("type") != "null"]
        nullable = len(concrete) < len(resolved)
        if source is not MISSING:
            if source is None and nullable:
                return None
            for option in concrete:
                if isinstance(source, dict) and _tag(option) is not None:
                    if source.get("type") == _tag(option):
                        return self.value(option, source, name, depth)
                elif self.fits(option, source):
                    return self.value(option, source, name, depth)
            if isinstance(source, str):  # ``"model": "claude-..."`` sent; the answer holds ``{"id": ...}``
                for option in concrete:
                    if "id" in option.get("properties", {}):
                        return self.value(option, source, name, depth)
        if nullable and (depth >= _MAX_DEPTH - 1 or any(word in name for word in _ENDINGS)):
            return None
        if not concrete:
            return None
        return self.value(concrete[0], MISSING, name, depth)

    def obj(self, schema: Schema, source: Any, depth: int, name: str = "") -> dict[str, Any]:
        props: Mapping[str, Schema] = schema.get("properties", {})
        given = source if isinstance(source, dict) else {}
        if isinstance(source, str) and "id" in props:  # a request names by id what the answer spells out
            given = {"id": source}
        if not props:
            extra = schema.get("additionalProperties", True)
            if given and (not isinstance(extra, dict) or all(self.fits(extra, v) for v in given.values())):
                return dict(given)
            return {}
        noun = _tag(schema) or self.noun
        outer, self.noun = self.noun, noun  # nested objects name their own strings (an actor's name is a person's)
        outer_holder, self.holder = self.holder, name
        given = self.references(props, given)
        out: dict[str, Any] = {}
        for field, sub in props.items():
            known = given.get(field, MISSING)
            if field == "id" and known is MISSING and depth > 0 and _tag(schema) and self.synth.resolve is not None:
                # a nested {"type": "user", "id": ...} names someone the organization has
                ref = self.synth.resolve(f"{_tag(schema)}_id", self.holder, self.index)
                if ref is not None:
                    out[field] = ref[0]
                    continue
            if field == "id" and known is MISSING:
                resolved = self.resolve(sub)
                if resolved.get("type") == "string" and "enum" not in resolved and "const" not in resolved:
                    out[field] = self.synth.new_id(id_prefix(noun))
                    continue
            if depth >= _MAX_DEPTH and known is MISSING and field not in schema.get("required", ()):
                continue
            out[field] = self.value(sub, known, field, depth + 1)
        self.noun, self.holder = outer, outer_holder
        self.pair(out, props, given)
        return out

    def pair(self, out: dict[str, Any], props: Mapping[str, Schema], given: dict[str, Any]) -> None:
        """Fields that go together are set together: a settled ``status`` has its stamp (an approved request its
        ``resolved_at`` and ``resolved_by``), and an ``X_by…`` actor exists only with its ``X_at`` time."""
        status = out.get("status")
        stem = _SETTLED_BY.get(status, status) if isinstance(status, str) else None
        for field in props:
            if not field.endswith("_at"):
                continue
            prefix = field.removesuffix("_at")
            if (
                prefix == stem
                and field not in given
                and out.get(field) is None
                and self.fits(props[field], "2000-01-01T00:00:00Z")
            ):
                out[field] = rfc3339(self.synth.now() - timedelta(days=1 + self.index))
            for partner in props:
                if partner.startswith(prefix + "_by") and partner not in given:
                    if out.get(field) is None and self.fits(props[partner], None):
                        out[partner] = None
                    elif out.get(field) is not None and out.get(partner) is None:
                        out[partner] = self.settled_actor(props[partner])

    def settled_actor(self, schema: Schema) -> Any:
        """Who settled something: the first non-null form of the field (a user actor, or a user id)."""
        schema = self.resolve(schema)
        options = [self.resolve(o) for o in schema.get("anyOf") or schema.get("oneOf") or [schema]]
        concrete = next((o for o in options if o.get("type") != "null"), None)
        return None if concrete is None else self.value(concrete, MISSING, "user_id", 1)

    def references(self, props: Mapping[str, Schema], given: dict[str, Any]) -> dict[str, Any]:
        """Point the object's unset ``*_id`` fields at things that exist, and label them as those things."""
        if self.synth.resolve is None:
            return given
        found: dict[str, Any] = {}
        for field, sub in props.items():
            if field == "id" or not field.endswith("_id") or field in given:
                continue
            if "_by" in field and field.split("_by")[0] + "_at" in props:  # archived_by_…: only with its time
                continue
            ref = self.synth.resolve(field, self.holder, self.index)
            if ref is not None and self.fits(sub, ref[0]):
                found[field] = ref[0]
                for label, key in _LABELS.items():
                    if label in props and label not in given and ref[1].get(key) is not None:
                        found.setdefault(label, ref[1][key])
        return {**found, **given} if found else given

    def array(self, schema: Schema, name: str, depth: int) -> list[Any]:
        wanted = int(schema.get("minItems", 0))
        if depth <= 1 and not wanted and not name.endswith("_ids"):
            wanted = 1
        return [self.value(schema.get("items", {}), MISSING, _singular(name), depth + 1) for _ in range(wanted)]

    def string(self, schema: Schema, name: str) -> str:
        fmt = schema.get("format")
        moment = self.synth.now() - timedelta(days=30 - min(self.index, 29), hours=self.index)
        if fmt == "date-time" or name.endswith("_at"):
            if name.startswith("expires") or name.startswith("ends") or name.startswith("valid_until"):
                moment = self.synth.now() + timedelta(days=60)
            return rfc3339(moment)
        if fmt == "date":
            return moment.date().isoformat()
        if name.endswith("_id") and self.synth.resolve is not None:
            ref = self.synth.resolve(name, self.holder, self.index)
            if ref is not None:
                return ref[0]
        if name == "id" or name.endswith("_id"):
            return self.synth.new_id(id_prefix(name.removesuffix("_id") or self.noun))
        return string_for(name, fmt, self.noun, self.index)


def _tag(schema: Schema) -> str | None:
    """The ``type`` constant of an object schema: the name of the kind of thing it describes."""
    kind = schema.get("properties", {}).get("type", {})
    const = kind.get("const")
    if const is None and len(kind.get("enum", ())) == 1:
        const = kind["enum"][0]
    return const if isinstance(const, str) else None


def _pick(values: list[Any]) -> Any:
    for preferred in _PREFERRED:
        if preferred in values:
            return preferred
    return values[0]


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


def _integer(name: str, index: int) -> int:
    if "port" in name:
        return 443
    if "version" in name:
        return 1
    if "limit" in name or "max" in name:
        return 100
    if "count" in name or "tokens" in name or "total" in name or "requests" in name:
        return 40 + 37 * index + zlib.crc32(name.encode()) % 90  # varied, but the same on every run
    if "bytes" in name or "size" in name:
        return 2048
    return 1 + index


def _format_ok(fmt: Any, value: str) -> bool:
    try:
        if fmt == "date-time":
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif fmt == "date":
            date.fromisoformat(value)
    except ValueError:
        return False
    return True
