"""Wire helpers of the generic simulator: asking the hand-written routes, request checks, the five page kinds."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import BaseRoute, Match
from starlette.types import Message

from claude_api_mcp.client.catalog import Operation
from claude_api_mcp.sandbox.wire import SandboxError, decode_token, encode_token, invalid, key_kind, q_int, rfc3339

_RANGE = re.compile(r"(\w+)\[(gt|gte|lt|lte)\]")
PAGING_PARAMS = frozenset({"limit", "page", "page_token", "after_id", "before_id", "order", "order_by"})


def handwritten_route(routes: Sequence[BaseRoute], method: str, path: str) -> BaseRoute | None:
    """The hand-written route that serves ``METHOD path`` fully, if any."""
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
    return None


async def internal_get(app: Starlette, routes: Sequence[BaseRoute], path: str, query: str = "") -> tuple[int, Any]:
    """GET through a hand-written route, in process: its status and JSON body (to read state it owns)."""
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [],
        "root_path": "",
        "app": app,
        "state": {},
        "starlette.exception_handlers": ({}, {}),
    }
    route = handwritten_route(routes, "GET", path)
    if route is None:
        return 404, None
    _, child = route.matches(scope)
    scope.update(child)
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    try:
        await route.handle(scope, receive, send)
    except SandboxError as exc:
        return exc.status, None
    try:
        return int(answer.get("status", 500)), json.loads(answer["body"] or b"null")
    except ValueError:
        return int(answer.get("status", 500)), None


def check_beta(op: Operation, request: Request) -> None:
    """Beta operations need their ``anthropic-beta`` value, as the API requires (among others, comma-separated)."""
    if not op.beta:
        return
    sent = {v.strip() for v in request.headers.get("anthropic-beta", "").split(",") if v.strip()}
    for needed in op.beta.split(","):
        if needed.strip() not in sent:
            raise invalid(f"anthropic-beta: this endpoint is in beta; the header must include {needed.strip()!r}")


def header_name(argument: str) -> str:
    """A header argument's wire name: ``workspace_id`` → ``anthropic-workspace-id`` (as the catalog says)."""
    return "anthropic-" + argument.removeprefix("anthropic_").replace("_", "-")


def check_arguments(op: Operation, request: Request, body: dict[str, Any], form_names: set[str]) -> None:
    """Missing required arguments and unknown body fields are refused with the API's 400, before any change."""
    query = {k.removesuffix("[]") for k in request.query_params}
    for name in op.required:
        where = op.locations.get(name, "body")
        present = {
            "path": True,
            "query": name in query,
            "header": header_name(name) in request.headers,
            "file": name in form_names or name + "[]" in form_names,
        }.get(where, name in body or name in form_names)
        if not present:
            raise invalid(f"{name}: Field required")
    for name, value in body.items():
        if op.locations.get(name) != "body":
            raise invalid(f"{name}: Extra inputs are not permitted")
        if not _shallow_fits(op.properties.get(name, {}), value):
            raise invalid(f"{name}: Input should be {_expected(op.properties[name])}; got {type(value).__name__}")


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _shallow_fits(schema: dict[str, Any], value: Any) -> bool:
    """The value's JSON type (and enum member) against the argument's schema; nested shapes are the API's to check."""
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return any(_shallow_fits(option, value) for option in options)
    if "enum" in schema and not isinstance(value, dict | list):
        return value in schema["enum"]
    kinds = schema.get("type")
    if kinds is None:
        return True
    for kind in kinds if isinstance(kinds, list) else [kinds]:
        types = _JSON_TYPES.get(kind, (object,))
        if isinstance(value, types) and not (isinstance(value, bool) and bool not in types):
            return True
    return False


