"""What the catalog holds that the SDK cannot tell: the report endpoints it lacks, which typed tool does
the same job as an operation, and each operation's one-line summary in our own words."""

from __future__ import annotations

import typing
from typing import Any

from claude_api_mcp.tools.reports import UsageGroupBy

_ORG = "/v1/organizations"

# --- typed tools doing the same job: each typed tool names its operation (``@tool(..., op=...)``) --------------


def typed_tools() -> dict[str, str]:
    """Catalog operation id -> the typed tool that is a curated view of it, from the tools themselves."""
    from claude_api_mcp.tools.registry import ALL_TOOLS

    return {t.op: t.name for t in ALL_TOOLS if t.op is not None}


# --- the report endpoints the SDK lacks (their facts: docs/CATALOG_FORMAT.md, "The hand-written report endpoints")


def _strings(*values: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "enum": list(values)} if values else {"type": "string"}}


_TIME = {"type": "string", "format": "date-time"}
_PAGE = {"limit": {"type": "integer"}, "page": {"type": ["string", "null"]}}
_TOKENS = {
    "uncached_input_tokens": {"type": "integer"},
    "cache_creation": {
        "type": "object",
        "properties": {
            "ephemeral_1h_input_tokens": {"type": "integer"},
            "ephemeral_5m_input_tokens": {"type": "integer"},
        },
    },
    "cache_read_input_tokens": {"type": "integer"},
    "output_tokens": {"type": "integer"},
    "server_tool_use": {"type": "object", "properties": {"web_search_requests": {"type": "integer"}}},
}
_NULLABLE = {"type": ["string", "null"]}
# The usage report's group_by values: the SDK has no method for the report, so the typed tool's list is the fact.
_USAGE_GROUPS = typing.get_args(UsageGroupBy)


def _report(op_id: str, path: str, args: dict[str, Any], required: list[str], row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": op_id,
        "method": "GET",
        "path": path,
        "key": "admin",
        "beta": None,
        "writes": False,
        "summary": "",
        "arguments": {"type": "object", "properties": args, "required": required, "additionalProperties": False},
        "locations": dict.fromkeys(args, "query"),
        "body": None,
        "pagination": "token",
        "response": {"kind": "page", "type": None, "fields": row},
        "typed_tool": None,
    }


def _bucket(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "starting_at": _TIME,
            "ending_at": _TIME,
            "results": {"type": "array", "items": {"type": "object", "properties": result}},
        },
    }


HAND_WRITTEN: list[dict[str, Any]] = [
    _report(
        "organization.usage_report.messages",
        f"{_ORG}/usage_report/messages",
        {
            "starting_at": _TIME,
            "ending_at": _TIME,
            "bucket_width": {"type": "string", "enum": ["1d", "1h", "1m"]},
            **_PAGE,
            "group_by": _strings(*_USAGE_GROUPS),
            "api_key_ids": _strings(),
            "workspace_ids": _strings(),
            "models": _strings(),
            "account_ids": _strings(),
            "service_account_ids": _strings(),
            "service_tiers": _strings("standard", "batch", "priority", "priority_on_demand", "flex", "flex_discount"),
            "context_window": _strings("0-200k", "200k-1M"),
            "inference_geos": _strings("global", "us", "not_available"),
            "speeds": _strings("standard", "fast"),
        },
        ["starting_at"],
        _bucket({**_TOKENS, **dict.fromkeys(_USAGE_GROUPS, _NULLABLE)}),
    ),
    _report(
        "organization.cost_report",
        f"{_ORG}/cost_report",
        {
            "starting_at": _TIME,
            "ending_at": _TIME,
            "bucket_width": {"type": "string", "enum": ["1d"]},
            **_PAGE,
            "group_by": _strings("workspace_id", "description"),
        },
        ["starting_at"],
        _bucket(
            {
                "amount": {"type": "string"},
                "currency": {"type": "string"},
                **dict.fromkeys(
                    ("workspace_id", "description", "cost_type", "model", "service_tier", "context_window"),
                    _NULLABLE,
                ),
                "token_type": _NULLABLE,
                "inference_geo": _NULLABLE,
            }
        ),
    ),
    _report(
        "organization.usage_report.claude_code",
        f"{_ORG}/usage_report/claude_code",
        {"starting_at": {"type": "string", "format": "date"}, **_PAGE},
        ["starting_at"],
        {
            "type": "object",
            "properties": {
                "date": _TIME,
                "actor": {"type": "object"},
                "organization_id": {"type": "string"},
                "customer_type": {"type": "string"},
                "subscription_type": _NULLABLE,
                "terminal_type": {"type": "string"},
                "is_remote": {"type": "boolean"},
                "core_metrics": {"type": "object"},
                "tool_actions": {"type": "object"},
                "model_breakdown": {"type": "array"},
            },
        },
    ),
]

# --- summaries ---------------------------------------------------------------------------------------------

