"""``completion/complete``: real values for prompt arguments and resource-template parameters.

The values come from the API through the same tool functions (and key checks) as the tools: member
emails, workspace ids (matched by id or name), model ids, and the catalog's operation ids. Each list is
fetched at most once per ``TTL`` seconds for all clients of the server, and capped, so typing in an
argument box does not become one API call per keystroke. An argument with nothing to suggest, a prompt or
template this server does not have (the spec allows -32602 there; an empty list keeps a client's argument
box quiet), or a key the list needs that is not set, answers an empty list: a completion is a hint.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from mcp.server import MCPServer
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context
from mcp.types import CompleteRequestParams, CompleteResult, Completion, PromptReference

from claude_api_mcp.app.profiles import Selection
from claude_api_mcp.core.tooldef import ToolDef

log = logging.getLogger(__name__)

MAX_VALUES = 100  # the spec's limit per answer
TTL = 30.0  # seconds a fetched list is reused
LIST_CAP = 1000  # entries fetched per list at most (all_pages stops at the server's own cap too)

# (value, text it is matched by): a workspace is typed by id or by name, and completes to its id.
Choices = list[tuple[str, str]]
Source = Callable[[Context[Any, Any]], Awaitable[Choices]]


@dataclass
class _Cache:
    entries: dict[str, tuple[float, Choices]] = field(default_factory=dict)

    async def get(self, name: str, source: Source, ctx: Context[Any, Any]) -> Choices:
        now = time.monotonic()
        hit = self.entries.get(name)
        if hit is not None and now - hit[0] < TTL:
            return hit[1]
        choices = (await source(ctx))[:LIST_CAP]
        self.entries[name] = (now, choices)
        return choices


async def _months(_: Context[Any, Any]) -> Choices:
    """The last twelve full months, the most recent (the prompt's default) first."""
    today = datetime.now(timezone.utc).date()
    values = []
    for back in range(1, 13):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        values.append(f"{year:04d}-{month + 1:02d}")
    return [(v, v) for v in values]


def sources(tools: dict[str, ToolDef]) -> dict[str, Source]:
    """What each completable argument draws from, for the tools in this selection."""

    def listing(tool: str, value: Callable[[Any], str | None], label: Callable[[Any], str | None]) -> Source:
        async def fetch(ctx: Context[Any, Any]) -> Choices:
            page = await tools[tool].fn(ctx, all_pages=True)
            return [(v, f"{v} {label(item) or ''}") for item in page.data if (v := value(item))]

        return fetch

    async def operations(_: Context[Any, Any]) -> Choices:
        from claude_api_mcp.client.catalog import load_catalog  # imported when first completed (start-up)

        return [(op.id, op.id) for op in load_catalog().operations]

    found: dict[str, Source] = {"month": _months, "operation_id": operations}
    if "list_users" in tools:
        found["email"] = listing("list_users", lambda u: u.email, lambda u: u.name)
    if "list_workspaces" in tools:
        found["workspace_id"] = listing("list_workspaces", lambda w: w.id, lambda w: w.name)
    if "list_models" in tools:
        found["model_id"] = listing("list_models", lambda m: m.id, lambda m: m.display_name)
    return found


def matching(choices: Choices, typed: str) -> list[str]:
    """Values whose id starts with what was typed first, then those that contain it anywhere (a name)."""
    typed = typed.strip().lower()
    starts = [v for v, text in choices if v.lower().startswith(typed)]
    seen = set(starts)
    contains = [v for v, text in choices if v not in seen and typed in text.lower()]
    return starts + contains


def register_completions(server: MCPServer[Any], selection: Selection, arguments: dict[str, dict[str, str]]) -> None:
    """Serve ``completion/complete``. ``arguments`` maps a prompt name or template URI to its completable
    arguments and the source of each (a key of ``sources``)."""
    tools = {t.name: t for t in selection.tools}
    available = sources(tools)
    cache = _Cache()

    async def complete(ctx: ServerRequestContext[Any, Any], params: CompleteRequestParams) -> CompleteResult:
        ref = params.ref
        key = ref.name if isinstance(ref, PromptReference) else ref.uri
        source_name = arguments.get(key, {}).get(params.argument.name)
        source = available.get(source_name) if source_name else None
        if source is None:
            return CompleteResult(completion=Completion(values=[], total=0, has_more=False))
        context: Context[Any, Any] = Context(request_context=ctx, mcp_server=server)
        try:
            choices = await cache.get(source_name or "", source, context)
        except Exception:  # no key, a refused key, an API outage: nothing to suggest (the tools say why)
            log.debug("completion source %s failed", source_name, exc_info=True)
            return CompleteResult(completion=Completion(values=[], total=0, has_more=False))
        values = matching(choices, params.argument.value)
        return CompleteResult(
            completion=Completion(values=values[:MAX_VALUES], total=len(values), has_more=len(values) > MAX_VALUES)
        )

    server._lowlevel_server.add_request_handler("completion/complete", CompleteRequestParams, complete)
