"""Regenerate server/client/catalog/operations.json from the installed, pinned ``anthropic`` SDK.

    python scripts/update_catalog.py           # write the files
    python scripts/update_catalog.py --check   # exit 1 if a committed file differs from the SDK's

It also writes server/client/catalog/shapes.json: the full JSON Schema of every operation's response, for the
sandbox, which must not import the SDK at run time (see catalog_shapes.py).

How: walk the client's resource tree; call every method once against a recording transport with a
distinct marker value per argument, so the SDK itself tells us the HTTP method, the path template, where
each argument goes (path, query, JSON body, multipart part) under which wire name, and the
``anthropic-beta`` header it sends. Argument and response schemas come from the method's annotations
(params TypedDicts, pydantic response models); pagination from the page class it returns. Summaries are
our own words, built from the operation's name, not the SDK's docstrings.

Bumping the SDK pin: change the version in pyproject.toml, reinstall, run this, read the diff.
"""

from __future__ import annotations

import difflib
import inspect
import itertools
import json
import re
import sys
import typing
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pydantic
import typing_extensions
from anthropic._resource import SyncAPIResource

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_extra import HAND_WRITTEN, summary, typed_tool
from catalog_shapes import build_shapes, render_shapes
from catalog_types import is_file, is_omit, is_typeddict, model_schema, schema, strip, union_args

OUT = Path(__file__).resolve().parent.parent / "server" / "client" / "catalog" / "operations.json"
SHAPES_OUT = OUT.with_name("shapes.json")
SKIPPED_PARAMS = {"extra_headers", "extra_query", "extra_body", "timeout", "betas"}
PAGES = {  # SDK page class -> our pagination name (see CATALOG_FORMAT.md)
    "SyncPage": "cursor",
    "SyncPageCursor": "token",
    "SyncTokenPage": "page_token",
    "SyncBidirectionalPageCursor": "bidirectional",
    "SyncReportPageCursor": "report",
}
HEADER_PREFIX = "anthropic-"
BINARY = {"type": "string", "format": "binary"}  # a file argument: a local path (see tools/api.py)
PLAIN_VERBS = ("create", "list", "retrieve", "update", "delete")


class Recorded(Exception):
    def __init__(self, request: httpx2.Request) -> None:
        self.request = request


_LOOKUP_FIRST: list[bool] = [False]  # batch results: the SDK first GETs the batch for its results_url


def _record(request: httpx2.Request) -> httpx2.Response:
    if _LOOKUP_FIRST[0] and not request.url.path.endswith("/results"):
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
    return {"request": request, "params": params, "hints": hints, "carried": carried, "marks": marks, "values": values}


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
            where[p.name] = ("query", hit.split("[")[0])
            continue
        if isinstance(json_body, dict):
            key = next((k for k, v in json_body.items() if mark in json.dumps(v)), None)
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


def response_of(hint: Any) -> tuple[dict[str, Any], str | None]:
    """The response description and the pagination style, from the return annotation."""
    args = union_args(hint)
    if args is not None:  # Optional[Model] (a poll that may return nothing)
        hint = next(a for a in args if a is not type(None))
    if hint is None or hint is type(None):
        return {"kind": "empty", "type": None, "fields": {}}, None
    generic = getattr(hint, "__pydantic_generic_metadata__", None)
    if generic and generic.get("origin") is not None:  # pydantic pages: SyncPageCursor[Item]
        origin, inner = generic["origin"], tuple(generic["args"])
    else:
        origin, inner = typing_extensions.get_origin(hint) or hint, typing_extensions.get_args(hint)
    name = getattr(origin, "__name__", "")
    item = inner[0] if inner else None
    if name in PAGES:
        return _described("page", item), PAGES[name]
    if name == "JSONLDecoder":
        return _described("jsonl", item), None
    if name == "Stream":
        return _described("sse", item), None
    if name == "BinaryAPIResponse":
        return {"kind": "binary", "type": None, "fields": {}}, None
    return _described("object", hint), None


