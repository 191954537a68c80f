"""The sandbox's model catalog: ModelInfo objects as SDK 2.10.0 types them, newest first, with aliases.

Thinking support follows the API's published rules: 4.5-and-older models reject ``adaptive``, 4.7 and
newer reject ``enabled``, and the Fable and Mythos lines reject ``disabled``.
"""

from __future__ import annotations

from typing import Any

# id, display name, line, released, lifecycle, (deprecated, retires), max input, max output, generation
_MODELS: list[tuple[str, str, str, str, str, tuple[str, str] | None, int, int, float]] = [
    ("claude-opus-5-5", "Claude Opus 5.5", "opus", "2026-10-28", "active", None, 1_000_000, 128_000, 5.5),
    ("claude-sonnet-5-5", "Claude Sonnet 5.5", "sonnet", "2026-10-14", "active", None, 1_000_000, 128_000, 5.5),
    ("claude-haiku-5-5", "Claude Haiku 5.5", "haiku", "2026-10-07", "active", None, 200_000, 64_000, 5.5),
    ("claude-fable-5-2", "Claude Fable 5.2", "fable", "2026-09-30", "active", None, 1_000_000, 128_000, 5.2),
    ("claude-mythos-5-2", "Claude Mythos 5.2", "mythos", "2026-09-23", "active", None, 1_000_000, 128_000, 5.2),
    ("claude-opus-4-8", "Claude Opus 4.8", "opus", "2026-07-15", "active", None, 1_000_000, 128_000, 4.8),
    ("claude-sonnet-4-6", "Claude Sonnet 4.6", "sonnet", "2026-02-17", "active", None, 1_000_000, 64_000, 4.6),
    ("claude-opus-4-6", "Claude Opus 4.6", "opus", "2026-02-05", "active", None, 1_000_000, 128_000, 4.6),
    (
        "claude-opus-4-5-20251101",
        "Claude Opus 4.5",
        "opus",
        "2025-11-24",
        "retired",
        ("2026-05-01", "2026-08-01"),
        200_000,
        64_000,
        4.5,
    ),
    (
        "claude-haiku-4-5-20251001",
        "Claude Haiku 4.5",
        "haiku",
        "2025-10-15",
        "deprecated",
        ("2026-09-01", "2027-03-01"),
        200_000,
        64_000,
        4.5,
    ),
    (
        "claude-sonnet-4-5-20250929",
        "Claude Sonnet 4.5",
        "sonnet",
        "2025-09-29",
        "deprecated",
        ("2026-08-15", "2027-02-15"),
        1_000_000,
        64_000,
        4.5,
    ),
]
ALIASES = {
    "claude-opus-4-5": "claude-opus-4-5-20251101",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
}


def _yes(flag: bool) -> dict[str, bool]:
    return {"supported": flag}


def _capabilities(line: str, generation: float) -> dict[str, Any]:
    newer = generation >= 4.7
    storyteller = line in ("fable", "mythos")
    return {
        "batch": _yes(True),
        "citations": _yes(True),
        "code_execution": _yes(generation >= 4.5),
        "context_management": {
            "supported": True,
            "clear_thinking_20251015": _yes(True),
            "clear_tool_uses_20250919": _yes(True),
            "compact_20260112": _yes(generation >= 4.6),
        },
        "effort": {
            "supported": generation >= 4.6 or line == "opus",
            "low": _yes(True),
            "medium": _yes(True),
            "high": _yes(True),
            "max": _yes(generation >= 4.6),
            "xhigh": _yes(generation >= 5),
        },
        "image_input": _yes(True),
        "pdf_input": _yes(True),
        "server_tools": {"supported": True, "code_execution": _yes(True), "web_search": _yes(True)},
        "structured_outputs": _yes(generation >= 4.5),
        "thinking": {
            "supported": True,
            "types": {
                "adaptive": _yes(generation >= 4.6),
                "between_tools": _yes(newer),
                "disabled": _yes(not storyteller),
                "enabled": _yes(not newer),
            },
        },
    }


def _model(row: tuple[str, str, str, str, str, tuple[str, str] | None, int, int, float]) -> dict[str, Any]:
    model_id, name, line, released, lifecycle, retirement, max_in, max_out, generation = row
    return {
        "id": model_id,
        "type": "model",
        "display_name": name,
        "created_at": f"{released}T00:00:00Z",
        "lifecycle": lifecycle,
        "deprecated_at": f"{retirement[0]}T00:00:00Z" if retirement else None,
        "retires_at": f"{retirement[1]}T00:00:00Z" if retirement else None,
        "line": line,
        "max_input_tokens": max_in,
        "max_tokens": max_out,
        "capabilities": _capabilities(line, generation),
    }


MODELS: list[dict[str, Any]] = [_model(row) for row in _MODELS]
BY_ID = {m["id"]: m for m in MODELS}


def resolve(name: str) -> dict[str, Any] | None:
    """A model by id or alias."""
    return BY_ID.get(ALIASES.get(name, name))


def thinking_supported(model: dict[str, Any], kind: str) -> bool:
    types = model["capabilities"]["thinking"]["types"]
    return bool(types.get(kind, {}).get("supported", False))
