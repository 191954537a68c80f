"""What a regenerated catalog changes against the committed one, in the words a reviewer needs after an SDK
bump: operations added and removed, and per operation the arguments added, removed or changed (shape,
place, required) and the request facts that moved (method, path, beta header, key, pagination, response).
Used by ``update_catalog.py``; the routine is in the README's development section."""

from __future__ import annotations

import json
from typing import Any

_REWORDED = "reworded"
_FACTS = ("method", "path", "beta", "key", "writes", "body", "pagination", "whole_body", "aliases")


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per change; empty when the catalogs say the same."""
    lines: list[str] = []
    if old.get("sdk_version") != new.get("sdk_version"):
        lines.append(f"SDK {old.get('sdk_version')} -> {new.get('sdk_version')}")
    before = {op["id"]: op for op in old.get("operations", [])}
    after = {op["id"]: op for op in new.get("operations", [])}
    lines += [f"+ operation {i} ({after[i]['method']} {after[i]['path']})" for i in sorted(after.keys() - before)]
    lines += [f"- operation {i} ({before[i]['method']} {before[i]['path']})" for i in sorted(before.keys() - after)]
    reworded = 0
    for op_id in sorted(before.keys() & after.keys()):
        found = _operation(before[op_id], after[op_id])
        reworded += found.count(_REWORDED)
        lines += [f"~ {op_id}: {line}" for line in found if line != _REWORDED]
    if reworded:
        lines.append(f"~ {reworded} argument descriptions reworded (the SDK's field docs; shapes unchanged)")
    return lines


def _operation(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = [f"{fact} {old.get(fact)!r} -> {new.get(fact)!r}" for fact in _FACTS if old.get(fact) != new.get(fact)]
    if old["response"].get("type") != new["response"].get("type") or old["response"]["kind"] != new["response"]["kind"]:
        out.append(f"response {_response(old)} -> {_response(new)}")
    elif old["response"] != new["response"]:
        out.append("response fields changed")
    was, now = old["arguments"]["properties"], new["arguments"]["properties"]
    out += [f"+ argument {n} ({new['locations'][n]})" for n in now if n not in was]
    out += [f"- argument {n}" for n in was if n not in now]
    for name in (n for n in now if n in was):
        notes = []
        if old["locations"][name] != new["locations"][name]:
            notes.append(f"{old['locations'][name]} -> {new['locations'][name]}")
        if (name in old["arguments"]["required"]) != (name in new["arguments"]["required"]):
            notes.append("now required" if name in new["arguments"]["required"] else "now optional")
        if _shape(was[name]) != _shape(now[name]):
            notes.append("schema changed")
        if notes:
            out.append(f"argument {name}: {', '.join(notes)}")
        elif was[name] != now[name]:
            out.append(_REWORDED)
    return out


def _response(op: dict[str, Any]) -> str:
    return f"{op['response']['kind']} {op['response'].get('type') or ''}".strip()


def _shape(schema: Any) -> str:
    """The schema without its prose: a reworded description is not a change of shape."""
    if isinstance(schema, dict):
        schema = {
            k: _shape(v) if k != "properties" else {n: _shape(s) for n, s in v.items()} for k, v in schema.items()
        }
        schema.pop("description", None)
    elif isinstance(schema, list):
        schema = [_shape(s) for s in schema]
    return json.dumps(schema, sort_keys=True)
