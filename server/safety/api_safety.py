"""Safety decisions for write_api, read from the catalog: workspace pinning on every workspace id a call
carries, the target whose current state a dry run and a confirmation show, and the sentence the person
is asked to confirm (operation, target, and every argument sent: ``server/safety/shown_args.py``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.client.catalog import Operation, load_catalog
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.core.wording import human_size, q
from claude_api_mcp.safety import pinning
from claude_api_mcp.safety.api_args import build, find_operation, header_name, validate
from claude_api_mcp.safety.api_files import read_local
from claude_api_mcp.safety.audit import Refused
from claude_api_mcp.safety.deps import api, settings
from claude_api_mcp.safety.prepared import Prepared
from claude_api_mcp.safety.questions import MAX_TEXT, Described
from claude_api_mcp.safety.shown_args import shown


def workspace_ids(value: Any, name: str = "") -> Iterator[str]:
    """Every workspace id in the arguments: ``workspace_id`` / ``workspace_ids`` at any depth."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from workspace_ids(item, str(key))
    elif isinstance(value, list):
        for item in value:
            yield from workspace_ids(item, name)
    elif isinstance(value, str) and name in ("workspace_id", "workspace_ids"):
        yield value


def pin_refusal(conf: Settings, op: Operation, args: Mapping[str, Any]) -> str | None:
    """Why pinning refuses this call because of a workspace id it names (the path is checked by write())."""
    pinned = conf.workspaces
    if not pinned:
        return None
    outside = sorted({w for w in workspace_ids(args) if w not in pinned})
    if not outside:
        return None
    return pinning.refuse(conf, f"{op.id} names workspace {', '.join(outside)}")


def target_path(op: Operation, path: str) -> str | None:
    """The object this write acts on, to read its current state: the same path, or its parent object
    (``…/{id}/archive`` → ``…/{id}``, ``…/{group}/members`` → ``…/{group}``)."""
    catalog = load_catalog()
    candidates = [path]
    head = path.rpartition("/")[0]
    template_last = op.path.rpartition("/")[2]
    if head and not template_last.startswith("{"):
        candidates.append(head)
    for candidate in candidates:
        found = catalog.match("GET", candidate)
        # Only a plain read: never a GET that dequeues (work/poll) or answers with a secret (work/{id}).
        if found is not None and found[0].response_kind == "object" and found[0].safety.plain_read:
            return candidate
    return None


def _label(state: Mapping[str, Any]) -> str:
    name = next((state[k] for k in ("name", "display_name", "email", "title") if state.get(k)), None)
    ident = state.get("id")
    if name and ident:
        return f"{q(name)} ({ident})"
    return str(ident or name or "")


async def prepare_write(ctx: Ctx, operation: str, arguments: Mapping[str, Any] | None, roots: Any) -> Prepared:
    """write_api's request, prepared once: validated, pinned, local files read, the target to show known."""
    op = find_operation(operation)
    if not op.writes:
        raise ToolError(f"{op.id} changes nothing; use read_api.")
    args = validate(op, arguments or {})
    if why := pin_refusal(settings(ctx), op, args):
        raise Refused(why)
    req = build(op, await read_local(ctx, op, args, roots))
    return dataclasses.replace(req, current_path=target_path(op, req.path))


async def describe_write(ctx: Ctx, args: Mapping[str, Any], prepared: Prepared | None) -> Described:
    """The confirmation sentence for one write_api call: the prepared request, every argument of it."""
    op = find_operation(str(args.get("operation")))
    req = prepared or await prepare_write(ctx, op.id, args.get("arguments"), args.get("roots"))
    state: Any = None
    if req.current_path is not None:
        client = api(ctx, req.key)
        try:
            state = await client.request("GET", req.current_path, key=req.key, headers=req.headers)
        except ApiError:
            if req.current_path == req.path:
                raise  # the object this call acts on: fail like the call would
    text = f"{op.summary} ({op.id}): {req.method} {req.path}"
    if isinstance(state, Mapping) and (label := _label(state)):
        text += f", on {label}"
    body = req.shown_body if req.parts is not None else req.body
    sent = {**(req.query or {}), **(body or {}), **_header_args(op, req)}  # all but the path, shown above
    tail = ""
    if req.parts:  # the totals, besides each file's name and size
        many = len(req.parts) != 1
        tail = f" It uploads {len(req.parts)} file{'s' if many else ''}, {human_size(sum(req.sizes))}" + (
            " in all." if many else "."
        )
    if op.safety.cls == "destructive":  # every DELETE, and the reviewed ones (a rotated token, a redaction)
        tail += " This cannot be undone."
    room = MAX_TEXT - len(text) - len(tail) - 8
    text += f", with {shown(sent, room, what=op.id)}." if sent else "."
    return Described(text + tail, req.method, req.path)


def _header_args(op: Operation, req: Prepared) -> dict[str, Any]:
    """Arguments sent as headers (the beta header is the operation's own, shown by its id)."""
    named = {header_name(k) for k, where in op.locations.items() if where == "header"}
    return {k: v for k, v in (req.headers or {}).items() if k in named}
