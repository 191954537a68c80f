"""Context cost: what the tool list and the answers to typical questions cost a conversation, in bytes/tokens.

Tokens are estimated as bytes / 4. A tool's size is its tools/list entry as JSON on the wire (name, title,
description, inputSchema, outputSchema, annotations, _meta); "model-visible" counts only name, description and
inputSchema, the part hosts put in the model's prompt. An answer's size is the text content the model reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from mcp import Client

from bench.measure import Session


def jbytes(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def tokens(n_bytes: float) -> float:
    return n_bytes / 4


@dataclass
class ToolList:
    sizes: dict[str, int]  # tool name -> bytes of its tools/list entry
    visible: dict[str, int]  # tool name -> bytes of name + description + inputSchema

    @property
    def total(self) -> int:
        return sum(self.sizes.values())

    @property
    def total_visible(self) -> int:
        return sum(self.visible.values())

    def largest(self, k: int = 5) -> list[tuple[str, int]]:
        return sorted(self.sizes.items(), key=lambda kv: -kv[1])[:k]


async def tool_list(client: Client) -> ToolList:
    listed = await client.list_tools(cache_mode="bypass")
    sizes, visible = {}, {}
    for tool in listed.tools:
        wire = tool.model_dump(mode="json", by_alias=True, exclude_none=True)
        sizes[tool.name] = jbytes(wire)
        visible[tool.name] = jbytes({k: wire.get(k) for k in ("name", "description", "inputSchema")})
    return ToolList(sizes, visible)


# --- typical questions ----------------------------------------------------------------------------------


def thirty_days() -> tuple[str, str]:
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"), today.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Question:
    key: str
    label: str
    raw_path: str
    raw_params: dict[str, Any]
    ours: tuple[str, dict[str, Any]]
    peer: tuple[str, dict[str, Any]]
    cursor: str  # "id" (after_id/last_id) or "token" (page/next_page)


@dataclass
class Answer:
    bytes: int | None = None
    calls: int = 0
    why: str = ""  # the reason when bytes is None


def questions(workspace_id: str | None) -> list[Question]:
    start, end = thirty_days()
    ws = workspace_id or "unknown"
    return [
        Question(
            "active_keys",
            "Active keys of a workspace",
            "/v1/organizations/api_keys",
            {"workspace_id": ws, "status": "active", "limit": 1000},
            ("list_api_keys", {"workspace_id": ws, "status": "active", "all_pages": True}),
            ("list_api_keys", {"workspace_id": ws, "status": "active", "limit": 100}),
            "id",
        ),
        Question(
            "usage_by_model",
            "Usage by model, 30 days",
            "/v1/organizations/usage_report/messages",
            {"starting_at": start, "ending_at": end, "bucket_width": "1d", "group_by[]": ["model"], "limit": 31},
            ("get_usage", {"starting_at": start, "ending_at": end, "group_by": ["model"]}),
            ("get_usage_report", {"starting_at": start, "ending_at": end, "group_by": ["model"], "limit": 31}),
            "token",
        ),
        Question(
            "cost_by_workspace",
            "Cost by workspace, 30 days",
            "/v1/organizations/cost_report",
            {"starting_at": start, "ending_at": end, "group_by[]": ["workspace_id"], "limit": 31},
            ("get_cost", {"starting_at": start, "ending_at": end, "group_by": ["workspace_id"]}),
            ("get_cost_report", {"starting_at": start, "ending_at": end, "group_by": ["workspace_id"], "limit": 31}),
            "token",
        ),
    ]


async def pick_workspace(http: httpx.AsyncClient) -> str | None:
    """The workspace with the most active keys (the sandbox's "Prod"); None if the upstream cannot say."""
    response = await http.get("/v1/organizations/api_keys", params={"status": "active", "limit": 1000})
    if response.status_code != 200:
        return None
    counts: dict[str, int] = {}
    for key in response.json().get("data") or []:
        ws = (key.get("scope") or {}).get("workspace_id") or key.get("workspace_id")
        if ws:
            counts[ws] = counts.get(ws, 0) + 1
    return max(counts, key=lambda w: counts[w]) if counts else None


async def raw_pages(http: httpx.AsyncClient, q: Question, max_pages: int = 200) -> Answer:
    """Every page the API would send for the question, following the cursor: the bytes a model would read."""
    params, total, calls = dict(q.raw_params), 0, 0
    while calls < max_pages:
        response = await http.get(q.raw_path, params=params)
        calls += 1
        if response.status_code != 200:
            return Answer(why=f"n/a: upstream answered {response.status_code} for {q.raw_path}")
        total += len(response.content)
        page = response.json()
        if not page.get("has_more"):
            break
        if q.cursor == "id":
            params["after_id"] = page.get("last_id")
        else:
            params["page"] = page.get("next_page")
    return Answer(total, calls)


def _text(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


async def answer(session: Session | None, tool: tuple[str, dict[str, Any]], cursor: str | None = None) -> Answer:
    """The text the model reads from ``tool``; with ``cursor`` ("token"), follow the peer's page tokens too."""
    if session is None:
        return Answer(why="n/a: server not running")
    name, args = tool
    listed = {t.name for t in (await session.client.list_tools()).tools}
    if name not in listed:
        return Answer(why=f"n/a: tool not available ({name})")
    args, total, calls = dict(args), 0, 0
    while calls < 50:
        try:
            result = await session.client.call_tool(name, args)
        except Exception as exc:  # a protocol error (say, a tool still being built): report it, keep measuring
            return Answer(why=f"n/a: {name} raised {type(exc).__name__}: {str(exc)[:120]}")
        calls += 1
        text = _text(result)
        if result.is_error:
            return Answer(why=f"n/a: {name} failed: {text[:120]}")
        total += len(text.encode())
        body = result.structured_content or {}
        if cursor != "token" or not body.get("has_more") or not body.get("next_page"):
            break
        args["page"] = body["next_page"]
    return Answer(total, calls)


# --- the generic api tools (issue 11): model-visible cost, in process, no peer needed ---------------------

API_TOOLS = ("search_api", "describe_api", "read_api", "write_api")
API_TOOLS_BUDGET, ADMIN_BUDGET, READ_ONLY_BUDGET = (
    1200,
    7000,
    4000,
)  # tokens (name + description + inputSchema); issue 22


async def api_tools_cost() -> dict[str, float]:
    """Tokens of the four generic tools and of the whole admin and read-only lists, as a client sends them."""
    from claude_api_mcp.app.assemble import build_server
    from claude_api_mcp.core.config import Profile, Settings

    figures: dict[str, float] = {}
    for profile in (Profile.ADMIN, Profile.READ_ONLY):
        async with Client(build_server(Settings(sandbox=True, profile=profile))) as client:
            listed = await tool_list(client)
        figures[f"{profile.value} total"] = tokens(listed.total_visible)
        figures[f"{profile.value} tools"] = len(listed.visible)
        if profile is Profile.ADMIN:
            figures["api tools"] = tokens(sum(listed.visible[name] for name in API_TOOLS))
    return figures


def main() -> None:
    import anyio

    figures = anyio.run(api_tools_cost)
    budgets = {"api tools": API_TOOLS_BUDGET, "admin total": ADMIN_BUDGET, "read-only total": READ_ONLY_BUDGET}
    for name, value in figures.items():
        limit = budgets.get(name)
        verdict = "" if limit is None else f"  (target <= {limit}: {'met' if value <= limit else 'MISSED'})"
        print(f"{name:>16}: {value:,.0f}{verdict}")  # a command-line report, not server code


if __name__ == "__main__":
    main()
