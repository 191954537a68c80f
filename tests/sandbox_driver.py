"""Drives catalog operations against a sandbox with ids found in the sandbox itself (shared by the SDK walks)."""

from __future__ import annotations

from typing import Any

from claude_api_mcp.client.catalog import Operation, load_catalog
from claude_api_mcp.client.http import AnthropicAPI
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.generic import GenericSimulator
from claude_api_mcp.sandbox.generic_roles import is_param, role_of
from claude_api_mcp.sandbox.generic_state import key_of
from claude_api_mcp.sandbox.synth import Synth
from tests.generic_driver import PICK, arguments_for, request_parts

CATALOG = load_catalog()
ORDER = ("list", "single_get", "retrieve", "create", "upsert", "update", "single_set", "answer", "action")
ORDER += ("single_delete", "delete")


class Driver:
    """Sends catalog operations with ids found in the sandbox itself."""

    def __init__(self, api: AnthropicAPI, sandbox: Sandbox) -> None:
        self.api, self.sandbox = api, sandbox
        self.ids: dict[str, str] = {}  # concrete collection path → an id in it
        # References in made-up arguments name things the sandbox has, as a careful caller's would
        resolve = sandbox.area("generic", GenericSimulator).state.resolve
        self.synth = Synth(lambda prefix: prefix + "01sandboxtest", sandbox.clock, resolve)

    async def call(self, op: Operation, args: dict[str, Any], *, raw: bool = False) -> Any:
        parts = request_parts(op, args)
        key = KeyKind.ADMIN if op.key == "admin" else KeyKind.API
        if op.beta:
            parts["headers"]["anthropic-beta"] = op.beta
        path = parts.pop("path")
        if op.response_kind in ("binary", "sse", "jsonl"):
            async with self.api.stream(op.method, path, key=key, **parts) as response:
                return response.headers.get("content-type", ""), await response.aread()
        return await self.api.request(op.method, path, key=key, **parts)

    async def path_args(self, op: Operation, *, fresh: bool) -> dict[str, str]:
        """An id for each path parameter: from the parent's list, or a create; a fresh create for destroyers."""
        segments = op.path.split("/")
        args: dict[str, str] = {}
        concrete: list[str] = []
        for index, segment in enumerate(segments):
            if not is_param(segment):
                concrete.append(segment)
                continue
            name = segment[1:-1]
            last = index == len(segments) - 1 or (index == len(segments) - 2 and role_of(op, CATALOG).verb == "action")
            collection = "/".join(concrete)
            template = "/".join(segments[:index])
            value = await self.find_id(template, collection, name, args, fresh=fresh and last)
            args[name] = value
            concrete.append(value)
        return args

    async def find_id(self, template: str, collection: str, name: str, known: dict[str, str], *, fresh: bool) -> str:
        create = next((o for o in CATALOG.operations if o.method == "POST" and o.path == template), None)
        listing = next((o for o in CATALOG.operations if o.method == "GET" and o.path == template), None)
        if not fresh and collection in self.ids:
            return self.ids[collection]
        if fresh and create is not None:
            made = await self.call(create, {**known, **arguments_for(create, self.synth, known, self.sandbox)})
            return str(_key_of(made, name))
        if listing is not None and listing.response_kind == "page":
            args = {**known, **arguments_for(listing, self.synth, known, self.sandbox), "limit": 100}
            page = await self.call(listing, args)
            wanted = PICK.get(template, lambda item: True)
            found = [item for item in page["data"] if wanted(item)]
            if found:
                self.ids[collection] = str(_key_of(found[0], name))
                return self.ids[collection]
        if create is not None:
            made = await self.call(create, {**known, **arguments_for(create, self.synth, known, self.sandbox)})
            self.ids[collection] = str(_key_of(made, name))
            return self.ids[collection]
        return f"{name}-1"


def _key_of(obj: dict[str, Any], name: str) -> Any:
    value = key_of(obj, name)
    assert value is not None, f"no {name} in {obj}"
    return value


def order_of(op: Operation) -> tuple[int, int, int, str]:
    """Parents before children; deletes last, children's before their parents'."""
    verb = role_of(op, CATALOG).verb
    depth = op.path.count("/")
    if verb in ("delete", "single_delete"):
        return (1, -depth, ORDER.index(verb), op.id)
    return (0, depth, ORDER.index(verb), op.id)
