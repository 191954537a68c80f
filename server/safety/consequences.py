"""What each destructive tool is about to do, in words a person can confirm, fetched from the API.

Keyed by tool name (so no toolset module needs to know about confirmation): each describer reads the
target and returns one sentence naming it by its human name and id and stating the consequence, plus the
request the tool will send (the confirmation step checks workspace pinning on it before asking anyone).

Primary lookups (the target itself) fail the call, like the tool would; secondary ones (counts of
affected keys, a member's name) are best effort and only make the sentence less specific.

Every string from the API is made single-line before a describer sees it, and the finished sentence is
cleaned again (``server/core/wording.py``): upstream text cannot add a line to the question.

Writes that spend money or grant access (creates, uploads, messages) are described in ``server/safety/costs.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.wording import changes, count, human_size, person, q
from claude_api_mcp.safety.questions import ORG, Args, Described, Get, describes

# --- lookups ----------------------------------------------------------------------------------------------


async def maybe(get: Get, path: str, params: Mapping[str, Any] | None = None) -> Any:
    try:
        return await get(path, params)
    except (ApiError, ToolError):
        return None


async def count_keys(get: Get, **filters: str) -> int | None:
    """Active API keys matching ``filters``, following pages (bounded), or None if the lookup failed."""
    total, after = 0, None
    for _ in range(20):
        page = await maybe(get, f"{ORG}/api_keys", {**filters, "status": "active", "limit": 1000, "after_id": after})
        if not isinstance(page, dict):
            return None
        total += len(page.get("data") or [])
        after = page.get("last_id")
        if not page.get("has_more") or not after:
            return total
    return None


# --- users and invites ------------------------------------------------------------------------------------


@describes("update_user", KeyKind.ADMIN)
async def _update_user(get: Get, a: Args) -> Described:
    uid, role = a["user_id"], a["role"]
    user = await get(f"{ORG}/users/{uid}")
    old = user.get("role")
    text = f"Change the organization role of {person(user, uid)} from {old} to {role}: their permissions change at once"
    if old == "billing" and role != "billing":
        text += ", and they lose their automatic billing role in every workspace"
    return Described(text + ".", "POST", f"{ORG}/users/{uid}")


@describes("remove_user", KeyKind.ADMIN)
async def _remove_user(get: Get, a: Args) -> Described:
    uid = a["user_id"]
    user = await get(f"{ORG}/users/{uid}")
    keys = await count_keys(get, created_by_user_id=uid)
    if keys is None:
        kept = "any active API keys they created keep working"
    elif keys == 1:
        kept = "the 1 active API key they created keeps working"
    else:
        kept = f"the {keys} active API keys they created keep working"
    text = (
        f"Remove {person(user, uid)} from the organization: they lose access to it and all its workspaces at once; "
        f"{kept} until deactivated (see list_api_keys)."
    )
    return Described(text, "DELETE", f"{ORG}/users/{uid}")


@describes("delete_invite", KeyKind.ADMIN)
async def _delete_invite(get: Get, a: Args) -> Described:
    iid = a["invite_id"]
    invite = await get(f"{ORG}/invites/{iid}")
    text = (
        f"Delete the {invite.get('status', '')} invite for {invite.get('email')} ({iid}, role {invite.get('role')}): "
        "it can no longer be accepted."
    )
    return Described(text, "DELETE", f"{ORG}/invites/{iid}")


# --- workspaces, members, API keys ------------------------------------------------------------------------


@describes("update_workspace", KeyKind.ADMIN)
async def _update_workspace(get: Get, a: Args) -> Described:
    wid = a["workspace_id"]
    ws = await get(f"{ORG}/workspaces/{wid}")
    diff = changes(ws, a, ("name", "display_color", "data_residency", "tags"))
    if not diff:
        raise ToolError("Nothing to change: give name, display_color, data_residency or tags.")
    text = f"Update workspace {q(ws.get('name'))} ({wid}): " + "; ".join(diff)
    if a.get("data_residency") is not None:
        text += ". Where its requests may be processed changes for every key in it"
    return Described(text + ".", "POST", f"{ORG}/workspaces/{wid}")


@describes("archive_workspace", KeyKind.ADMIN)
async def _archive_workspace(get: Get, a: Args) -> Described:
    wid = a["workspace_id"]
    ws = await get(f"{ORG}/workspaces/{wid}")
    keys = await count_keys(get, workspace_id=wid)
    text = (
        f"Archive workspace {q(ws.get('name'))} ({wid}): {count(keys, 'active API key')} "
        f"{'stops' if keys == 1 else 'stop'} working immediately; "
        "this cannot be undone."
    )
    return Described(text, "POST", f"{ORG}/workspaces/{wid}/archive")


async def _member_names(get: Get, wid: str, uid: str) -> tuple[str, str]:
    ws = await maybe(get, f"{ORG}/workspaces/{wid}")
    user = await maybe(get, f"{ORG}/users/{uid}")
    where = f"{q(ws.get('name'))} ({wid})" if isinstance(ws, dict) else wid
    return person(user, uid), where


@describes("update_workspace_member", KeyKind.ADMIN)
async def _update_workspace_member(get: Get, a: Args) -> Described:
    wid, uid, role = a["workspace_id"], a["user_id"], a["workspace_role"]
    path = f"{ORG}/workspaces/{wid}/members/{uid}"
    member = await get(path)
    who, where = await _member_names(get, wid, uid)
    text = (
        f"Change the role of {who} in workspace {where} from {member.get('workspace_role')} to {role}: "
        "their access to the workspace changes at once."
    )
    return Described(text, "POST", path)


@describes("remove_workspace_member", KeyKind.ADMIN)
async def _remove_workspace_member(get: Get, a: Args) -> Described:
    wid, uid = a["workspace_id"], a["user_id"]
    path = f"{ORG}/workspaces/{wid}/members/{uid}"
    member = await get(path)
    who, where = await _member_names(get, wid, uid)
    text = (
        f"Remove {who} ({member.get('workspace_role')}) from workspace {where}: they lose access to it at once "
        "and stay in the organization."
    )
    return Described(text, "DELETE", path)


_KEY_STATUS = {
    "inactive": "requests using it fail immediately until it is set active again",
    "archived": "requests using it fail immediately, and archiving is permanent",
    "active": "requests using it work again",
}


@describes("update_api_key", KeyKind.ADMIN)
async def _update_api_key(get: Get, a: Args) -> Described:
    kid = a["api_key_id"]
    key = await get(f"{ORG}/api_keys/{kid}")
    parts = changes(key, a, ("name",))
    status = a.get("status")
    if status is not None:
        parts.append(
            f"status {key.get('status')} → {status}" + (f": {_KEY_STATUS[status]}" if status in _KEY_STATUS else "")
        )
    if not parts:
        raise ToolError("Nothing to change: give name and/or status.")
    scope = key.get("scope") if isinstance(key.get("scope"), dict) else {}
    wid = scope.get("workspace_id") or key.get("workspace_id")
    ws = await maybe(get, f"{ORG}/workspaces/{wid}") if wid else None
    where = f"workspace {q(ws.get('name'))}" if isinstance(ws, dict) else (f"workspace {wid}" if wid else "")
    hint = ", ".join(x for x in (key.get("partial_key_hint"), where) if x)
    text = f"Update API key {q(key.get('name'))} ({kid}{', ' + hint if hint else ''}): " + "; ".join(parts)
    return Described(text + ".", "POST", f"{ORG}/api_keys/{kid}")


# --- core API: batches, files, skills ---------------------------------------------------------------------


def _counts(batch: Mapping[str, Any]) -> str:
    counts = batch.get("request_counts") or {}
    shown = [f"{n} {k}" for k, n in counts.items() if isinstance(n, int) and n]
    return ", ".join(shown) or "no requests"


@describes("cancel_batch", KeyKind.API)
async def _cancel_batch(get: Get, a: Args) -> Described:
    bid = a["message_batch_id"]
    batch = await get(f"/v1/messages/batches/{bid}")
    status = batch.get("processing_status")
    if status == "ended":
        effect = "it has already ended, so nothing is left to cancel"
    else:
        effect = "requests not yet processed are canceled and never run; finished results are kept"
    text = f"Cancel message batch {bid} ({status}; {_counts(batch)}): {effect}."
    return Described(text, "POST", f"/v1/messages/batches/{bid}/cancel")


@describes("delete_batch", KeyKind.API)
async def _delete_batch(get: Get, a: Args) -> Described:
    bid = a["message_batch_id"]
    batch = await get(f"/v1/messages/batches/{bid}")
    text = (
        f"Delete message batch {bid} ({batch.get('processing_status')}, created {batch.get('created_at')}; "
        f"{_counts(batch)}): the batch and its results are deleted and cannot be recovered."
    )
    return Described(text, "DELETE", f"/v1/messages/batches/{bid}")


@describes("delete_file", KeyKind.API)
async def _delete_file(get: Get, a: Args) -> Described:
    fid = a["file_id"]
    meta = await get(f"/v1/files/{fid}")
    text = (
        f"Delete file {q(meta.get('filename'))} ({fid}, {human_size(meta.get('size_bytes'))}): requests that reference "
        "it will fail; this cannot be undone."
    )
    return Described(text, "DELETE", f"/v1/files/{fid}")


@describes("delete_skill", KeyKind.API)
async def _delete_skill(get: Get, a: Args) -> Described:
    sid = a["skill_id"]
    skill = await get(f"/v1/skills/{sid}")
    source = skill.get("source")
    kind = source.get("type") if isinstance(source, dict) else source
    text = (
        f"Delete skill {q(skill.get('display_name') or skill.get('display_title'))} ({sid}, {kind}): requests that "
        "load it will fail; this cannot be undone."
    )
    return Described(text, "DELETE", f"/v1/skills/{sid}")
