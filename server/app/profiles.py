"""Which tools a server lists: the profile, then toolsets / tools / exclude-tools, then configured keys.

Applied once, when the tool list is built, from each tool's own read-only flag (the same flag that sets
``readOnlyHint``), so the annotation and the profile can never disagree. A tool outside the selection
is never registered: a call to it is an unknown tool, with no call-time guard needed.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

from claude_api_mcp.core.config import KeyKind, Profile, Settings
from claude_api_mcp.core.platform_config import NOT_SERVED_WHY, SERVED
from claude_api_mcp.core.tooldef import ToolDef


class SelectionError(ValueError):
    """A flag names a toolset or tool that does not exist."""


@dataclass
class Selection:
    tools: list[ToolDef]
    # toolset -> why it was left out entirely (only toolsets that lost every tool are listed)
    omitted_toolsets: dict[str, str] = field(default_factory=dict)


def toolsets_of(tools: Sequence[ToolDef]) -> list[str]:
    return list(dict.fromkeys(t.toolset for t in tools))


def select(all_tools: Sequence[ToolDef], settings: Settings) -> Selection:
    names = {t.name for t in all_tools}
    known_sets = set(toolsets_of(all_tools))
    unknown_sets: set[str] = set(settings.toolsets or ()) - known_sets - {"all"}
    unknown_tools = ((settings.tools or set()) | settings.exclude_tools) - names
    if unknown_sets:
        raise SelectionError(
            f"unknown toolset(s): {', '.join(sorted(unknown_sets))}; "
            f"choose from {', '.join(toolsets_of(all_tools))} or all"
        )
    if unknown_tools:
        near = {m for n in unknown_tools for m in difflib.get_close_matches(n, names, n=1)}
        hint = f" (did you mean {', '.join(sorted(near))}?)" if near else ""
        raise SelectionError(
            f"unknown tool(s): {', '.join(sorted(unknown_tools))}{hint}; "
            f"choose from {', '.join(t.name for t in all_tools)}"
        )

    wanted_sets = None if settings.toolsets is None or "all" in settings.toolsets else settings.toolsets
    reasons: dict[str, str] = {}
    chosen: list[ToolDef] = []
    for t in all_tools:
        reason = None
        served = _platform_reason(t, settings)  # "": the platform's credentials stand in for the API key
        keyless = settings.key(t.key) is None and not settings.sandbox and not (t.any_key and settings.admin_key)
        if wanted_sets is not None and t.toolset not in wanted_sets:
            reason = "not in --toolsets"
        elif served:
            reason = served
        elif served is None and keyless:  # before the profile: no profile lists it
            reason = f"{t.key.env_var} is not set"
        elif settings.profile is Profile.READ_ONLY and not t.read_only:
            reason = "writes (use --profile admin)"
        elif settings.tools is not None and t.name not in settings.tools:
            reason = "not in --tools"
        elif t.name in settings.exclude_tools:
            reason = "in --exclude-tools"
        if reason is None:
            chosen.append(t)
        else:
            reasons.setdefault(t.toolset, reason)

    kept_sets = {t.toolset for t in chosen}
    omitted = {ts: why for ts, why in reasons.items() if ts not in kept_sets}
    return Selection(tools=chosen, omitted_toolsets=omitted)


def _platform_reason(t: ToolDef, settings: Settings) -> str | None:
    """With --platform: "" for a core tool the platform serves (its credentials stand in for the API key), why
    not for one it does not; the Admin API stays Anthropic's and needs its key even in the sandbox."""
    platform = settings.platform
    if platform is None:
        return None
    if t.key is KeyKind.API:
        return "" if t.name in SERVED[platform.name] else f"not served: {NOT_SERVED_WHY[platform.name]}"
    if settings.admin_key is None:
        return f"{KeyKind.ADMIN.env_var} is not set (the Admin API is Anthropic's own, also with --platform)"
    return None


def missing_keys_message(settings: Settings) -> str | None:
    """Startup refuses to run with no credential at all, unless the sandbox was asked for."""
    if settings.sandbox or settings.admin_key or settings.api_key or settings.platform is not None:
        return None
    return (
        "no credentials: set ANTHROPIC_ADMIN_KEY (an Admin API key, sk-ant-admin…, for the Admin API and reports) "
        "and/or ANTHROPIC_API_KEY (a standard key, sk-ant-api…, for messages, models, batches, files and skills), "
        "or run with --sandbox (CLAUDE_API_MCP_SANDBOX=1) to try every tool on a simulated organization"
    )


__all__ = ["KeyKind", "Selection", "SelectionError", "missing_keys_message", "select", "toolsets_of"]
