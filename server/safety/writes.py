"""The single path every write takes: workspace pinning, then the dry run or the call.

A write is one ``Prepared`` value (``server/safety/prepared.py``); after a confirmation, what is sent is
the value the person confirmed. Keeping one path means the safety features attach in one place and no
write tool can skip them:

* workspace pinning (``server/safety/pinning.py``) is checked here on the request itself, so a refused write
  is refused in a dry run too, and nothing outside the pinned workspaces is ever sent;
* a dry run returns the request, the target's current state and, for destructive tools, the sentence the
  person would be asked to confirm;
* the HTTP status and request id of what was sent go to the audit line (``server/safety/audit.py``).

Confirmation itself happens before the tool body runs (``server/safety/confirm.py``), because elicitation on
2026-07-28 connections is a round trip that only resolvers can make.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from claude_api_mcp.client.models import Deleted
from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.safety import audit, pinning
from claude_api_mcp.safety.deps import api, settings
from claude_api_mcp.safety.describe import describe
from claude_api_mcp.safety.prepared import Captured, Prepared, confirmed, is_capturing

M = TypeVar("M", bound=BaseModel)


class DryRunPlan(BaseModel):
    method: str
    path: str
    body: Any = None
    headers: dict[str, str] | None = Field(None, description="Extra headers (anthropic-beta), when any.")
    sent: bool = Field(False, description="Always false: a dry run sends nothing.")

    @model_serializer(mode="wrap")
    def _without_absent_headers(self, handler: SerializerFunctionWrapHandler) -> Any:
        data: dict[str, Any] = handler(self)
        if data.get("headers") is None:
            data.pop("headers", None)
        return data


class Writable(BaseModel):
    """Mixed into write results: on a dry run the object fields hold the target's current state."""

    dry_run: DryRunPlan | None = Field(None, description="Present on dry runs only: what would be sent.")
    confirmation: str | None = Field(
        None, description="Dry runs of destructive tools: what the person would be asked to confirm."
    )


class DeletedResult(Deleted, Writable):
    """A delete tool's result: the API's deletion object (or, on a dry run, the target's current state)."""


async def current_state(ctx: Ctx, req: Prepared) -> dict[str, Any] | None:
    if req.current_path is None:
        return None
    state: dict[str, Any] = await api(ctx, req.key).request("GET", req.current_path, key=req.key, headers=req.headers)
    return state


async def write(ctx: Ctx, req: Prepared, result: type[M], *, dry_run: bool) -> M:
    """Send ``req`` (or, on a dry run, describe it with the target's current state) and parse the answer.

    While the confirmation step prepares the call (``prepared.capturing()``), nothing is checked or sent:
    the value goes back to it. After a confirmation, what is sent is the value the person confirmed.
    """
    if is_capturing():
        raise Captured(req)
    agreed = confirmed()
    if agreed is not None and not dry_run:
        if agreed.parts is None and agreed.digest() != req.digest():
            # A body rebuilt from the same arguments differs: send neither (it would not be what was shown).
            raise audit.Refused(
                "Refused: the request differs from the one the person confirmed. Nothing was sent; call again."
            )
        req = agreed
    client = api(ctx, req.key)
    why = await pinning.refusal(client, settings(ctx), req.method, req.path)
    if why is not None:
        raise audit.Refused(why)
    attempt = audit.current()
    if dry_run:
        current = await current_state(ctx, req) or {}
        plan = DryRunPlan(method=req.method, path=req.path, body=req.shown_body, headers=req.headers)
        asks = attempt is not None and attempt.confirmable
        args = {**attempt.arguments, **attempt.resolved} if attempt is not None else {}
        described = await describe(ctx, attempt.tool, args, req) if attempt is not None and asks else None
        extra = {"confirmation": described.text} if described is not None else {}
        return result.model_validate({**current, **extra, "dry_run": plan})

    def sent(response: httpx.Response) -> None:
        if attempt is not None:
            attempt.sent(req.method, req.path, response.status_code, response.headers.get("request-id"))

    if attempt is not None:
        attempt.sending(req.method, req.path)  # write-ahead: on disk before the request leaves
    body = await req.send(client, on_response=sent)
    return result.model_validate(body or {})
