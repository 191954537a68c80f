"""Checking a generic call's ``arguments`` against the catalog, and building the request it describes.

Every check runs before anything is sent, and each refusal is one plain sentence naming the argument (a
model reads it and retries): unknown names are refused with the accepted ones listed, never dropped.
The schemas are the catalog's compact JSON Schema; nesting below the catalog's depth is left to the API.
Argument names, locations and the catalog fields used here: docs/CATALOG_FORMAT.md.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.client.catalog import Operation, load_catalog
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.safety.api_files import LocalPart, part_media, part_name, path_of
from claude_api_mcp.safety.api_forms import normalized
from claude_api_mcp.safety.prepared import Part, Prepared

MAX_UPLOAD = 32 * 2**20  # bytes of one inline upload (base64 content travels through the model's context)
_PATH_VALUE = re.compile(r"^[A-Za-z0-9._:@~-]{1,256}$")
_TYPES = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false"}
_TYPES |= {"object": "an object", "array": "a list", "null": "null"}


def find_operation(op_id: str) -> Operation:
    op = load_catalog().get(op_id)
    if op is None:
        ids = [o.id for o in load_catalog().operations]
        close = difflib.get_close_matches(op_id, ids, n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(close)}?" if close else " Find one with search_api."
        raise ToolError(f"Unknown operation {op_id!r}.{hint}")
    return op


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def _fits(value: Any, kind: str) -> bool:
    got = _kind(value)
    return got == kind or (kind == "number" and got == "integer")


def problem(value: Any, schema: Mapping[str, Any], where: str) -> str | None:
    """Why ``value`` does not fit ``schema`` (one sentence), or None."""
    if "anyOf" in schema:
        if any(problem(value, option, where) is None for option in schema["anyOf"]):
            return None
        if isinstance(value, dict) and (why := _variant_problem(value, schema["anyOf"], where)):
            return why
        names = sorted({str(o.get("type", "object")) for o in schema["anyOf"] if isinstance(o.get("type"), str)})
        shown = " or ".join(_TYPES.get(k, k) for k in names) or "one of the shapes describe_api shows"
        return f"Argument {where!r} must be {shown} matching describe_api's schema; got {_kind(value)}."
    kinds = schema.get("type")
    if kinds is not None:
        allowed = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_fits(value, k) for k in allowed):
            wanted = " or ".join(_TYPES.get(k, k) for k in allowed)
            return f"Argument {where!r} must be {wanted}, not {_TYPES.get(_kind(value), _kind(value))}."
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join("null" if v is None else str(v) for v in schema["enum"])
        return f"Argument {where!r} must be one of: {choices} (got {value!r})."
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, item in enumerate(value):
            if why := problem(item, schema["items"], f"{where}[{i}]"):
                return why
    if isinstance(value, dict) and isinstance(schema.get("properties"), Mapping):
        props = schema["properties"]
        missing = [k for k in schema.get("required", ()) if k not in value]
        if missing:
            return f"Argument {where!r} is missing {', '.join(missing)}."
        for name, item in value.items():
            if name in props and (why := problem(item, props[name], f"{where}.{name}")):
                return why
    return None


def _variant_problem(value: Mapping[str, Any], options: list[Any], where: str) -> str | None:
    """For a union of objects told apart by ``type`` (a spend limit's scope): the chosen variant's own problem,
    or which ``type`` values exist when none was given."""
    tagged = {
        tag: option
        for option in options
        if isinstance(option, Mapping)
        for tag in ((option.get("properties") or {}).get("type") or {}).get("enum", ())
    }
    if not tagged:
        return None
    if value.get("type") in tagged:
        return problem(value, tagged[value["type"]], where)
    kinds = ", ".join(map(str, tagged))
    return f"Argument {where!r} must be an object whose type is one of: {kinds} (got {value.get('type')!r})."


def validate(op: Operation, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments by the catalog's names (``api_forms``: the SDK's names, grouped filters, a whole-body
    object), checked against the operation's schema; a ToolError naming the first problem."""
    arguments = normalized(op, arguments)
    props = op.properties
    unknown = sorted(set(arguments) - set(props))
    if unknown:
        accepted = ", ".join(props) or "none"
        raise ToolError(f"Unknown argument(s) for {op.id}: {', '.join(unknown)}. Accepted: {accepted}.")
    missing = [name for name in op.required if name not in arguments]  # null is checked below, as a value
    if missing:
        raise ToolError(f"Missing required argument(s) for {op.id}: {', '.join(missing)}.")
    for name, value in arguments.items():
        if op.locations.get(name) == "file":
            continue  # checked when the upload is built
        if value is None and name not in op.required:
            continue  # an optional argument left out
        if why := problem(value, props[name], name):
            raise ToolError(why)
        if op.locations.get(name) in ("path", "header"):
            _check_plain(name, value, op.locations[name])
    return dict(arguments)


def _check_plain(name: str, value: Any, where: str) -> None:
    text = str(value)
    if where == "path" and (not _PATH_VALUE.match(text) or text in (".", "..")):
        raise ToolError(
            f"Argument {name!r} must be an id of letters, digits and ._:@~- (no slashes, no '.' or '..'), "
            f"at most 256 characters; got {text[:80]!r}."
        )
    if where == "header" and (not text or len(text) > 256 or any(ord(c) < 32 or ord(c) == 127 for c in text)):
        raise ToolError(f"Argument {name!r} must be a short single-line value.")
    if where == "header" and not text.isascii():  # HTTP headers carry ASCII: httpx would fail mid-send
        raise ToolError(f"Argument {name!r} must be ASCII (it is sent as an HTTP header); got {text[:80]!r}.")


# --- the request ---------------------------------------------------------------------------------------------


def header_name(argument: str) -> str:
    """The SDK sends ``workspace_id`` as ``anthropic-workspace-id`` (docs/CATALOG_FORMAT.md, "locations")."""
    return "anthropic-" + argument.removeprefix("anthropic_").replace("_", "-")


def flatten_query(name: str, value: Any) -> list[tuple[str, Any]]:
    """Nested objects bracketed (``scope[type]=…``); lists stay lists for encode_query's ``name[]``. Filters the
    SDK names with brackets (``created_at[gte]``) are catalog arguments of that name, sent as they are."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in flatten_query(f"{name}[{k}]", v)]
    return [(name, value)]


def build(op: Operation, arguments: Mapping[str, Any]) -> Prepared:
    """The request ``arguments`` describe (validated by ``validate``, local files already read)."""
    path = op.path
    query: dict[str, Any] = {}
    headers: dict[str, str] = {}
    body: dict[str, Any] = {}
    parts: list[Part] = []
    for name, value in arguments.items():
        where = op.locations[name]
        if value is None and where != "body":
            continue
        if where == "path":
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        elif where == "query":
            query.update(flatten_query(name, value))
        elif where == "header":
            headers[header_name(name)] = str(value)
        elif where == "file":
            field_name = f"{name}[]" if isinstance(value, list) else name  # the SDK's bracketed array parts
            for item in value if isinstance(value, list) else [value]:
                filename, content, media = upload(name, item, op_path=op.path)
                parts.append(Part(field_name, filename, content, media))
        else:
            body[name] = value
    if op.beta:
        headers["anthropic-beta"] = op.beta
    key = KeyKind.ADMIN if op.key == "admin" else KeyKind.API
    multipart = op.body == "multipart"
    return Prepared(
        method=op.method,
        path=path,
        key=key,
        body=body if not multipart and (op.body == "json" or body) else None,
        parts=tuple(parts) if multipart else None,
        form={k: _form(v) for k, v in body.items() if v is not None} if multipart else None,
        query=query,
        headers=headers,
        idempotent=op.method in ("DELETE", "PUT"),
    )


def _form(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def upload(name: str, value: Any, *, op_path: str) -> tuple[str, bytes, str]:
    """One file part (name, content, media type) from a ``LocalPart`` read by ``open_local`` or from
    ``{"filename", "content_base64", "media_type"?}``."""
    if isinstance(value, LocalPart):
        return value.filename, value.content, value.media
    if path_of(value) is not None:  # open_local runs first wherever files are sent: a path here is a bug
        raise ToolError(f"Argument {name!r}: a local path was not read; nothing was sent.")
    if not isinstance(value, dict) or not isinstance(value.get("content_base64"), str):
        raise ToolError(f'Argument {name!r} must be {{"path": ...}} or {{"filename": ..., "content_base64": ...}}.')
    if len(value["content_base64"]) > MAX_UPLOAD * 4 // 3 + 4:
        raise ToolError(f"Argument {name!r} is larger than {MAX_UPLOAD // 2**20} MB.")
    try:
        content = base64.b64decode(value["content_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise ToolError(f"Argument {name!r}: content_base64 is not valid base64.") from None
    filename = part_name(name, value.get("filename"), op_path)
    return filename, content, part_media(name, value.get("media_type"))
