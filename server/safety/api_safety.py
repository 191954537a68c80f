"""Safety decisions for write_api, read from the catalog: workspace pinning on every workspace id a call
carries, the target whose current state a dry run and a confirmation show, and the sentence the person
is asked to confirm (operation, target, arguments)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from typing import Any
from urllib.parse import urlencode

import pydantic_core
from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.client.catalog import Operation, load_catalog
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.core.wording import human_size, q
from claude_api_mcp.safety import pinning
from claude_api_mcp.safety.api_args import build, find_operation, validate
from claude_api_mcp.safety.api_files import read_local
from claude_api_mcp.safety.audit import Refused
from claude_api_mcp.safety.deps import api, settings
from claude_api_mcp.safety.questions import Described

_ARGS_SHOWN = 400  # characters of the arguments quoted in the confirmation sentence


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
    return (
        f"Refused: this server only writes in the pinned workspaces ({pinning.pinned_list(conf)}), and {op.id} "
        f"names workspace {', '.join(outside)}. Nothing was sent. The operator sets this with --workspaces "
        "(CLAUDE_API_MCP_WORKSPACES)."
    )


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


async def describe_write(ctx: Ctx, args: Mapping[str, Any]) -> Described:
    """The confirmation sentence for one write_api call, after the same checks the call itself makes."""
    op = find_operation(str(args.get("operation")))
    if not op.writes:
        raise ToolError(f"{op.id} changes nothing; use read_api.")
    arguments = validate(op, args.get("arguments") or {})
    if why := pin_refusal(settings(ctx), op, arguments):
        raise Refused(why)
    with ExitStack() as stack:  # local files are measured under the upload's own confinement, then closed
        req = build(op, await read_local(ctx, op, arguments, args.get("roots"), stack))
    target = target_path(op, req.path)
    state: Any = None
    if target is not None:
        client = api(ctx, req.key)
        try:
            state = await client.request("GET", target, key=req.key, headers=req.headers)
        except ApiError:
            if target == req.path:
                raise  # the object this call acts on: fail like the call would
    in_url = {k for k, where in op.locations.items() if where == "path"}  # already in the URL shown
    rest = {k: v for k, v in arguments.items() if k not in in_url}
    shown = pydantic_core.to_json(req.shown_body if req.files is not None else rest).decode()
    if len(shown) > _ARGS_SHOWN:
        shown = shown[: _ARGS_SHOWN - 1] + "…"
    url = req.path + (f"?{urlencode(req.params, doseq=True)}" if req.params else "")
    text = f"{op.summary} ({op.id}): {req.method} {url}"
    if isinstance(state, Mapping) and (label := _label(state)):
        text += f", on {label}"
    text += f", with {shown}." if rest else "."
    if req.files:  # the names and sizes above may be cut: the totals never are
        many = len(req.files) != 1
        text += f" It uploads {len(req.files)} file{'s' if many else ''}, {human_size(sum(req.sizes))}"
        text += " in all." if many else "."
    if op.safety.cls == "destructive":  # every DELETE, and the reviewed ones (a rotated token, a redaction)
        text += " This cannot be undone."
    return Described(text, req.method, req.path)