def _described(kind: str, model: Any) -> dict[str, Any]:
    if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
        return {"kind": kind, "type": f"{model.__module__}.{model.__qualname__}", "fields": model_schema(model)}
    return {"kind": kind, "type": None, "fields": schema(model) if model is not None else {}}


def operation(op_id: str, rec: dict[str, Any]) -> dict[str, Any]:
    req: httpx2.Request = rec["request"]
    path, where, body_kind = locate(rec)
    response, pagination = response_of(rec["hints"].get("return"))
    props: dict[str, Any] = {}
    required: list[str] = []
    locations: dict[str, str] = {}
    for p in rec["params"]:
        place, wire = where[p.name]
        if p.name == "stream" and response["kind"] != "sse":
            continue  # streaming is its own operation; the plain one always answers with one object
        hint = rec["hints"].get(p.name, Any)
        if place == "file":
            many = isinstance(rec["values"][p.name], list)
            props[wire] = {"type": "array", "items": BINARY} if many else BINARY
        else:
            props[wire] = schema(hint)
        locations[wire] = place
        if p.default is inspect.Parameter.empty or place == "path":
            required.append(wire)
    method = req.method
    writes = method not in ("GET", "HEAD") and not op_id.endswith("count_tokens")
    return {
        "id": op_id,
        "method": method,
        "path": path,
        "key": "admin" if path.startswith("/v1/organizations/") else "api",
        "beta": req.headers.get("anthropic-beta"),
        "writes": writes,
        "summary": summary(op_id, method),
        "arguments": {
            "type": "object",
            "properties": props,
            "required": required,
            "additionalProperties": False,
        },
        "locations": locations,
        "body": body_kind,
        "pagination": pagination,
        "response": response,
        "typed_tool": None,
    }


def _preference(op_id: str) -> tuple[int, int, int, str]:
    """Lower wins among ids sending the same request: GA over beta, plain verbs over helpers, shorter."""
    last = op_id.rsplit(".", 1)[-1]
    return (op_id.startswith("beta."), last not in PLAIN_VERBS, len(op_id), op_id)


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    """The catalog, and the full response schemas of its SDK operations (op id → kind, pagination, schema)."""
    client = anthropic.Anthropic(
        api_key="sk-ant-api03-catalog",
        base_url="https://api.example.invalid",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(_record)),
    )
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    returns: dict[str, Any] = {}
    for op_id, method in walk(client, ()):
        _LOOKUP_FIRST[0] = op_id.endswith("batches.results")
        rec = record(method)
        if rec is None:
            continue
        op = operation(op_id, rec)
        returns[op_id] = rec["hints"].get("return")
        key = (op["method"], op["path"])
        if key not in chosen or _preference(op_id) < _preference(chosen[key]["id"]):
            chosen[key] = op
    ops = [*chosen.values(), *HAND_WRITTEN]
    for op in ops:
        op["typed_tool"] = typed_tool(op["method"], op["path"])
        if not op["summary"]:
            op["summary"] = summary(op["id"], op["method"])
    ops.sort(key=lambda o: o["id"])
    ids = [o["id"] for o in ops]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate operation ids")
    kept = {op["id"]: returns[op["id"]] for op in ops if op["id"] in returns}
    return {"sdk_version": anthropic.__version__, "operations": ops}, build_shapes(kept)


def render(catalog: dict[str, Any]) -> str:
    return json.dumps(catalog, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    catalog, shapes = build()
    files = {OUT: render(catalog), SHAPES_OUT: render_shapes(shapes)}
    if "--check" in argv:
        stale = 0
        for out, text in files.items():
            committed = out.read_text(encoding="utf-8") if out.exists() else ""
            if committed != text:
                diff = difflib.unified_diff(
                    committed.splitlines(), text.splitlines(), "committed", "installed SDK", n=1, lineterm=""
                )
                shown = "\n".join(line[:300] for line in itertools.islice(diff, 80))
                sys.stderr.write(f"{out} differs from the installed SDK: run scripts/update_catalog.py\n{shown}\n")
                stale += 1
        return 1 if stale else 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    for out, text in files.items():
        out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
