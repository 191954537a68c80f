"""What a spending or access-granting write costs or grants, in the question the person confirms.

Under ``--confirm writes`` every write is confirmed, and "Create batch?" is not a question anyone can
answer: the person must see the bill's worst case or the access handed out. So a batch names its number
of requests, its models and its worst-case output tokens (the sum of ``max_tokens``); an invite the address
and role; a new member the person and workspace role; an upload the file's name and size.

Uploads are described from the prepared request (``server/safety/prepared.py``): the name and size of the
bytes already read, under the tool's own confinement, which are the bytes that will be sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.core.wording import human_size, q
from claude_api_mcp.safety.consequences import _member_names
from claude_api_mcp.safety.prepared import Part, Prepared
from claude_api_mcp.safety.questions import ORG, Args, Described, Get, describes, describes_local

MAX_MODELS_SHOWN = 5
_ROLE_GRANTS = {  # what someone with the role can do, as the person approving should read it
    "admin": "control the whole organization: members, workspaces, API keys and billing",
    "billing": "see billing and usage, including payment details",
    "developer": "create and manage API keys and use the Console",
    "claude_code_user": "use Claude Code under the organization's account",
    "user": "use the Console, without managing keys or members",
}
_WORKSPACE_GRANTS = {
    "workspace_admin": "control the workspace, including its members and API keys",
    "workspace_developer": "create API keys in the workspace",
    "workspace_user": "use the workspace in the Console",
}


@describes("create_invite", KeyKind.ADMIN)
async def _create_invite(get: Get, a: Args) -> Described:
    role = str(a.get("role"))
    grant = _ROLE_GRANTS.get(role, "act with that role's access")
    text = (
        f"Invite {q(a.get('email'), 120)} to the organization as {q(role)}: once they accept, they can {grant}. "
        "The invite is emailed now."
    )
    return Described(text, "POST", f"{ORG}/invites")


@describes("add_workspace_member", KeyKind.ADMIN)
async def _add_workspace_member(get: Get, a: Args) -> Described:
    wid, uid, role = a["workspace_id"], a["user_id"], str(a.get("workspace_role"))
    who, where = await _member_names(get, wid, uid)
    grant = _WORKSPACE_GRANTS.get(role, "act with that role's access")
    text = f"Add {who} to workspace {where} as {q(role)}: from now on they can {grant}."
    return Described(text, "POST", f"{ORG}/workspaces/{wid}/members")


@describes("create_workspace", KeyKind.ADMIN)
async def _create_workspace(get: Get, a: Args) -> Described:
    residency = a.get("data_residency")
    where = f", data residency {q(residency, 120)}" if residency else ""
    return Described(f"Create workspace {q(a.get('name'))}{where}.", "POST", f"{ORG}/workspaces")


@describes("send_message", KeyKind.API)
async def _send_message(get: Get, a: Args) -> Described:
    tier = f", service tier {q(a['service_tier'])}" if a.get("service_tier") else ""
    text = (
        f"Send a message to {q(a.get('model'))}: up to {_tokens(a.get('max_tokens'))} output tokens{tier}, "
        "billed to this API key."
    )
    return Described(text, "POST", "/v1/messages")


@describes("create_batch", KeyKind.API)
async def _create_batch(get: Get, a: Args) -> Described:
    requests = [r for r in a.get("requests") or [] if isinstance(r, Mapping)]
    params: list[Mapping[str, Any]] = [p if isinstance(p := r.get("params"), Mapping) else {} for r in requests]
    models = sorted({str(p.get("model")) for p in params})
    worst = sum(n for p in params if isinstance(n := p.get("max_tokens"), int))
    shown = ", ".join(q(m) for m in models[:MAX_MODELS_SHOWN])
    if len(models) > MAX_MODELS_SHOWN:
        shown += f" and {len(models) - MAX_MODELS_SHOWN} more"
    text = (
        f"Create a message batch of {len(requests):,} request{'s' if len(requests) != 1 else ''} to {shown}: "
        f"worst case {_tokens(worst)} output tokens in total (the sum of max_tokens), billed to this API key "
        "at batch prices; it runs for up to 24 hours unless cancelled."
    )
    return Described(text, "POST", "/v1/messages/batches")


def _tokens(n: Any) -> str:
    return f"{n:,}" if isinstance(n, int) else "an unknown number of"


def _parts(prepared: Prepared | None) -> tuple[Part, ...]:
    if prepared is None or prepared.parts is None:  # the confirmation step always prepares uploads first
        raise ToolError("This upload could not be prepared; nothing was sent.")
    return prepared.parts


@describes_local("upload_file")
async def _upload_file(ctx: Ctx, a: Args, prepared: Prepared | None) -> Described:
    (part,) = _parts(prepared)  # the bytes that will be sent, read once, before the question
    source = f" from {q(str(a['path']), 200)}" if a.get("path") is not None else ""
    text = (
        f"Upload file {q(part.filename, 120)} ({human_size(len(part.content))}){source} to the Files API: it is "
        "stored with the API until deleted, and any request with this key can read it."
    )
    return Described(text, "POST", "/v1/files")


@describes_local("create_skill")
async def _create_skill(ctx: Ctx, a: Args, prepared: Prepared | None) -> Described:
    parts = _parts(prepared)
    total = sum(len(p.content) for p in parts)
    path = str(a.get("path"))
    name = f" as {q(a['display_name'])}" if a.get("display_name") else ""
    text = (
        f"Create a skill{name} from local folder {q(path, 200)}: {len(parts)} file{'s' if len(parts) != 1 else ''}, "
        f"{human_size(total)}, uploaded and usable by any request with this key."
    )
    return Described(text, "POST", "/v1/skills")
