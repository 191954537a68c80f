"""The generic simulator: every catalog operation without a hand-written route, served from one stateful model.

It is the sandbox's last route. A request the hand-written routes do not serve is matched against the
catalog (unknown → the API's 404), checked like the API checks it (key kind, beta header, required and
unknown arguments), and answered from ``GenericState`` according to what the operation does
(``generic_roles``): lists page, creates store, updates merge, archives stamp ``archived_at``, deletes
remove and answer with the SDK's deleted-object shape. Every object is built by ``Synth`` from the SDK's
response schema (``generic_shapes``), the stored record and the request merged in.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from claude_api_mcp.client.catalog import Catalog, Operation, load_catalog
from claude_api_mcp.sandbox import generic_siblings as siblings
from claude_api_mcp.sandbox import generic_versions as versions
from claude_api_mcp.sandbox.generic_actions import act
from claude_api_mcp.sandbox.generic_checks import check_references, check_rule_match
from claude_api_mcp.sandbox.generic_links import LinkView, relations
from claude_api_mcp.sandbox.generic_roles import Role, all_roles, is_param, parent
from claude_api_mcp.sandbox.generic_seed import noun_of
from claude_api_mcp.sandbox.generic_shapes import Shape, shape_of
from claude_api_mcp.sandbox.generic_state import GenericState, Record, key_of, merge, properties_of
from claude_api_mcp.sandbox.generic_wire import (
    check_arguments,
    check_beta,
    check_key,
    handwritten_route,
    internal_get,
    matches_filters,
    page,
    read_inputs,
)
from claude_api_mcp.sandbox.profile_versions import legacy_body, profile_version, versioned
from claude_api_mcp.sandbox.routes import ROUTES
from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import SandboxError, rfc3339

_WRITES = frozenset({"create", "update", "upsert", "action", "single_set"})
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
MAX_ITEMS = 10_000


class GenericSimulator:
    def __init__(self, box: Any) -> None:
        self.box = box
        self.catalog: Catalog = load_catalog()
        self.state = GenericState(box)
        self.state.seeder = self._seed_top_level
        self.roles = all_roles()
        self.by_path = {(op.method, op.path): op for op in self.catalog.operations}
        lists = [op for op in self.catalog.operations if self.roles[op.id].verb == "list"]
        for op in sorted(lists, key=lambda o: len(o.path), reverse=True):
            if not op.path_params and handwritten_route(ROUTES, "GET", op.path) is None:
                self.state.top_level[noun_of(op.path.rsplit("/", 1)[-1])] = op.path
                # federation_issuers/{federation_issuer_id}: a marketplace_id names a plugin marketplace
                if (param := self._item_param(op.path)) != "id":
                    self.state.top_level.setdefault(param.removesuffix("_id"), op.path)
        self.bare_nouns = frozenset(self.state.top_level)  # "agent": "agent_01…" names an agent as agent_id would
        sides = {op.path: (op.response.get("type"), _last_param(op.path), self._item_param(op.path)) for op in lists}
        self.relations = relations(sides)

    # --- the request ----------------------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        found = self.catalog.match(request.method, request.url.path)
        if found is None:
            raise SandboxError(404, "not_found_error", f"Not found: {request.method} {request.url.path}")
        op, params = found
        check_key(op, request)
        check_beta(op, request)
        body, form = await read_inputs(op, request)
        version = profile_version(op.path, request.headers.get("anthropic-beta"))
        body = legacy_body(version, body)
        check_arguments(op, request, body, set(form))
        if body and self.roles[op.id].verb in _WRITES:  # refused before anything changes, as the API does
            check_references(body, self.state.ids_of, self.bare_nouns)
            check_rule_match(op.id, body)
        response = await self._serve(op, request, params, {**form, **body})
        return versioned(response, version) if version else response

    async def _serve(self, op: Operation, request: Request, params: dict[str, str], changes: Record) -> Response:
        role = self.roles[op.id]
        shape = shape_of(op.id)
        concrete = request.url.path.rstrip("/")
        for index, segment in enumerate(op.path.split("/")):
            if is_param(segment) and segment[1:-1] != role.key:
                await self._find(op.path.split("/")[: index + 1], concrete.split("/")[: index + 1])
        if role.verb == "list":
            return await self._list(op, request, shape, concrete)
        if role.verb in ("single_get", "single_set", "single_delete"):
            return self._single(role, shape, concrete, params, changes)
        if role.verb == "answer":
            return self._answer(op, shape, changes)
        if role.verb == "create":
            return await self._create(role, shape, concrete, params, changes)
        item_path = concrete if role.verb != "action" else parent(concrete)
        template = op.path.split("/") if role.verb != "action" else op.path.split("/")[:-1]
        if role.verb == "upsert":
            return await self._upsert(role, shape, item_path, params, changes)
        record = await self._find(template, item_path.split("/"))
        if role.verb == "update" and ("GET", "/".join(template) + "/" + versions.SUB) in self.by_path:
            held = await self._records("/".join(template) + "/" + versions.SUB, item_path + "/" + versions.SUB)
            versions.check(changes, held, noun_of(template[-2]).replace("_", " ").capitalize())
        if role.verb == "delete":
            records = await self._records(parent("/".join(template)), parent(item_path))
            records.pop(params[role.key or ""], None)
        elif role.verb == "update":
            merge(record, changes)
            if isinstance(record.get("version"), int):  # an update makes a new version (agents, environments)
                record["version"] += 1
            self._touch(record)
        elif role.verb == "action":
            act(record, role.action or "", shape.schema, rfc3339(self.state.now()))
            self._touch(record)
        return self._reply(shape, record, noun_of(template[-2]))

    # --- state ----------------------------------------------------------------------------------------------

    async def _find(self, template: list[str], concrete: list[str]) -> Record:
        """The item a path names (404 if there is none); ids no list or retrieve knows are taken on trust."""
        item_template, item_path = "/".join(template), "/".join(concrete)
        key = concrete[-1]
        if handwritten_route(ROUTES, "GET", item_path) is not None and ("GET", item_template) in self.by_path:
            status, found = await internal_get(self.box.app, ROUTES, item_path)
            if status == 200 and isinstance(found, dict):
                return found
            raise _missing(template, key)
        coll_template = parent(item_template)
        if ("GET", coll_template) not in self.by_path and ("GET", item_template) not in self.by_path:
            return {}
        records = await self._records(coll_template, parent(item_path))
        if key not in records and self._unlisted(coll_template):
            # Nothing lists or creates these (compliance review items): any id names one, made up on first sight.
            schema, key_field = self._item(coll_template)
            records[key] = {**_context(coll_template, parent(item_path), properties_of(schema)), key_field: key}
        record = records.get(key)
        if record is None:
            raise _missing(template, key)
        return record

    def _unlisted(self, coll_template: str) -> bool:
        return ("GET", coll_template) not in self.by_path and ("POST", coll_template) not in self.by_path

    async def _records(self, coll_template: str, concrete: str) -> MutableMapping[str, Record]:
        if concrete in self.state.collections:
            return self.state.collections[concrete]
        from_list = None
        if handwritten_route(ROUTES, "GET", concrete) is not None:
            status, listed = await internal_get(self.box.app, ROUTES, concrete, "limit=1000")
            from_list = listed.get("data", []) if status == 200 and isinstance(listed, dict) else []
        return self._seed(coll_template, concrete, from_list)

    def _seed_top_level(self, path: str) -> MutableMapping[str, Record]:
        return self.state.collections.get(path) or self._seed(path, path, None)

    def _seed(self, coll_template: str, concrete: str, from_list: list[Record] | None) -> MutableMapping[str, Record]:
        schema, key_field = self._item(coll_template)
        context = _context(coll_template, concrete, properties_of(schema))
        fresh = concrete not in self.state.collections
        seeded = self.state.seed(concrete, schema, key_field, context, from_list)
        if fresh and from_list is None and _last_param(coll_template):
            siblings.link(concrete, seeded, self._is_generic_list, self._seed_concrete)
        if fresh and from_list is None and concrete.endswith("/" + versions.SUB):
            owner_path, owner_key = concrete.rsplit("/", 2)[:2]
            versions.adopt(self.state.collections.get(owner_path, {}).get(owner_key), seeded)
        if coll_template not in self.relations:
            return seeded
        model, fields = self.relations[coll_template]
        parent_param = _last_param(coll_template) or ""
        view = LinkView(
            self.state.links.setdefault(model, {}), fields, parent_param, concrete.split("/")[-2], key_field
        )
        for key, record in seeded.items():
            view.setdefault(key, record)  # links seeded from the other side stay as they are
        self.state.collections[concrete] = view
        return view

    def _is_generic_list(self, concrete: str) -> bool:
        found = self.catalog.match("GET", concrete)
        listed = found is not None and self.roles[found[0].id].verb == "list"
        return listed and handwritten_route(ROUTES, "GET", concrete) is None

    def _seed_concrete(self, concrete: str) -> MutableMapping[str, Record]:
        found = self.catalog.match("GET", concrete)
        assert found is not None  # only called for paths _is_generic_list accepted
        return self.state.collections.get(concrete) or self._seed(found[0].path, concrete, None)

    def _item_param(self, coll_template: str) -> str:
        found = [op.path for op in self.catalog.operations if parent(op.path) == coll_template]
        params = [p.rsplit("/", 1)[-1][1:-1] for p in found if is_param(p.rsplit("/", 1)[-1])]
        return params[0] if params else "id"

    def _item(self, coll_template: str) -> tuple[dict[str, Any], str]:
        """The schema of a collection's items, and the field that keys them (the item path's parameter)."""
        listing = self.by_path.get(("GET", coll_template))
        item_ops = [
            op
            for op in self.catalog.operations
            if parent(op.path) == coll_template and is_param(op.path.rsplit("/", 1)[-1])
        ]
        source = listing or next((op for op in item_ops if op.method == "GET"), item_ops[0] if item_ops else None)
        schema = shape_of(source.id).schema if source is not None else {}
        key = item_ops[0].path.rsplit("/", 1)[-1][1:-1] if item_ops else "id"
        return schema, key if key in properties_of(schema) else "id"

    async def _create(
        self, role: Role, shape: Shape, concrete: str, params: dict[str, str], changes: Record
    ) -> Response:
        records = await self._records(role.collection or "", concrete)
        if len(records) >= MAX_ITEMS:  # a flood of creates must not grow the sandbox without bound
            raise SandboxError(400, "invalid_request_error", f"The sandbox holds at most {MAX_ITEMS} items here.")
        _, key_field = self._item(role.collection or "")
        props = properties_of(shape.schema)
        moment = rfc3339(self.state.now())
        stamps: Record = {name: moment for name in ("created_at", "updated_at", "added_at") if name in props}
        source: Record = {**stamps, **_context(role.collection or "", concrete, props), **changes}
        noun = noun_of(concrete.rsplit("/", 1)[-1])
        record = self.state.synth().build(shape.schema, source, noun=noun, index=len(records))
        if not isinstance(record, dict):
            return JSONResponse(record)
        key = key_of(record, key_field) or self.state.synth().new_id(noun + "_")
        records[key] = {**changes, **record}
        return JSONResponse(record)

    async def _upsert(
        self, role: Role, shape: Shape, item_path: str, params: dict[str, str], changes: Record
    ) -> Response:
        records = await self._records(role.collection or "", parent(item_path))
        key = params[role.key or ""]
        record = records.get(key)
        if record is None:
            _, key_field = self._item(role.collection or "")
            context = _context(role.collection or "", parent(item_path), properties_of(shape.schema))
            record = {**context, key_field: key}
            records[key] = record
        merge(record, changes)
        self._touch(record)
        return self._reply(shape, record, noun_of(item_path.split("/")[-2]))

    def _single(self, role: Role, shape: Shape, concrete: str, params: dict[str, str], changes: Record) -> Response:
        record = self.state.singles.get(concrete)
        if record is None:
            record = self.state.synth().build(shape.schema, dict(params), noun=noun_of(concrete.rsplit("/", 1)[-1]))
            record = record if isinstance(record, dict) else {}
            self.state.singles[concrete] = record
        if role.verb == "single_set":
            merge(record, changes)
            self._touch(record)
        elif role.verb == "single_delete":
            self.state.singles.pop(concrete, None)
        return self._reply(shape, record, noun_of(concrete.rsplit("/", 1)[-1]))

    def _touch(self, record: Record) -> None:
        if "updated_at" in record:
            record["updated_at"] = rfc3339(self.state.now())

    # --- answers --------------------------------------------------------------------------------------------

    async def _list(self, op: Operation, request: Request, shape: Shape, concrete: str) -> Response:
        records = await self._records(op.path, concrete)
        kept = [(k, r) for k, r in records.items() if matches_filters(op, request, r)]
        chosen, fields = page(op.pagination or "token", request, kept, op.path, self.state.now())
        noun = noun_of(concrete.rsplit("/", 1)[-1])
        synth = self.state.synth()
        data = [synth.build(shape.schema, r, noun=noun, index=i) for i, r in enumerate(chosen)]
        return JSONResponse({"data": data, **fields})

    def _reply(self, shape: Shape, record: Record, noun: str) -> Response:
        if shape.kind == "empty":
            return Response(status_code=204)
        return JSONResponse(self.state.synth().build(shape.schema, record, noun=noun))

    def _answer(self, op: Operation, shape: Shape, changes: Record) -> Response:
        synth, noun = self.state.synth(), noun_of(op.path.rsplit("/", 2)[-2])
        if shape.kind == "binary":
            content = f"Sandbox content for {op.id}.\n".encode()
            return Response(content, media_type="application/octet-stream")
        if shape.kind in ("jsonl", "sse"):
            variants = shape.schema.get("anyOf") or shape.schema.get("oneOf") or [shape.schema]
            items = [synth.build({**shape.schema, **v}, noun=noun, index=i) for i, v in enumerate(variants[:3])]
            if shape.kind == "jsonl":
                return Response("".join(json.dumps(i) + "\n" for i in items), media_type="application/x-jsonl")
            events = "".join(f"event: {_event_name(i)}\ndata: {json.dumps(i)}\n\n" for i in items)
            return StreamingResponse(iter([events]), media_type="text/event-stream")
        return self._reply(shape, changes, noun)


def _last_param(path: str) -> str | None:
    """The parameter naming a sub-collection's parent (``service_account_id`` of a service account's workspaces)."""
    params = [seg[1:-1] for seg in path.split("/") if is_param(seg)]
    return params[-1] if params else None


def _event_name(item: Any) -> str:
    return str(item.get("type", "message")) if isinstance(item, dict) else "message"


def _context(coll_template: str, concrete: str, props: dict[str, Any]) -> Record:
    """The parent ids in a collection's path, for the fields of its items that name them (``rbac_group_id``)."""
    pairs = zip(coll_template.split("/"), concrete.split("/"), strict=False)
    return {t[1:-1]: c for t, c in pairs if is_param(t) and t[1:-1] in props}


def _missing(template: list[str], key: str) -> SandboxError:
    what = noun_of(template[-2]).replace("_", " ") if len(template) > 1 else "object"
    return SandboxError(404, "not_found_error", f"{what.capitalize()} {key!r} not found.")


async def generic_endpoint(request: Request) -> Response:
    simulator: GenericSimulator = sandbox(request).area("generic", GenericSimulator)
    return await simulator.handle(request)


FALLBACK = Route("/{path:path}", generic_endpoint, methods=_METHODS)
