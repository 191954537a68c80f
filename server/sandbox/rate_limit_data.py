"""The sandbox organization's rate limits (SDK 2.10.0 shapes) and its workspaces' overrides.

Group ids (``rlg_…``) are the same in every organization; entry ids are the organization's own. Both are
derived from names here so they never change between runs.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from claude_api_mcp.sandbox.org import ORG_ID
from claude_api_mcp.sandbox.report_data import digest

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.state import SandboxState as Sandbox

_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_M = 1_000_000
# group type, display name (model groups), models, {limiter type: value}
_GROUPS: tuple[tuple[str, str | None, list[str] | None, dict[str, int]], ...] = (
    (
        "model_group",
        "Claude Opus 4.x",
        [
            "claude-opus-4-6",
            "claude-opus-4-5",
            "claude-opus-4-5-20251101",
            "claude-opus-4-1",
            "claude-opus-4-1-20250805",
        ],
        {"requests_per_minute": 4000, "input_tokens_per_minute": 2 * _M, "output_tokens_per_minute": 400_000},
    ),
    (
        "model_group",
        "Claude Sonnet 4.x",
        ["claude-sonnet-4-6", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "claude-sonnet-4-0"],
        {"requests_per_minute": 4000, "input_tokens_per_minute": 2 * _M, "output_tokens_per_minute": 400_000},
    ),
    (
        "model_group",
        "Claude Haiku 4.x",
        ["claude-haiku-4-5", "claude-haiku-4-5-20251001"],
        {"requests_per_minute": 4000, "input_tokens_per_minute": 4 * _M, "output_tokens_per_minute": 800_000},
    ),
    ("batch", None, None, {"requests_per_minute": 4000, "enqueued_batch_requests": 500_000}),
    ("token_count", None, None, {"requests_per_minute": 8000}),
    ("files", None, None, {"requests_per_minute": 1000}),
    ("skills", None, None, {"requests_per_minute": 500}),
    ("web_search", None, None, {"tool_uses_per_second": 30}),
)
# workspace name → {group name or type: {limiter type: override}}
_OVERRIDES = {
    "Prod": {
        "Claude Sonnet 4.x": {"requests_per_minute": 2000, "input_tokens_per_minute": _M},
        "Claude Opus 4.x": {"output_tokens_per_minute": 200_000},
    },
    "Staging": {
        "Claude Sonnet 4.x": {"requests_per_minute": 500, "input_tokens_per_minute": 200_000},
        "batch": {"enqueued_batch_requests": 50_000},
    },
    "Research": {"Claude Opus 4.x": {"input_tokens_per_minute": 400_000}},
}
GROUP_TYPES = ("model_group", "batch", "token_count", "files", "skills", "web_search")


def _id(prefix: str, seed: str) -> str:
    return prefix + "01" + "".join(_B62[b % 62] for b in digest(seed, 22))


class RateLimitState:
    def __init__(self, box: Sandbox) -> None:
        self.entries: list[dict[str, Any]] = []
        for group_type, name, models, limits in _GROUPS:
            group: dict[str, Any] = {"type": group_type, "id": _id("rlg_", name or group_type)}
            if name is not None:
                group["display_name"] = name
            self.entries.append(
                {
                    "type": "rate_limit",
                    "id": _id("rl_", f"{ORG_ID}|{name or group_type}"),
                    "group": group,
                    "models": models,
                    "limits": [{"type": t, "value": v} for t, v in limits.items()],
                }
            )
        by_label = {e["group"].get("display_name") or e["group"]["type"]: e["id"] for e in self.entries}
        names = {ws["name"]: ws_id for ws_id, ws in box.org.workspaces.items()}
        # (workspace id, entry id) → {limiter type: value}
        self.overrides: dict[tuple[str, str], dict[str, int]] = {
            (names[ws], by_label[label]): dict(values)
            for ws, groups in _OVERRIDES.items()
            if ws in names
            for label, values in groups.items()
        }

    def workspace_entries(self, workspace_id: str, include_inherited: bool) -> list[dict[str, Any]]:
        out = []
        for entry in self.entries:
            overrides = self.overrides.get((workspace_id, entry["id"]), {})
            limits = []
            for limit in entry["limits"]:
                own = overrides.get(limit["type"])
                if own is None and not include_inherited:
                    continue
                limits.append(
                    {
                        "type": limit["type"],
                        "value": limit["value"] if own is None else own,
                        "org_limit": limit["value"],
                        "source": {"type": "organization" if own is None else "workspace"},
                    }
                )
            if limits:
                out.append(
                    {
                        "type": "workspace_rate_limit",
                        "workspace_id": workspace_id,
                        "rate_limit_id": entry["id"],
                        "group": dict(entry["group"]),
                        "models": entry["models"],
                        "limits": limits,
                    }
                )
        return out


def rate_limits(box: Sandbox) -> RateLimitState:
    state: RateLimitState = box.area("rate_limits", RateLimitState)
    return state