_WORDS = {"rbac": "RBAC", "api": "API", "mcp": "MCP", "oauth": "OAuth", "url": "URL", "urls": "URLs", "id": "ID"}
_UNCOUNTED = ("settings", "analytics", "stats", "controls", "usage", "cost", "effective", "work", "me", "chat")
_NAMESPACES = {  # parents that group operations rather than name a resource: they qualify the noun
    "messages": "message",
    "federation": "federation",
    "claude_tag": "Claude Tag",
    "analytics": "analytics",
    "review": "compliance review",
    "managed_settings": "Claude Code managed",
    "spend_limits": "spend limit",
    "google": "Google",
    "chat": "chat",
    "claude_code": "",
    "compliance": "",
    "providers": "",
}
_VERBS = {"reveal_token": "Reveal the token of", "rotate_token": "Rotate the token of", "test": "Send a test event to"}
_OVERRIDES = {
    "messages.create": "Send a message to a model and get its reply",
    "messages.count_tokens": "Count the input tokens a message would use",
    "messages.batches.results": "Download the results of a message batch (JSONL)",
    "files.download": "Download a file's content",
    "files.retrieve_metadata": "Get a file's metadata",
    "files.upload": "Upload a file",
    "organization.retrieve": "Get the organization this admin key belongs to",
    "organization.usage_report.messages": "Messages usage report: token usage by time bucket, model, workspace, key",
    "organization.cost_report": "Cost report: spend in cents by day, workspace and description",
    "organization.usage_report.claude_code": "Claude Code usage report: sessions, lines, commits per user per day",
    "organization.spend_limits.effective.list": "List the effective spend limits (what applies to whom)",
    "organization.analytics.users.list": "Analytics: activity per user (Claude apps, Claude Code)",
    "organization.analytics.summaries.list": "Analytics: organization activity summaries per day",
    "organization.analytics.connectors.list": "Analytics: connector usage",
    "organization.analytics.plugins.list": "Analytics: plugin usage",
    "organization.analytics.skills.list": "Analytics: skill usage",
    "organization.analytics.artifacts.list": "Analytics: artifact usage",
    "organization.analytics.apps.chat.projects.list": "Analytics: chat project usage",
    "beta.organization.analytics.usage.list": "Usage and cost analytics: token usage by time bucket and group",
    "beta.organization.analytics.cost.list": "Usage and cost analytics: cost by time bucket and group",
    "beta.organization.analytics.usage_report.list": "Analytics usage report (legacy, Claude Enterprise)",
    "beta.organization.analytics.cost_report.list": "Analytics cost report (legacy, Claude Enterprise)",
    "beta.organization.analytics.user_usage_report.list": "Analytics usage report per user (legacy)",
    "beta.organization.analytics.user_cost_report.list": "Analytics cost report per user (legacy)",
    "beta.organization.users.sign_out": "Sign a user out of every session",
    "beta.sessions.events.stream": "Stream a session's events as they happen (SSE)",
    "beta.sessions.threads.events.stream": "Stream a session thread's events as they happen (SSE)",
    "beta.sessions.events.send": "Send events (user messages, tool results) to a session",
    "beta.environments.work.poll": "Poll an environment's queue for the next piece of work",
    "beta.environments.work.stats": "Get the work queue statistics of an environment",
    "beta.environments.work.ack": "Acknowledge a piece of work of an environment",
    "beta.environments.work.heartbeat": "Send a heartbeat for a piece of work of an environment",
    "beta.webhooks.unwrap": "Verify and parse a webhook payload",
    "beta.user_profiles.create_enrollment_url": "Create an enrollment URL for a user profile",
    "beta.vaults.credentials.mcp_oauth_validate": "Validate a vault credential's MCP OAuth setup",
    "beta.organization.plugin_marketplaces.validate_archive": "Validate a plugin marketplace archive",
    "beta.organization.plugin_marketplaces.validate_repository": "Validate a plugin marketplace repository",
    "beta.organization.webhooks.regenerate_signing_secret": "Regenerate the signing secret of a webhook",
    "beta.compliance.review.cases.respond": "Respond to a compliance review case",
}


def words(name: str) -> str:
    return " ".join(_WORDS.get(w, w) for w in name.split("_"))


def singular(name: str) -> str:
    if name.endswith(_UNCOUNTED):
        return name
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("sses", "ches", "shes", "xes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def _a(noun: str) -> str:
    if noun.endswith(_UNCOUNTED) or noun.split()[-1].endswith("s"):
        return f"the {noun}"
    first = noun.split()[0]
    vowel_sound = first[:1].lower() in "aeio" or (first.isupper() and first[:1] in "AEFHILMNORSX")
    return ("an " if vowel_sound else "a ") + noun


def summary(op_id: str, method: str) -> str:
    if op_id in _OVERRIDES:
        return _OVERRIDES[op_id]
    parts = op_id.split(".")
    if parts[0] == "beta":
        parts = parts[1:]
    verb, resources = parts[-1], list(parts[:-1])
    if len(resources) > 1 and resources[0] == "organization":
        resources = resources[1:]
    res = resources[-1]
    qualifier = ""
    parents = resources[:-1]
    while parents and parents[-1] in _NAMESPACES:
        qualifier = f"{_NAMESPACES[parents.pop()]} {qualifier}".lstrip()
    plural = f"{qualifier}{words(res)}"
    one = f"{qualifier}{words(singular(res))}"
    parent = words(singular(parents[-1])) if parents else ""
    of = f" of {_a(parent)}" if parent else ""
    if verb == "list":
        return f"List {plural}{of}"
    if verb == "retrieve":
        return f"Get {_a(one)}{of}"
    if parent and verb in ("add", "create"):
        return f"{'Add' if verb == 'add' else 'Create'} {_a(one)} {'to' if verb == 'add' else 'in'} {_a(parent)}"
    if parent and verb in ("remove", "delete"):
        return f"{verb.capitalize()} {_a(one)} from {_a(parent)}"
    if verb in _VERBS:
        return f"{_VERBS[verb]} {_a(one)}{of}"
    action = words(verb)
    return f"{action[:1].upper()}{action[1:]} {_a(one)}{of}"
