"""Helpers for driving catalog operations against the sandbox: arguments, request parts, strict checks."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from claude_api_mcp.client.catalog import Operation
from claude_api_mcp.sandbox.generic_wire import header_name
from claude_api_mcp.sandbox.synth import Synth

SKILL_MD = b"---\nname: sandbox-check\ndescription: Checks the sandbox.\n---\n# Check\n"
MESSAGE = {"model": "claude-sonnet-5-5", "max_tokens": 16, "messages": [{"role": "user", "content": "Hello"}]}

_counter = itertools.count(1)
_BARE = frozenset({"agent", "environment"})  # body fields that name another object by its id

# Arguments the hand-written routes check more closely than a made-up value passes (real models, unique names).
FIXED: dict[str, Any] = {
    "messages.create": lambda box, known: MESSAGE,
    "messages.count_tokens": lambda box, known: {"model": MESSAGE["model"], "messages": MESSAGE["messages"]},
    "messages.batches.create": lambda box, known: {"requests": [{"custom_id": "a", "params": MESSAGE}]},
    "organization.invites.create": lambda box, known: {"email": f"new{next(_counter)}@acme.example", "role": "user"},
    "organization.workspaces.create": lambda box, known: {"name": f"Generic check {next(_counter)}"},
    "organization.workspaces.update": lambda box, known: {"name": f"Generic check {next(_counter)}"},
    "organization.users.update": lambda box, known: {"role": "developer"},
    "organization.workspaces.members.add": lambda box, known: {
        "user_id": _not_member(box, known["workspace_id"]),
        "workspace_role": "workspace_user",
    },
    "organization.workspaces.members.update": lambda box, known: {"workspace_role": "workspace_developer"},
    "organization.usage_report.claude_code": lambda box, known: {
        "starting_at": (box.clock() - timedelta(days=3)).date().isoformat()
    },
    # a version the plugin has: the one it shows as its latest (its versions list holds it)
    "beta.organization.plugins.update": lambda box, known: {
        "served_version_id": _generic(box).state.collections["/v1/organizations/plugins"][known["plugin_id"]][
            "latest_version_id"
        ]
    },
    "files.upload": lambda box, known: {"file": ("notes.txt", b"hello", "text/plain")},
    "skills.create": lambda box, known: {"files": [("check/SKILL.md", SKILL_MD, "text/markdown")]},
    "skills.versions.create": lambda box, known: {"files": [("check/SKILL.md", SKILL_MD, "text/markdown")]},
}
# Which item of a list the driver works on, where the hand-written rules refuse some (admins, running batches).
PICK: dict[str, Callable[[dict[str, Any]], bool]] = {
    "/v1/organizations/users": lambda item: item["role"] == "developer",
    "/v1/files": lambda item: bool(item.get("downloadable")),
    "/v1/messages/batches": lambda item: item["processing_status"] == "ended" and bool(item.get("results_url")),
    "/v1/organizations/workspaces/{workspace_id}/members": lambda item: item["workspace_role"] == "workspace_user",
}
NOT_FRESH = {"messages.batches.delete", "messages.batches.results", "organization.users.remove"}


def _generic(box: Any) -> Any:
    from claude_api_mcp.sandbox.generic import GenericSimulator

    return box.area("generic", GenericSimulator)


def _not_member(box: Any, workspace_id: str) -> str:
    members = {uid for (ws, uid) in box.org.members if ws == workspace_id}
    return next(
        u["id"] for u in box.org.users.values() if u["id"] not in members and u["role"] not in ("admin", "billing")
    )


def arguments_for(
    op: Operation, synth: Synth, known: dict[str, str], box: Any, *, optional: bool = False
) -> dict[str, Any]:
    """Required arguments (not path or header) made up from the catalog's schema, or fixed ones above."""
    if op.id in FIXED:
        return dict(FIXED[op.id](box, known))
    wanted = {
        name: schema
        for name, schema in op.properties.items()
        if op.locations.get(name) not in ("path", "header") and (optional or name in op.required)
    }
    if not wanted:
        return {}
    made = synth.build({"type": "object", "properties": wanted}, noun=op.path.rsplit("/", 1)[-1])
    args: dict[str, Any] = dict(made)
    if synth.resolve is not None:  # "agent": an id, like agent_id, of one the sandbox has
        for name in args:
            found = synth.resolve(name, "", 0) if op.locations.get(name) == "body" and name in _BARE else None
            args[name] = found[0] if found else args[name]
    for name in args:
        if op.locations.get(name) == "file":  # an upload: a small file, one or a list as the schema says
            upload = ("upload.zip", b"PK\x05\x06" + bytes(18), "application/zip")
            args[name] = [upload] if op.properties[name].get("type") == "array" else upload
    return args


def request_parts(op: Operation, args: dict[str, Any]) -> dict[str, Any]:
    """Split one arguments object into path, query, JSON body, multipart files and headers, as the catalog says."""
    path = op.path
    query: dict[str, Any] = {}
    body: dict[str, Any] = {}
    files: list[tuple[str, Any]] = []
    headers: dict[str, str] = {}
    for name, value in args.items():
        where = op.locations.get(name, "body")
        if where == "path":
            path = path.replace("{" + name + "}", str(value))
        elif where == "query":
            query[name] = value
        elif where == "header":
            headers[header_name(name)] = str(value)
        elif where == "file":
            items = value if isinstance(value, list) else [value]
            files.extend((name + ("[]" if isinstance(value, list) else ""), item) for item in items)
        else:
            body[name] = value
    parts: dict[str, Any] = {"path": path, "params": query, "headers": headers}
    if op.body == "multipart":
        parts["data"] = {k: v if isinstance(v, str) else str(v) for k, v in body.items()}
        parts["files"] = files
    elif body or op.body == "json":
        parts["json_body"] = body
    return parts


def no_extras(value: Any, where: str = "$") -> None:
    """Fail on any field the SDK type does not declare, at any depth."""
    if isinstance(value, BaseModel):
        assert not value.model_extra, f"{where}: fields the SDK does not know: {sorted(value.model_extra or {})}"
        for name in type(value).model_fields:
            no_extras(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            no_extras(item, f"{where}[{n}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            no_extras(item, f"{where}.{key}")
