"""ALL_TOOLS: the single registry, in the order tools are listed. One module per toolset."""

from claude_api_mcp.core.tooldef import ToolDef
from claude_api_mcp.tools import (
    api,
    api_keys,
    batches,
    files,
    invites,
    messages,
    models,
    organization,
    rate_limits,
    reports,
    skills,
    users,
    workspace_members,
    workspaces,
)

ALL_TOOLS: list[ToolDef] = [
    # Admin API (ANTHROPIC_ADMIN_KEY)
    *organization.TOOLS,
    *users.TOOLS,
    *invites.TOOLS,
    *workspaces.TOOLS,
    *workspace_members.TOOLS,
    *api_keys.TOOLS,
    *rate_limits.TOOLS,
    *reports.TOOLS,
    # Core API (ANTHROPIC_API_KEY)
    *models.TOOLS,
    *messages.TOOLS,
    *batches.TOOLS,
    *files.TOOLS,
    *skills.TOOLS,
    # The whole API from the operation catalog (either key; each call uses its operation's)
    *api.TOOLS,
]
