"""MCP Apps: the report dashboard view, served as a ``ui://`` resource and linked from the report tools.

The view is one self-contained HTML page (plain SVG drawn by inline script: no library, no font, nothing
from the network), so its ``_meta.ui.csp`` asks for no domain and it runs under a host's strictest default
policy. Hosts without the extension see the same tools and results as before: only the tools' ``_meta``
names the view, and ``_meta`` is not part of what the model reads.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from mcp.server.apps import Apps, ResourceCsp

from claude_api_mcp.core.tooldef import ToolDef

TITLE = "Claude API report dashboard"


@cache
def page() -> str:
    return resources.files(__package__).joinpath("ui/reports.html").read_text(encoding="utf-8")


def extension(tools: list[ToolDef]) -> Apps | None:
    """The MCP Apps extension with the views the selected ``tools`` link, or None when none does."""
    uris = sorted({t.ui for t in tools if t.ui is not None})
    if not uris:
        return None
    apps = Apps()
    for uri in uris:
        apps.add_html_resource(
            uri,
            page(),
            name="report-dashboard",
            title=TITLE,
            description="Charts of a usage, cost or Claude Code report result.",
            csp=ResourceCsp(),  # no domain: nothing is fetched, everything is inline
            prefers_border=True,
        )
    return apps


def tool_meta(tool: ToolDef) -> dict[str, Any] | None:
    return {"ui": {"resourceUri": tool.ui}} if tool.ui is not None else None
