"""What each catalog operation does to the simulated state, read from its method and path template alone.

``GET /x`` answering a page lists collection ``/x``; ``POST /x`` creates in it; ``GET|POST|DELETE /x/{id}``
retrieve, update (or, for ``add``/``set`` methods, upsert) and delete an item; ``POST /x/{id}/verb`` acts on
an item (archive, cancel, approve...); a path with no id and no list (``/compliance_settings``) is a single
object; other ``POST``s answer from their body without storing anything.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from claude_api_mcp.client.catalog import Catalog, Operation, load_catalog

UPSERT_VERBS = ("add", "set", "put", "create", "upsert")


@dataclass(frozen=True)
class Role:
    verb: str  # list, create, retrieve, update, upsert, delete, action, single_get, single_set, single_delete, answer
    collection: str | None = None  # the collection's path template
    key: str | None = None  # the item's path parameter
    action: str | None = None  # for "action": the last path segment (archive, cancel...)


def is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def parent(path: str) -> str:
    return path.rsplit("/", 1)[0]


@functools.cache
def all_roles() -> dict[str, Role]:
    """Every catalog operation's role, worked out once per process."""
    catalog = load_catalog()
    lists = frozenset(o.path for o in catalog.operations if o.method == "GET" and o.response_kind == "page")
    singles = frozenset(o.path for o in catalog.operations if o.method == "GET" and o.response_kind == "object")
    return {op.id: _role(op, lists, singles) for op in catalog.operations}


def role_of(op: Operation, catalog: Catalog) -> Role:
    lists = frozenset(o.path for o in catalog.operations if o.method == "GET" and o.response_kind == "page")
    singles = frozenset(o.path for o in catalog.operations if o.method == "GET" and o.response_kind == "object")
    return _role(op, lists, singles)


def _role(op: Operation, lists: frozenset[str], singles: frozenset[str]) -> Role:
    path, method, last = op.path, op.method, op.path.rsplit("/", 1)[-1]
    if op.response_kind in ("binary", "jsonl", "sse"):
        return Role("answer")
    if method == "GET" and op.response_kind == "page":
        return Role("list", path)
    if is_param(last):
        collection, key = parent(path), last[1:-1]
        if method == "GET":
            return Role("retrieve", collection, key)
        if method == "DELETE":
            return Role("delete", collection, key)
        upsert = op.id.rsplit(".", 1)[-1] in UPSERT_VERBS
        return Role("upsert" if upsert else "update", collection, key)
    above = parent(path).rsplit("/", 1)[-1]
    if method == "POST" and path in lists:
        return Role("create", path)
    if method == "POST" and is_param(above) and path not in singles:
        return Role("action", parent(parent(path)), above[1:-1], last)
    if method == "GET":
        return Role("single_get", path)
    if method == "DELETE":
        return Role("single_delete", path)
    if path in singles:
        return Role("single_set", path)
    if method == "POST" and (path + "/{") in {p[: len(path) + 2] for p in singles}:
        return Role("create", path)  # a create whose collection has a retrieve but no list
    return Role("answer")
