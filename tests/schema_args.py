"""Minimal valid arguments for any tool, built from its input schema and the sandbox's own ids.

Used by the suites that loop over every registered tool (dry runs, fuzzing, secrets), so tools that land
later join them without edits. Shapes the schema alone cannot make meaningful (a message, a batch, an
upload) have a small override below.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from mcp import Client

from claude_api_mcp.sandbox import Sandbox

SMALL_MESSAGE = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 16,
    "messages": [{"role": "user", "content": "Say hi."}],
}


def overrides(tmp: Path) -> dict[str, dict[str, Any]]:
    skill = tmp / "greeter"
    skill.mkdir(exist_ok=True)
    (skill / "SKILL.md").write_text("---\nname: greeter\ndescription: Says hello.\n---\nSay hello.\n")
    return {
        "send_message": dict(SMALL_MESSAGE),
        "count_tokens": {"model": SMALL_MESSAGE["model"], "messages": SMALL_MESSAGE["messages"]},
        "create_batch": {"requests": [{"custom_id": "one", "params": dict(SMALL_MESSAGE)}]},
        "upload_file": {"content_base64": base64.b64encode(b"hello").decode(), "filename": "hello.txt"},
        "create_skill": {"path": str(skill)},
        "write_api": {"operation": "organization.workspaces.create", "arguments": {"name": "Dry run"}},
    }


async def seed_ids(client: Client, sandbox: Sandbox, tmp: Path) -> dict[str, str]:
    """An existing, harmless target for each id argument name (creating core objects when none exist)."""
    org = sandbox.org
    ws = next(w for w in org.workspaces.values() if w["name"] == "Staging")
    member = next(m for m in org.workspace_members(ws["id"]) if m["workspace_role"] == "workspace_developer")
    ids = {
        "user_id": member["user_id"],
        "workspace_id": ws["id"],
        "api_key_id": next(k["id"] for k in org.api_keys.values() if k["status"] == "active"),
        "invite_id": next(i["id"] for i in org.invites.values() if i["status"] == "pending"),
        "created_by_user_id": member["user_id"],
    }
    listed = await client.list_tools()
    names = {t.name for t in listed.tools}
    made = overrides(tmp)
    for lister, creator, arg in (
        ("list_batches", "create_batch", "message_batch_id"),
        ("list_files", "upload_file", "file_id"),
        ("list_skills", "create_skill", "skill_id"),
    ):
        if lister in names:
            page = await client.call_tool(lister, {})
            data = (page.structured_content or {}).get("data") or []
            if not data and creator in names:
                created = await client.call_tool(creator, made[creator])
                data = [created.structured_content] if not created.is_error and created.structured_content else []
            if data:
                ids[arg] = data[0]["id"]
    if "list_models" in names:
        page = await client.call_tool("list_models", {})
        data = (page.structured_content or {}).get("data") or []
        if data:
            ids["model_id"] = ids["model"] = data[0]["id"]
    return ids


def build(schema: dict[str, Any], ids: dict[str, str], *, optional: bool = False) -> dict[str, Any]:
    """Required arguments (and, with ``optional``, every other scalar one) with valid values."""
    defs = schema.get("$defs", {})
    out: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if name == "dry_run":
            continue
        required = name in (schema.get("required") or [])
        if required or (optional and _is_scalar(prop, defs)):
            out[name] = value(name, prop, defs, ids)
    return out


def _resolve(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in prop:
        prop = defs[prop["$ref"].split("/")[-1]]
    if "allOf" in prop and len(prop["allOf"]) == 1:
        return _resolve(prop["allOf"][0], defs)
    return prop


def _options(prop: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    prop = _resolve(prop, defs)
    for key in ("anyOf", "oneOf"):
        if key in prop:
            return [_resolve(p, defs) for p in prop[key] if _resolve(p, defs).get("type") != "null"]
    return [prop]


def _is_scalar(prop: dict[str, Any], defs: dict[str, Any]) -> bool:
    return all(o.get("type") in ("string", "integer", "number", "boolean") or "enum" in o for o in _options(prop, defs))


def value(name: str, prop: dict[str, Any], defs: dict[str, Any], ids: dict[str, str]) -> Any:
    option = _options(prop, defs)[0]
    if "const" in option:
        return option["const"]
    if "enum" in option:
        return option["enum"][0]
    kind = option.get("type")
    if kind == "string":
        if name in ids:
            return ids[name]
        pattern = option.get("pattern", "")
        if prefix := re.match(r"\^([a-z_]+_)", pattern):  # an id: its prefix, then anything safe
            return prefix.group(1) + "01doesnotexist"
        if option.get("format") == "email" or name == "email":
            return "new.person@acme.example"
        if name == "display_color":
            return "#123456"
        return "sandbox-test"[: option.get("maxLength", 64)]
    if kind in ("integer", "number"):
        return max(1, option.get("minimum", 1), option.get("exclusiveMinimum", 0) + 1)
    if kind == "boolean":
        return False
    if kind == "array":
        item = option.get("items", {"type": "string"})
        count = max(1, option.get("minItems", 0)) if option.get("minItems") else 0
        return [value(name.rstrip("s"), item, defs, ids) for _ in range(count)]
    if kind == "object":
        if "properties" not in option:
            return {}
        return {
            k: value(k, v, defs, ids) for k, v in option["properties"].items() if k in (option.get("required") or [])
        }
    return None
