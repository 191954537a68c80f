"""Every sandbox route, one module per API area (each exports ROUTES)."""

from starlette.routing import BaseRoute

from claude_api_mcp.sandbox.routes import (
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

ROUTES: list[BaseRoute] = [
    *organization.ROUTES,
    *users.ROUTES,
    *invites.ROUTES,
    *workspaces.ROUTES,
    *workspace_members.ROUTES,
    *api_keys.ROUTES,
    *rate_limits.ROUTES,
    *reports.ROUTES,
    *models.ROUTES,
    *messages.ROUTES,
    *batches.ROUTES,
    *files.ROUTES,
    *skills.ROUTES,
]
