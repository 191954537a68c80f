"""The single path every write takes: dry run, then the call.

Keeping one path means the safety features (confirmation, workspace pinning, the audit log) attach in
one place and no write tool can skip them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from server.config import KeyKind
from tools._base import Ctx, api

M = TypeVar("M", bound=BaseModel)


class DryRunPlan(BaseModel):
    method: str
    path: str
    body: Any = None
    sent: bool = Field(False, description="Always false: a dry run sends nothing.")


class Writable(BaseModel):
    """Mixed into write results: on a dry run the object fields hold the target's current state."""

    dry_run: DryRunPlan | None = Field(None, description="Present on dry runs only: what would be sent.")


@dataclass(frozen=True)
class WriteRequest:
    method: str
    path: str
    key: KeyKind
    body: dict[str, Any] | None = None
    files: Any = None  # multipart parts (uploads); shown in a dry run as ``shown_body``
    data: dict[str, Any] | None = None  # multipart form fields
    shown_body: Any = None  # what a dry run reports as the body when it is not JSON (e.g. file names and sizes)
    idempotent: bool = False
    current_path: str | None = None  # GET this for the target's current state (dry runs, confirmations)


async def current_state(ctx: Ctx, req: WriteRequest) -> dict[str, Any] | None:
    if req.current_path is None:
        return None
    state: dict[str, Any] = await api(ctx, req.key).request("GET", req.current_path, key=req.key)
    return state


async def write(ctx: Ctx, req: WriteRequest, result: type[M], *, dry_run: bool) -> M:
    """Send ``req`` (or, on a dry run, describe it with the target's current state) and parse the answer."""
    client = api(ctx, req.key)
    if dry_run:
        current = await current_state(ctx, req) or {}
        plan = DryRunPlan(method=req.method, path=req.path, body=req.body if req.shown_body is None else req.shown_body)
        return result.model_validate({**current, "dry_run": plan})
    body = await client.request(
        req.method,
        req.path,
        key=req.key,
        json_body=req.body,
        files=req.files,
        data=req.data,
        idempotent=req.idempotent,
    )
    return result.model_validate(body or {})
