"""Recording what the SDK sends: call every method once with a distinct marker value per argument and find
each marker in the request (path, query, JSON body, multipart part, header). Used by update_catalog.py only;
the catalog's fields are described in docs/CATALOG_FORMAT.md."""

from __future__ import annotations

import inspect
import json
import re
import typing
from typing import Any

import anthropic
import httpx2
import typing_extensions
from anthropic._resource import SyncAPIResource
from catalog_docs import param_docs
from catalog_types import is_file, is_omit, is_typeddict, strip, union_args

SKIPPED_PARAMS = {"extra_headers", "extra_query", "extra_body", "timeout", "betas"}
HEADER_PREFIX = "anthropic-"


class Recorded(Exception):
    def __init__(self, request: httpx2.Request) -> None:
        self.request = request


LOOKUP_FIRST: list[bool] = [False]  # batch results: the SDK first GETs the batch for its results_url


def recorder(request: httpx2.Request) -> httpx2.Response:
    if LOOKUP_FIRST[0] and not request.url.path.endswith("/results"):
        return httpx2.Response(200, json={"id": "batch", "results_url": f"{request.url}/results"})
    raise Recorded(request)


def walk(obj: Any, prefix: tuple[str, ...]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name in sorted(dir(type(obj))):
        if name.startswith("_") or name.startswith("with_"):
            continue
        value = getattr(obj, name)
        if isinstance(value, SyncAPIResource):
            out.extend(walk(value, (*prefix, name)))
        elif inspect.ismethod(value) and prefix:
            out.append((".".join((*prefix, name)), value))
    return out


def marker_value(index: int, hint: Any) -> Any:
    mark = f"zq{index}z"
    if is_file(hint):
        one = (f"{mark}.bin", mark.encode(), "application/octet-stream")
        base = strip(hint)
        return [one] if union_args(base) is None and typing_extensions.get_origin(base) is not None else one
    kinds = {strip(a) for a in (union_args(hint) or (hint,)) if not is_omit(a) and a is not type(None)}
    for kind in kinds:
        origin = typing_extensions.get_origin(kind) or kind
        if is_typeddict(kind) or (isinstance(origin, type) and issubclass(origin, dict | typing.Mapping)):
            return {mark: mark}
    for kind in kinds:
        origin = typing_extensions.get_origin(kind)
        if isinstance(origin, type) and issubclass(origin, typing.Iterable) and origin is not str:
            return [mark]
    return mark


def send(method: Any, kwargs: dict[str, Any]) -> httpx2.Request | None:
    try:
        method(**kwargs)
    except Recorded as rec:
        return rec.request
    except anthropic.APIConnectionError as exc:
        if isinstance(exc.__cause__, Recorded):
            return exc.__cause__.request
        raise
    except Exception:  # sends nothing (webhook helpers) or refuses a marker (output_format)
        return None
    return None


def record(method: Any) -> dict[str, Any] | None:
    """The request the method sends; each argument's marker is found in the request that carried it."""
    try:
        hints = typing_extensions.get_type_hints(method, include_extras=True)
    except (NameError, TypeError):
        return None  # helpers built on generics (parse, stream managers): they repeat a plain method's request
    params = [p for p in inspect.signature(method).parameters.values() if p.name not in SKIPPED_PARAMS]
    if any(p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) for p in params):
        return None
    values = {p.name: marker_value(i, hints.get(p.name, Any)) for i, p in enumerate(params)}
    request = send(method, values)
    carried = dict.fromkeys(values, request)
    if request is None:  # some optional argument refuses a marker: find which, one at a time
        base = {p.name: values[p.name] for p in params if p.default is inspect.Parameter.empty}
        request = send(method, base)
        if request is None:
            return None
        carried = dict.fromkeys(base, request)
        for p in params:
            if p.name not in base and (alone := send(method, {**base, p.name: values[p.name]})) is not None:
                carried[p.name] = alone
    marks = {p.name: f"zq{i}z" for i, p in enumerate(params)}
    params = [p for p in params if p.name in carried]
    docs = param_docs(method)
    return {
        "request": request,
        "params": params,
        "hints": hints,
        "carried": carried,
        "marks": marks,
        "values": values,
        "docs": docs,
    }


def _multipart_parts(req: httpx2.Request) -> dict[str, bytes]:
    body = req.read()
    boundary = req.headers["content-type"].split("boundary=")[1].encode()
    parts: dict[str, bytes] = {}
    for chunk in body.split(b"--" + boundary):
        m = re.search(rb'name="([^"]+)"(?:; filename="([^"]*)")?.*?\r\n\r\n(.*)\r\n$', chunk, re.S)
        if m:
            name = m.group(1).decode().removesuffix("[]")
            parts[name] = parts.get(name, b"") + (m.group(2) or b"") + m.group(3)
    return parts


def _body_kind(req: httpx2.Request) -> str | None:
    if req.headers.get("content-type", "").startswith("multipart/"):
        return "multipart"
    return "json" if req.content else None


def locate(rec: dict[str, Any]) -> tuple[str, dict[str, tuple[str, str]], str | None]:
    """The path template, each argument's (location, wire name), and the body kind."""
    path = rec["request"].url.raw_path.decode().split("?")[0]
    where: dict[str, tuple[str, str]] = {}
    for p in rec["params"]:
        req: httpx2.Request = rec["carried"][p.name]
        body_kind = _body_kind(req)
        json_body = json.loads(req.content) if body_kind == "json" else {}
        parts = _multipart_parts(req) if body_kind == "multipart" else {}
        query = list(req.url.params.multi_items())
        mark = rec["marks"][p.name]
        if mark in path:
            path = path.replace(mark, "{" + p.name + "}")
            where[p.name] = ("path", p.name)
            continue
        hit = next((k for k, v in query if mark in k or mark in v), None)
        if hit is not None:
            where[p.name] = ("query", _query_name(hit, mark))
            continue
        if isinstance(json_body, dict):
            key = next((k for k, v in json_body.items() if mark in json.dumps(v)), None)
            if key == mark:  # the marker object is the body itself: this parameter is the whole body
                where[p.name] = ("whole", p.name)
                continue
            if key is not None:
                where[p.name] = ("body", key)
                continue
        header = next((k for k, v in req.headers.items() if mark in v and k != "anthropic-beta"), None)
        if header is not None:  # the argument keeps its name; the header is anthropic-<name with dashes>
            if header.removeprefix(HEADER_PREFIX) != p.name.replace("_", "-").removeprefix(HEADER_PREFIX):
                raise SystemExit(f"{req.url}: argument {p.name} goes in an unexpected header {header}")
            where[p.name] = ("header", p.name)
            continue
        part = next((k for k, v in parts.items() if mark.encode() in v), None)
        if part is not None:
            where[p.name] = ("file" if is_file(rec["hints"].get(p.name)) else "body", part)
            continue
        raise SystemExit(f"{req.url}: cannot find where argument {p.name} goes")
    return path, where, _body_kind(rec["request"])


def _query_name(key: str, mark: str) -> str:
    """The argument's wire name from the query key that carried its marker: ``tags[]`` (an array) is ``tags``,
    ``scope[zq3z]`` (an object, bracketed per key) is ``scope``; a name the SDK writes with brackets itself
    (``created_at[gte]`` for ``created_at_gte``) is kept whole, as the API spells it."""
    if key.endswith("[]"):
        return key[:-2]
    if mark in key:
        return key.split("[")[0]
    return key
