"""The other spellings a generic call may use for an argument, rewritten to the catalog's names before
anything is checked (docs/CATALOG_FORMAT.md, "Arguments"):

* the SDK's parameter name (``created_at_gte``), from the operation's ``aliases``;
* a bracketed query filter as one object (``created_at: {"gte": ...}`` for ``created_at[gte]``);
* a whole-body parameter as one object (``target: {...}`` for its fields), from ``whole_body``.

A name given twice (in two spellings) and an unknown key inside a grouped filter are refused: guessing
which one was meant would send a request nobody asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.client.catalog import Operation


def normalized(op: Operation, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """``arguments`` by the catalog's names (unknown names are left for ``validate`` to refuse)."""
    out: dict[str, Any] = {}
    for name, value in arguments.items():
        for key, item in _spelled(op, name, value):
            if key in out:
                raise ToolError(f"Argument {key!r} is given twice for {op.id} (once as {name!r}); give it once.")
            out[key] = item
    return out


def _spelled(op: Operation, name: str, value: Any) -> list[tuple[str, Any]]:
    if name in op.properties:
        return [(name, value)]
    if name in op.aliases:
        return [(op.aliases[name], value)]
    if op.whole_body is not None and name == op.whole_body:
        if not isinstance(value, Mapping):
            raise ToolError(f"Argument {name!r} must be an object (its fields are the request body of {op.id}).")
        fields = [p for p, where in op.locations.items() if where == "body"]
        stray = sorted(key for key in value if key not in fields)  # a path or header argument cannot hide in it
        if stray:
            raise ToolError(f"Argument {name!r} has no field {stray[0]!r}; its fields: {', '.join(fields)}.")
        return [(key, item) for key, item in value.items()]
    grouped = sorted(p for p in op.properties if p.startswith(f"{name}[") and p.endswith("]"))
    if grouped and isinstance(value, Mapping):
        out = []
        for key, item in value.items():
            full = f"{name}[{key}]"
            if full not in op.properties:
                accepted = ", ".join(g[len(name) + 1 : -1] for g in grouped)
                raise ToolError(f"Argument {name!r} takes the keys {accepted}; got {key!r}.")
            out.append((full, item))
        return out
    if grouped:
        raise ToolError(f"Argument {name!r} is a filter: give {', '.join(grouped)} (or {name}: {{...}} by those keys).")
    return [(name, value)]
