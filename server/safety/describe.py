"""describe(): the sentence a person confirms for a write, from the describer registered for its tool."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.core.wording import defanged, one_line, plain
from claude_api_mcp.safety import consequences, costs  # noqa: F401  (their describers register on import)
from claude_api_mcp.safety.deps import api
from claude_api_mcp.safety.prepared import Prepared
from claude_api_mcp.safety.questions import CONTEXT_DESCRIBERS, DESCRIBERS, LOCAL_DESCRIBERS, MAX_TEXT, Args, Described


async def describe(ctx: Ctx, tool_name: str, args: Args, prepared: Prepared | None = None) -> Described | None:
    """The description of this call (of ``prepared``, the request it sends, when it was prepared ahead), or
    None for a tool without a describer."""
    if (contextual := CONTEXT_DESCRIBERS.get(tool_name)) is not None:
        described = await contextual(ctx, args, prepared)
        return Described(one_line(described.text, MAX_TEXT), described.method, described.path)
    if (local := LOCAL_DESCRIBERS.get(tool_name)) is not None:
        described = await local(ctx, args, prepared)
        return Described(one_line(described.text, MAX_TEXT), described.method, described.path)
    entry = DESCRIBERS.get(tool_name)
    if entry is None:
        return None
    key, describer = entry
    client = api(ctx, key)

    async def get(path: str, params: Mapping[str, Any] | None = None) -> Any:
        return defanged(await client.request("GET", path, key=key, params=params))

    described = await describer(get, {name: plain(value) for name, value in args.items()})
    return Described(one_line(described.text, MAX_TEXT), described.method, described.path)
