"""Prompts that clients show as slash commands, registered only when the tools they use are listed.

Each prompt is a short, concrete plan in terms of this server's tools and argument names, so a model can
follow it without guessing. Where the profile lists the write tools a plan needs, the prompt says how to
use them (dry run first, then only with the user's confirmation); in the read-only profile it asks for a
list of actions for an admin instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Annotated, Any

from mcp import MCPError
from mcp.server import MCPServer
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver.prompts.base import Prompt
from mcp.types import INVALID_PARAMS
from pydantic import Field

from claude_api_mcp.app.profiles import Selection
from claude_api_mcp.app.resources import register_resources

# Arguments are checked in the prompt, not by pydantic: an MCPError reaches the client with its message,
# while a validation error inside prompt rendering becomes a bare "Internal server error".
Month = Annotated[str, Field(description="Month to review, YYYY-MM (default: the last full month).")]
Email = Annotated[str, Field(description="Email address of the person leaving.")]
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _invalid(message: str) -> MCPError:
    return MCPError(code=INVALID_PARAMS, message=message)


def _month_start(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


def _rfc3339(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def cost_review(names: frozenset[str]) -> Callable[..., str]:
    def monthly_cost_review(month: Month = "") -> str:
        today = datetime.now(timezone.utc).date()
        if month and not MONTH.match(month.strip()):
            raise _invalid(f"month must be YYYY-MM, e.g. 2026-10; got {month!r}")
        if month:
            year, mon = (int(x) for x in month.strip().split("-"))
        else:
            year, mon = today.year, today.month - 1
        start, end, before = _month_start(year, mon), _month_start(year, mon + 1), _month_start(year, mon - 1)
        month_range = f'starting_at="{_rfc3339(start)}", ending_at="{_rfc3339(end)}"'
        steps = [
            f'Call get_cost with {month_range}, group_by=["workspace_id", "description"].',
            f'Call get_cost with starting_at="{_rfc3339(before)}", ending_at="{_rfc3339(start)}", '
            'group_by=["workspace_id", "description"]: the month before, to compare.',
        ]
        if "get_usage" in names:
            steps.append(
                f'Call get_usage with {month_range}, group_by=["model"], then again with group_by=["api_key_id"]: '
                "which models and keys drove the tokens (cache reads and writes included)."
            )
        if "get_claude_code_usage" in names:
            steps.append(
                "If Claude Code is in use, mention get_claude_code_usage for per-user detail (one day per call)."
            )
        return (
            f"Review the Claude API costs of this organization for {start:%B %Y} "
            f"({start.isoformat()} to {end.isoformat()}, UTC, end exclusive).\n\n"
            + "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
            + "\n\nThen write a short review:\n"
            "- total spend in USD and the change from the month before;\n"
            "- the largest cost lines by workspace (get_cost names each one) and by description (model, token "
            "type), with their share;\n"
            "- anything unusual: a workspace or key with a sudden jump, spend where none is expected, "
            "a rise in cache writes without cache reads;\n"
            "- two or three concrete ways to spend less (prompt caching, the Batches API at half price, a smaller "
            "model for simple calls), each tied to a line above.\n"
            "Say plainly if any report came back incomplete."
        )

    return monthly_cost_review


def key_audit(names: frozenset[str]) -> Callable[..., str]:
    def api_key_audit() -> str:
        steps = [
            "Call list_api_keys with all_pages=true (every status).",
            "Call list_users with all_pages=true: the current members.",
        ]
        if "list_workspaces" in names:
            steps.append("Call list_workspaces with all_pages=true and include_archived=true to name workspaces.")
        if "update_api_key" in names:
            act = (
                "Change nothing yet. Propose the update_api_key calls you would make (status inactive for keys to "
                "stop, archived for keys to retire), run each with dry_run=true, show me the plan, and send a call "
                "only after I confirm it."
            )
        else:
            act = "This server is read-only: end with the changes an admin should make in the Claude Console."
        return (
            "Audit this organization's API keys.\n\n"
            + "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
            + "\n\nReport, as short tables (name, partial_key_hint, workspace, creator, created_at, expires_at):\n"
            "- keys of removed users: the creator (created_by.id, or principal.user_id) is a user who is no longer "
            "a member; a member's keys stay active after they are removed;\n"
            "- keys without expiry: active keys whose expires_at is null;\n"
            "- inactive and expired keys, and active keys in archived workspaces;\n"
            "- how many keys are active in each workspace.\n"
            "Never show more of a key than partial_key_hint. " + act
        )

    return api_key_audit


def offboarding(names: frozenset[str]) -> Callable[..., str]:
    writes = [
        ("delete_invite", "delete_invite for each pending invite"),
        ("update_api_key", 'update_api_key with status="inactive" for each active key they created'),
        ("remove_workspace_member", "remove_workspace_member for each workspace membership"),
        ("remove_user", "remove_user last"),
    ]

    def offboard_user(email: Email) -> str:
        email = email.strip()
        if not EMAIL.match(email):
            raise _invalid(f"email must be an email address; got {email!r}")
        find = (
            f"Offboard {email} from this organization. First find everything they hold:\n\n"
            f'1. Call list_users with email="{email}": their user id and role (none: they may only have an invite).\n'
            f'2. Call list_invites with email="{email}": invites still pending.\n'
            "3. Call list_api_keys with created_by_user_id=<their user id> and all_pages=true: their keys "
            "(keys outlive the member, so this matters most).\n"
            "4. Call list_workspaces with all_pages=true, then list_workspace_members for each workspace "
            "(all_pages=true): their workspace roles.\n\n"
            "Show what you found as one checklist.\n\n"
        )
        allowed = [text for tool, text in writes if tool in names]
        if not allowed:
            return find + (
                "This server is read-only: end with the exact actions an admin should take (delete the invites, "
                "deactivate the keys, remove the workspace memberships, then remove the member)."
            )
        return find + (
            "Then, only after I confirm, act in this order, each call first with dry_run=true to show me the plan: "
            + "; ".join(allowed)
            + ". Admins and owners cannot be removed through the API: if they hold such a role, say so and stop "
            "before remove_user."
        )

    return offboard_user


@dataclass(frozen=True)
class PromptSpec:
    make: Callable[[frozenset[str]], Callable[..., str]]
    title: str
    description: str
    needs: frozenset[str]


PROMPTS = [
    PromptSpec(
        cost_review,
        "Monthly cost review",
        "Review a month's API spend by workspace and cost line, compare with the month before, suggest savings.",
        frozenset({"get_cost"}),
    ),
    PromptSpec(
        key_audit,
        "API key audit",
        "Find keys of removed users, keys without expiry, and inactive or expired keys.",
        frozenset({"list_api_keys", "list_users"}),
    ),
    PromptSpec(
        offboarding,
        "Offboard a user",
        "Find a leaving member's invites, API keys and workspace memberships, and plan (or make) the changes.",
        frozenset({"list_users", "list_invites", "list_api_keys", "list_workspaces", "list_workspace_members"}),
    ),
]


def check_prompt_request(prompts: Mapping[str, Prompt], params: Mapping[str, Any]) -> None:
    """Refuse a prompts/get the SDK would answer with an unspecified error code (0, or -32603 with the text
    withheld on 2026-07-28): an unknown prompt, a missing required argument, an argument it does not take.
    The spec's answer is -32602 with the reason."""
    name, arguments = params.get("name"), params.get("arguments") or {}
    if not isinstance(name, str) or not isinstance(arguments, Mapping):
        return  # malformed params: the SDK's own validation answers -32602
    prompt = prompts.get(name)
    if prompt is None:
        known = ", ".join(prompts) or "none on this server"
        raise _invalid(f"Unknown prompt: {name[:100]!r}. The prompts are: {known}.")
    accepted = {a.name: a for a in prompt.arguments or []}
    if unknown := sorted(set(arguments) - set(accepted)):
        takes = ", ".join(accepted) or "no arguments"
        raise _invalid(f"Prompt {name} has no argument {', '.join(unknown)[:200]}; it takes: {takes}.")
    if missing := [a for a in accepted.values() if a.required and a.name not in arguments]:
        needed = "; ".join(f"{a.name} ({a.description.rstrip('.')})" if a.description else a.name for a in missing)
        raise _invalid(f"Prompt {name} needs the argument {needed}.")


def registered(selection: Selection) -> list[str]:
    """The names of the prompts ``register_prompts`` registers for ``selection``."""
    names = frozenset(t.name for t in selection.tools)
    return [spec.make(names).__name__ for spec in PROMPTS if spec.needs <= names]


def register_prompts(server: MCPServer[Any], selection: Selection) -> None:
    """Register the prompts and resources whose tools are all in ``selection``."""
    names = frozenset(t.name for t in selection.tools)
    prompts: dict[str, Prompt] = {}
    for spec in PROMPTS:
        if spec.needs <= names:
            fn = spec.make(names)
            prompt = Prompt.from_function(fn, title=spec.title, description=spec.description)
            server.add_prompt(prompt)
            prompts[prompt.name] = prompt

    async def refuse_bad_prompt_requests(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "prompts/get":
            check_prompt_request(prompts, ctx.params or {})
        return await call_next(ctx)

    server.middleware.append(refuse_bad_prompt_requests)
    register_resources(server, selection)