def _expected(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return f"one of {schema['enum']}"
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    kinds = {str(k) for o in options for k in (o.get("type") if isinstance(o.get("type"), list) else [o.get("type")])}
    return " or ".join(sorted(k for k in kinds if k != "None")) or "valid"


def page(
    pagination: str, request: Request, records: list[tuple[str, Any]], salt: str, now: datetime
) -> tuple[list[Any], dict[str, Any]]:
    """One page of ``(key, record)`` pairs in any of the SDK's five styles: the records and the page's own fields."""
    limit = q_int(request, "limit", 20, 1, 1000) or 20
    keys = [key for key, _ in records]
    if pagination == "cursor":
        after, before = request.query_params.get("after_id"), request.query_params.get("before_id")
        if after and before:
            raise invalid("Only one of after_id and before_id may be given.")
        for name, cursor in (("after_id", after), ("before_id", before)):
            if cursor and cursor not in keys:
                raise invalid(f"{name}: {cursor!r} is not a valid cursor.")
        if before:
            end = keys.index(before)
            start = max(0, end - limit)
            chosen, more = records[start:end], start > 0
        else:
            start = keys.index(after) + 1 if after else 0
            chosen, more = records[start : start + limit], start + limit < len(records)
        return [r for _, r in chosen], {
            "has_more": more,
            "first_id": chosen[0][0] if chosen else None,
            "last_id": chosen[-1][0] if chosen else None,
        }
    name = "page_token" if pagination == "page_token" else "page"
    token = request.query_params.get(name)
    start = decode_token(token, salt) if token else 0
    end = start + limit
    chosen = records[start:end]
    next_page = encode_token(end, salt) if end < len(records) else None
    fields: dict[str, Any] = {"next_page": next_page}
    if pagination in ("page_token", "report"):
        fields["has_more"] = next_page is not None
    if pagination == "bidirectional":
        fields["prev_page"] = encode_token(max(0, start - limit), salt) if start > 0 else None
    if pagination == "report":
        fields["data_refreshed_at"] = rfc3339(now)
    return [r for _, r in chosen], fields


def matches_filters(op: Operation, request: Request, record: dict[str, Any]) -> bool:
    """Query filters that name a field of the listed items (``status``, ``user_id``, ``roles[]``) apply to it."""
    hide_archived = request.query_params.get("include_archived", "false") != "true"
    if "include_archived" in op.properties and hide_archived and record.get("archived_at") is not None:
        return False
    for name, where in op.locations.items():
        bound = _RANGE.fullmatch(name)
        if where == "query" and bound and not _in_range(record.get(bound[1]), name, request.query_params.get(name)):
            return False  # created_at[gte]=…: a time range on the items' field, as the SDK sends it
        if where != "query" or name in PAGING_PARAMS or name == "date" or name.endswith(("_at", "_date", "]")):
            continue  # report dates choose a period; they are not equality filters
        wanted = request.query_params.getlist(name + "[]") or request.query_params.getlist(name)
        value = record.get(name, record.get(name.removesuffix("s")))
        if not wanted or value is None or isinstance(value, dict | list):
            continue
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        if shown not in wanted:
            return False
    return True


def check_key(op: Operation, request: Request) -> None:

    header = request.headers.get("x-api-key") or request.headers.get("authorization", "").removeprefix("Bearer ")
    kind = key_kind(header.strip())
    if op.key == "admin" and kind != "admin":
        raise SandboxError(403, "permission_error", "This endpoint requires an Admin API key (sk-ant-admin...).")
    if op.key == "api" and kind == "admin":
        raise SandboxError(401, "authentication_error", "invalid x-api-key: Admin keys only work on the Admin API")


async def read_inputs(op: Operation, request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON body, and a multipart form's plain fields (files only by name), as the operation sends them."""
    if op.body == "multipart" or request.headers.get("content-type", "").startswith("multipart/"):
        async with request.form() as form:  # closes the uploads' temporary files
            items = form.multi_items()
            fields = {k.removesuffix("[]"): v if isinstance(v, str) else str(v.filename or "upload") for k, v in items}
        return {}, fields
    raw = await request.body()
    if not raw:
        return {}, {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # a hostile, absurdly nested body is refused, not a crash
        raise SandboxError(400, "invalid_request_error", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise SandboxError(400, "invalid_request_error", "The request body must be a JSON object.")
    return body, {}


def _in_range(value: Any, name: str, wanted: str | None) -> bool:
    """Whether a record's time ``value`` passes the filter ``name`` (``created_at[gte]``) set to ``wanted``; a
    time that is not RFC 3339 with a zone is the API's 400."""
    if wanted is None or not isinstance(value, str):
        return True
    op = name[name.index("[") + 1 : -1]
    try:
        bound = datetime.fromisoformat(wanted.replace("Z", "+00:00"))
        if bound.tzinfo is None:
            raise ValueError(wanted)
        seen = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"{name}: Input should be a valid datetime with a time zone; got {wanted[:40]!r}") from None
    return {"gt": seen > bound, "gte": seen >= bound, "lt": seen < bound, "lte": seen <= bound}[op]
