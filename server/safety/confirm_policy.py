"""What ``--confirm`` means for a given client, in one sentence: the startup log, doctor and the docs say it.

Whether a person is asked depends on the client too: only a client that declares MCP elicitation can show
this server's question. With one that cannot, ``auto`` runs the write with no question from this server
(the host's own tool-approval prompt, driven by the tool's ``destructiveHint``, is then the only check),
and ``always`` / ``writes`` refuse it with nothing sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext

from claude_api_mcp.core.config import ConfirmPolicy, Settings

log = logging.getLogger("claude_api_mcp")


def per_client(confirm: ConfirmPolicy, can_elicit: bool) -> str:
    """What happens to a write under ``confirm`` with a client that can (or cannot) ask the person."""
    which = "every write" if confirm is ConfirmPolicy.WRITES else "each destructive call (write_api included)"
    if confirm is ConfirmPolicy.NEVER:
        return "nobody is asked: writes run as called (--confirm never)"
    if can_elicit:
        return f"the person confirms {which} in a question from this server"
    if confirm is ConfirmPolicy.AUTO:
        return (
            "this client cannot ask (no elicitation): writes, write_api included, run with no question from this "
            "server; the host's own tool-approval prompt is the only check"
        )
    return f"this client cannot ask (no elicitation): {which} is refused, nothing sent"


def both(confirm: ConfirmPolicy) -> str:
    return (
        f"--confirm {confirm.value}: with clients that can ask, {per_client(confirm, True)}; with clients that "
        f"cannot, {per_client(confirm, False).removeprefix('this client cannot ask (no elicitation): ')}"
        if confirm is not ConfirmPolicy.NEVER
        else per_client(confirm, True)
    )


def replay_scope(settings: Settings) -> str | None:
    """The warning for several instances without a shared store: single use holds per instance only."""
    if settings.state_url is not None or (settings.workers <= 1 and not settings.state_keys):
        return None
    return (
        "confirmations are single use per instance only: with several instances (--workers or --state-key) and "
        "no --state-url, a replayed answer can run once more on each other instance; give --state-url "
        "redis://... to share it"
    )


def client_can_elicit(capabilities: Any) -> bool:
    """The SDK's reading: a bare ``elicitation: {}`` counts as form support; url-only does not."""
    elicitation = capabilities.get("elicitation") if isinstance(capabilities, dict) else None
    if not isinstance(elicitation, dict):
        return False
    return "form" in elicitation or "url" not in elicitation


_META = "io.modelcontextprotocol/"  # 2026-07-28: each request carries the client's info and capabilities


def announcing(settings: Settings) -> ServerMiddleware[Any]:
    """MCP middleware: when a client connects (or, on 2026-07-28, first calls), log what confirmation means
    for that client. Once per client name and capability, so a busy server does not repeat itself."""
    told: set[tuple[str, bool]] = set()

    async def announce(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        params: Mapping[str, Any] = ctx.params or {}
        raw = params.get("_meta")
        meta: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        if ctx.method == "initialize":
            info, caps = params.get("clientInfo"), params.get("capabilities")
        elif ctx.method == "tools/call" and f"{_META}clientCapabilities" in meta:
            info, caps = meta.get(f"{_META}clientInfo"), meta.get(f"{_META}clientCapabilities")
        else:
            return await call_next(ctx)
        name = str((info if isinstance(info, dict) else {}).get("name") or "a client")[:80]
        seen = (name, client_can_elicit(caps))
        if settings.confirm is not ConfirmPolicy.NEVER and seen not in told and len(told) < 1000:
            told.add(seen)
            log.info("client %r: %s", name, per_client(settings.confirm, seen[1]))
        return await call_next(ctx)

    return announce
