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

Before writing, the request-side check (catalog_wire.py) compares every operation's request with the SDK's
and refuses to write on any difference; after writing, it prints what changed against the committed
catalog (catalog_diff.py). The fields and the bump routine: docs/CATALOG_FORMAT.md.
"""

from __future__ import annotations

import difflib
import inspect
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pydantic
import typing_extensions

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_diff import changes
from catalog_extra import HAND_WRITTEN, summary, typed_tools
from catalog_record import LOOKUP_FIRST, locate, record, recorder, walk
from catalog_shapes import build_shapes, render_shapes
from catalog_types import described, merged_fields, model_schema, schema, union_args

OUT = Path(__file__).resolve().parent.parent / "server" / "client" / "catalog" / "operations.json"
SHAPES_OUT = OUT.with_name("shapes.json")
PAGES = {  # SDK page class -> our pagination name (docs/CATALOG_FORMAT.md)
    "SyncPage": "cursor",
    "SyncPageCursor": "token",
    "SyncTokenPage": "page_token",
    "SyncBidirectionalPageCursor": "bidirectional",
    "SyncReportPageCursor": "report",
}
BINARY = {"type": "string", "format": "binary"}  # a file argument: a local path (see tools/api.py)
PLAIN_VERBS = ("create", "list", "retrieve", "update", "delete")


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
    aliases: dict[str, str] = {}
    whole_body: str | None = None
    for p in rec["params"]:
        place, wire = where[p.name]
        if p.name == "stream" and response["kind"] != "sse":
            continue  # streaming is its own operation; the plain one always answers with one object
        hint = rec["hints"].get(p.name, Any)
        if place == "whole":  # the body is this one parameter: its fields are the arguments, by their API names
            whole_body = p.name
            fields = merged_fields(schema(hint))
            props.update(fields["properties"])
            locations.update(dict.fromkeys(fields["properties"], "body"))
            required.extend(fields["required"])
            continue
        if place == "file":
            many = isinstance(rec["values"][p.name], list)
            props[wire] = {"type": "array", "items": BINARY} if many else BINARY
        else:
            props[wire] = described(schema(hint), rec["docs"].get(p.name))
            if wire != p.name and place in ("query", "body"):
                aliases[p.name] = wire  # the SDK's name for it is accepted too
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
        **({"aliases": aliases} if aliases else {}),
        **({"whole_body": whole_body} if whole_body else {}),
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
        http_client=httpx2.Client(transport=httpx2.MockTransport(recorder)),
    )
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    returns: dict[str, Any] = {}
    for op_id, method in walk(client, ()):
        LOOKUP_FIRST[0] = op_id.endswith("batches.results")
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
        op["typed_tool"] = typed_tools().get(op["id"])
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


def refusals(catalog: dict[str, Any]) -> list[str]:
    """The request-side check (scripts/catalog_wire.py) on the catalog about to be written: each operation
    the SDK and our tools would send differently, with how."""
    from catalog_wire import check_catalog

    from claude_api_mcp.client.catalog import parse_catalog

    report = check_catalog(parse_catalog(catalog).operations)
    print(f"request-side check: {report.line()}", file=sys.stderr)
    return [f"{op_id}: {'; '.join(found)}" for op_id, found in report.different.items()]


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
                if out == OUT:  # what a reviewer needs first: which operations and arguments changed
                    said = changes(json.loads(committed) if committed else {}, catalog)
                    shown = "\n".join(said[:60]) + "\n" + shown
                sys.stderr.write(f"{out} differs from the installed SDK: run scripts/update_catalog.py\n{shown}\n")
                stale += 1
        return 1 if stale else 0
    if different := refusals(catalog):
        sys.stderr.write("Not written: the SDK sends these requests differently (docs/CATALOG_FORMAT.md):\n")
        sys.stderr.write("".join(f"  {line[:400]}\n" for line in different))
        return 1
    committed = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
    summary_lines = changes(committed, catalog)
    print("\n".join(summary_lines) if summary_lines else "No change against the committed catalog.")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    for out, text in files.items():
        out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
