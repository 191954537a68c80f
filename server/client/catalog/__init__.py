"""The operation catalog: every Claude API operation, generated from the pinned official SDK.

``operations.json`` is written by ``scripts/update_catalog.py`` (never by hand) and checked against the
installed SDK by ``tests/client/test_catalog.py``. Its fields and how it is regenerated: docs/CATALOG_FORMAT.md.
This module only reads it: ``load_catalog()`` parses it once.
The same script writes ``shapes.json``, every operation's full response schema, which only the sandbox
reads (``server/sandbox/generic_shapes.py``).
"""

from __future__ import annotations

import functools
import gc
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any, Literal

from claude_api_mcp.client.catalog.safety import Safety, classify

Location = Literal["path", "query", "body", "file", "header"]
_PARAM = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    key: Literal["admin", "api"]
    beta: str | None
    sdk_writes: bool  # what the SDK's method says; ``writes`` is what the server goes by
    summary: str
    arguments: dict[str, Any]  # JSON Schema of the one arguments object
    locations: dict[str, Location]
    body: Literal["json", "multipart"] | None
    pagination: str | None
    response: dict[str, Any]  # {"kind", "type", "fields"}
    typed_tool: str | None
    # Where the SDK's request is not a flat set of named fields (docs/CATALOG_FORMAT.md, "Arguments"):
    aliases: dict[str, str] = field(default_factory=dict)  # another accepted name (the SDK's) -> argument name
    whole_body: str | None = None  # the SDK parameter that is the whole JSON body (its fields are the arguments)
    segments: tuple[str, ...] = field(repr=False, compare=False, default=())

    @cached_property  # classified on first use: a typed tool's first call needs one operation, not all 290
    def safety(self) -> Safety:
        """read / write / destructive, side effects, credentials in the answer (safety.py)."""
        return classify(self.id, self.method, self.path, self.sdk_writes, self.response)

    @property
    def writes(self) -> bool:
        """The safety class is not "read" (safety.py): never the method alone."""
        return self.safety.writes

    @property
    def path_params(self) -> list[str]:
        return _PARAM.findall(self.path)

    @property
    def required(self) -> list[str]:
        return list(self.arguments.get("required", []))

    @property
    def properties(self) -> dict[str, Any]:
        props: dict[str, Any] = self.arguments.get("properties", {})
        return props

    @property
    def response_kind(self) -> str:
        return str(self.response.get("kind", "object"))


@dataclass(frozen=True)
class Catalog:
    sdk_version: str
    operations: tuple[Operation, ...]
    by_id: dict[str, Operation] = field(repr=False, compare=False, default_factory=dict)

    def get(self, op_id: str) -> Operation | None:
        return self.by_id.get(op_id)

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation a request is for, and its path parameters; literal segments win over parameters."""
        parts = tuple(path.split("?")[0].rstrip("/").split("/"))
        best: tuple[int, Operation, dict[str, str]] | None = None
        for op in self.operations:
            if op.method != method.upper() or len(op.segments) != len(parts):
                continue
            params: dict[str, str] = {}
            literal = 0
            for want, got in zip(op.segments, parts, strict=True):
                if want.startswith("{") and want.endswith("}"):
                    if not got:
                        break
                    params[want[1:-1]] = got
                elif want != got:
                    break
                else:
                    literal += 1
            else:
                if best is None or literal > best[0]:
                    best = (literal, op, params)
        return None if best is None else (best[1], best[2])

    def plain_read_at(self, path: str) -> bool:
        """Whether a GET of ``path`` is a plain read: no side effects, no credentials in the answer. A path
        is judged by the operation the upstream routes it to (``work/poll`` is poll, not retrieve)."""
        found = self.match("GET", path)
        return found is not None and found[0].safety.plain_read


def _operation(raw: dict[str, Any]) -> Operation:
    return Operation(
        id=raw["id"],
        method=raw["method"],
        path=raw["path"],
        key=raw["key"],
        beta=raw["beta"],
        sdk_writes=raw["writes"],
        summary=raw["summary"],
        arguments=raw["arguments"],
        locations=raw["locations"],
        body=raw["body"],
        pagination=raw["pagination"],
        response=raw["response"],
        typed_tool=raw["typed_tool"],
        aliases=raw.get("aliases") or {},
        whole_body=raw.get("whole_body"),
        segments=tuple(raw["path"].rstrip("/").split("/")),
    )


def parse_catalog(data: dict[str, Any]) -> Catalog:
    """A catalog from operations.json's parsed content (the generator checks the one it is about to write)."""
    ops = tuple(_operation(raw) for raw in data["operations"])
    return Catalog(sdk_version=data["sdk_version"], operations=ops, by_id={op.id: op for op in ops})


@functools.cache
def load_catalog() -> Catalog:
    text = resources.files(__package__).joinpath("operations.json").read_text(encoding="utf-8")
    # 1.8 MB of JSON is some 200,000 new containers, none in a cycle: without the collector's passes over a
    # running server's heap the first call that reads the catalog spends 13 ms here instead of 80.
    collecting = gc.isenabled()
    gc.disable()
    try:
        data = json.loads(text)
    finally:
        if collecting:
            gc.enable()
    return parse_catalog(data)


__all__ = ["Catalog", "Location", "Operation", "load_catalog", "parse_catalog"]
