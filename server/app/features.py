"""The protocol features beyond tools: client logging, completions, resource templates, subscriptions."""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer
from mcp.server.subscriptions import SubscriptionBus

from claude_api_mcp.app.client_logs import register_logging
from claude_api_mcp.app.completions import register_completions
from claude_api_mcp.app.profiles import Selection
from claude_api_mcp.app.prompts import registered
from claude_api_mcp.app.resources import SUMMARY_URI
from claude_api_mcp.app.subscriptions import Subscriptions, register_subscriptions
from claude_api_mcp.app.templates import register_templates

# prompt -> its completable arguments and their sources (app/completions.py)
PROMPT_ARGUMENTS = {"monthly_cost_review": {"month": "month"}, "offboard_user": {"email": "email"}}


def register_features(server: MCPServer[Any], selection: Selection, bus: SubscriptionBus) -> Subscriptions:
    """``bus`` is the server's own (passed to its constructor): 2026-07-28 listeners hear what it carries.
    The subscriptions returned hold the relay the lifespan runs with a shared store."""
    register_logging(server)
    prompts = registered(selection)
    completable = {name: args for name, args in PROMPT_ARGUMENTS.items() if name in prompts}
    completable.update(register_templates(server, selection))
    register_completions(server, selection, completable)
    summary_served = any(t.name == "get_organization" for t in selection.tools)  # as in app/resources.py
    return register_subscriptions(server, bus, selection.tools, [SUMMARY_URI] if summary_served else [])
