"""What a call to a tool this server does not list is told: that the tool exists, and what would enable it.

The SDK's answer (``Unknown tool: send_message``) leaves a model guessing whether it misspelled the name. The
reason names the profile, the key or the narrowing flag, never the other tools (the list is the selection's
business; the caller asked about one tool).
"""

from __future__ import annotations

from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.tooldef import ToolDef


def reasons(tool: ToolDef, settings: Settings) -> list[str]:
    """Every reason ``tool`` is not listed under ``settings`` (empty when it is listed)."""
    out: list[str] = []
    if settings.profile is Profile.READ_ONLY and not tool.read_only:
        if settings.oauth_issuer is not None:  # a signed-in reader: their token's scopes chose this profile
            out.append("it writes, and your sign-in grants the read-only tools (the claude-api:admin scope lists it)")
        else:
            out.append("it writes, so only the admin profile lists it (--profile admin)")
    keyless = settings.key(tool.key) is None and not settings.sandbox and not (tool.any_key and settings.admin_key)
    if keyless and settings.platform is None:  # with a platform, its credentials stand in for the API key
        out.append(f"it needs {tool.key.label}: set {tool.key.env_var}")
    if settings.toolsets is not None and "all" not in settings.toolsets and tool.toolset not in settings.toolsets:
        out.append(f"its toolset {tool.toolset} is not in --toolsets")
    if settings.tools is not None and tool.name not in settings.tools:
        out.append("it is not in --tools")
    if tool.name in settings.exclude_tools:
        out.append("it is in --exclude-tools")
    return out


def not_enabled(tool: ToolDef, settings: Settings) -> str:
    why = "; ".join(reasons(tool, settings)) or "it is not in this server's selection"
    return f"{tool.name} exists but is not enabled on this server: {why}. Nothing was sent."
