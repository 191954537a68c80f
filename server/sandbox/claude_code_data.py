"""Deterministic Claude Code activity for the sandbox organization: records per UTC day, per actor and terminal.

Developers (and two CI keys) use Claude Code on most weekdays and some weekends, from one or two terminals
and sometimes remotely; each record's figures derive from a hash of (actor, terminal, day).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from claude_api_mcp.sandbox.cost_data import cents_per_token
from claude_api_mcp.sandbox.org import ORG_ID
from claude_api_mcp.sandbox.report_data import digest

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.org import OrgState

_USER_ROLES = ("developer", "claude_code_user", "admin")
_CI_KEYS = ("prod-ci", "eval-harness")
_TERMINALS = ("vscode", "iTerm.app", "tmux", "cursor", "ghostty", "Apple_Terminal", "WezTerm")
_EDIT_TOOLS = ("edit_tool", "multi_edit_tool", "write_tool", "notebook_edit_tool")


def build_actors(org: OrgState) -> list[tuple[dict[str, str], str, tuple[str, ...]]]:
    """(actor object, seed, terminals) for everyone who uses Claude Code, in a stable order."""
    actors: list[tuple[dict[str, str], str, tuple[str, ...]]] = []
    for user in sorted(org.users.values(), key=lambda u: u["email"]):
        if user["role"] in _USER_ROLES:
            h = digest(user["email"], 4)
            terminals = (_TERMINALS[h[0] % 5], _TERMINALS[2 + h[1] % 5])
            actors.append(({"type": "user_actor", "email_address": user["email"]}, user["email"], terminals))
    for key in sorted(org.api_keys.values(), key=lambda k: k["name"]):
        if key["name"] in _CI_KEYS:
            actors.append(({"type": "api_actor", "api_key_name": key["name"]}, key["id"], ("github-actions",)))
    return actors


def records_for(actors: list[tuple[dict[str, str], str, tuple[str, ...]]], day: date) -> list[dict[str, Any]]:
    weekend = day.weekday() >= 5
    records = []
    for actor, seed, terminals in actors:
        h = digest(f"{seed}|{day.isoformat()}", 8)
        if h[0] >= (50 if weekend else 200):
            continue
        rows = [(terminals[0], False)]
        if len(terminals) > 1 and h[1] < 90:
            rows.append((terminals[1], False))
        if h[2] < 40:
            rows.append((terminals[0], True))
        for terminal, remote in rows:
            records.append(_record(actor, f"{seed}|{day.isoformat()}|{terminal}|{remote}", day, terminal, remote))
    return records


def _record(actor: dict[str, str], seed: str, day: date, terminal: str, remote: bool) -> dict[str, Any]:
    b = digest(seed, 24)
    sessions = 1 + b[0] % 6
    added = 20 + b[1] * b[2] // 16
    actions = {
        tool: {"accepted": (b[3 + i] % 30) * (4 - i) // 2, "rejected": b[7 + i] % 4}
        for i, tool in enumerate(_EDIT_TOOLS)
        if i < 3 or b[11] < 30
    }
    models = [("claude-sonnet-4-6", 1)] + ([("claude-opus-4-6", 2)] if b[12] < 100 else []) + [("claude-haiku-4-5", 4)]
    breakdown = []
    for model, share in models:
        tokens = {
            "input": sessions * (8_000 + b[13] * 150) // share,
            "output": sessions * (3_000 + b[14] * 40) // share,
            "cache_read": sessions * (60_000 + b[15] * 900) // share,
            "cache_creation": sessions * (10_000 + b[16] * 100) // share,
        }
        cents = sum(
            tokens[name] * cents_per_token(model, index)
            for name, index in (("input", 0), ("output", 1), ("cache_read", 2), ("cache_creation", 3))
        )
        amount = float(Decimal(cents).quantize(Decimal("0.01")))
        breakdown.append({"model": model, "tokens": tokens, "estimated_cost": {"amount": amount, "currency": "USD"}})
    return {
        "date": f"{day.isoformat()}T00:00:00Z",
        "actor": dict(actor),
        "organization_id": ORG_ID,
        "customer_type": "api",
        "subscription_type": None,
        "terminal_type": terminal,
        "is_remote": remote,
        "core_metrics": {
            "num_sessions": sessions,
            "lines_of_code": {"added": added, "removed": added * (b[17] % 60) // 100},
            "commits_by_claude_code": b[18] % 5,
            "pull_requests_by_claude_code": 1 if b[19] < 70 else 0,
        },
        "tool_actions": actions,
        "model_breakdown": breakdown,
    }
