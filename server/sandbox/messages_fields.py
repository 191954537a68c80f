"""The Messages request's newer fields, checked like the API checks them, and what they change in a reply.

Field sets are SDK 2.14.0's (``MessageCreateParams``, ``count_tokens``), plus the sampling fields older
models still take. An unknown top-level field is a 400 unless an ``anthropic-beta`` header is sent (beta
features add fields: ``mcp_servers``, ``context_management``...).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from claude_api_mcp.sandbox.wire import invalid, rfc3339

COUNT_FIELDS = frozenset(
    {"model", "messages", "system", "tools", "tool_choice", "thinking", "output_config", "speed", "cache_control"}
)
CREATE_FIELDS = COUNT_FIELDS | {
    *("max_tokens", "stream", "stop_sequences", "metadata", "service_tier", "container", "inference_geo"),
    *("diagnostics", "temperature", "top_p", "top_k"),
}
EFFORTS = ("low", "medium", "high", "xhigh", "max")
# GA server tools (SDK 2.14.0 ``ToolUnionParam``): type -> the name it must carry (None: a toolset, no name).
SERVER_TOOLS: dict[str, str | None] = {
    "bash_20250124": "bash",
    "code_execution_20250522": "code_execution",
    "code_execution_20250825": "code_execution",
    "code_execution_20260120": "code_execution",
    "code_execution_20260521": "code_execution",
    "browser_toolset_20260801": None,
    "memory_20250818": "memory",
    "computer_toolset_20260801": None,
    "text_editor_20250124": "str_replace_editor",
    "text_editor_20250429": "str_replace_based_edit_tool",
    "text_editor_20250728": "str_replace_based_edit_tool",
    "web_search_20250305": "web_search",
    "web_fetch_20250910": "web_fetch",
    "web_search_20260209": "web_search",
    "web_fetch_20260209": "web_fetch",
    "web_fetch_20260309": "web_fetch",
    "web_search_20260318": "web_search",
    "web_fetch_20260318": "web_fetch",
    "tool_search_tool_bm25_20251119": "tool_search_tool_bm25",
    "tool_search_tool_bm25": "tool_search_tool_bm25",
    "tool_search_tool_regex_20251119": "tool_search_tool_regex",
    "tool_search_tool_regex": "tool_search_tool_regex",
}
CONTAINER_LIFETIME = timedelta(hours=1)


def check_fields(body: dict[str, Any], *, counting: bool, betas: str | None) -> None:
    known = COUNT_FIELDS if counting else CREATE_FIELDS
    unknown = sorted(set(body) - known)
    if unknown and not betas:
        raise invalid(f"{unknown[0]}: Extra inputs are not permitted")
    speed = body.get("speed")
    if speed is not None and speed not in ("standard", "fast"):
        raise invalid(f"speed: Input should be 'standard' or 'fast'; got {speed!r}")
    geo = body.get("inference_geo")
    if geo is not None and geo not in ("global", "us"):
        raise invalid(f"inference_geo: {geo!r} is not an inference geo this organization allows (global, us)")
    _check_tool_definitions(body.get("tools"), betas)
    _check_output_config(body.get("output_config"))
    _check_cache_control(body.get("cache_control"))
    if not counting:
        _check_container(body.get("container"))


def _check_tool_definitions(tools: Any, betas: str | None) -> None:
    """Client tools need name and input_schema; a GA server tool its own name (toolsets none); other types are
    beta tools, which need an anthropic-beta header."""
    if tools is None:
        return
    if not isinstance(tools, list):
        raise invalid("tools: Input should be a valid list")
    for i, tool in enumerate(tools):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if not isinstance(tool, dict):
            raise invalid(f"tools.{i}: Input should be an object")
        if kind in (None, "custom"):
            for field in ("name", "input_schema"):
                if field not in tool:
                    raise invalid(f"tools.{i}.{field}: Field required")
        elif kind in SERVER_TOOLS:
            name = SERVER_TOOLS[kind]
            if name is not None and tool.get("name") != name:
                raise invalid(f"tools.{i}.name: Input should be '{name}' for {kind}")
        elif not betas:
            raise invalid(f"tools.{i}.type: unknown tool type {kind!r}")


def _check_output_config(config: Any) -> None:
    if config is None:
        return
    if not isinstance(config, dict):
        raise invalid("output_config: Input should be an object")
    effort = config.get("effort")
    if effort is not None and effort not in EFFORTS:
        raise invalid(f"output_config.effort: Input should be one of {', '.join(EFFORTS)}")
    fmt = config.get("format")
    if fmt is not None:
        if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
            raise invalid("output_config.format.type: Input should be 'json_schema'")
        if not isinstance(fmt.get("schema"), dict):
            raise invalid("output_config.format.schema: Field required (a JSON Schema object)")


def _check_cache_control(control: Any) -> None:
    if control is None:
        return
    if not isinstance(control, dict) or control.get("type") != "ephemeral":
        raise invalid("cache_control.type: Input should be 'ephemeral'")
    if control.get("ttl") not in (None, "5m", "1h"):
        raise invalid("cache_control.ttl: Input should be '5m' or '1h'")


def _check_container(container: Any) -> None:
    if container is None or isinstance(container, str):
        return
    if not isinstance(container, dict):
        raise invalid("container: Input should be a string or an object")
    for i, skill in enumerate(container.get("skills") or []):
        if not isinstance(skill, dict) or skill.get("type") not in ("anthropic", "custom") or not skill.get("skill_id"):
            raise invalid(f"container.skills.{i}: needs type ('anthropic' or 'custom') and skill_id")


def json_reply(body: dict[str, Any], placeholder: Any) -> str | None:
    """With a JSON-schema output format, the reply's text is JSON that matches the schema."""
    fmt = (body.get("output_config") or {}).get("format") or {}
    if fmt.get("type") != "json_schema":
        return None
    return json.dumps(placeholder(fmt.get("schema") or {}))


def container_of(body: dict[str, Any], new_id: str, now: datetime | None = None) -> dict[str, Any] | None:
    """The container a reply carries when the request named one (its id) or asked for one (skills)."""
    given = body.get("container")
    if given is None:
        return None
    spec: dict[str, Any] = {"id": given} if isinstance(given, str) else given
    skills = [
        {"type": s["type"], "skill_id": s["skill_id"], "version": str(s.get("version") or "latest")}
        for s in spec.get("skills") or []
    ]
    expires = (now or datetime.now(timezone.utc)) + CONTAINER_LIFETIME
    return {"id": spec.get("id") or new_id, "expires_at": rfc3339(expires), "skills": skills or None}
