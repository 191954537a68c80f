"""The sandbox's prices: daily usage priced per cost line, in cents, with exact decimals.

A cost line is what the cost report shows when grouped by description: one (model, tier, context window,
speed, token type) or the web search tool. Priority Tier is not in the cost report, as in the API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from claude_api_mcp.sandbox.report_data import Stream, Usage

# model → display name, $ per million tokens: input, output, cache read, 5m cache write, 1h cache write
_PRICES = {
    "claude-opus-4-6": ("Claude Opus 4.6", ("5", "25", "0.50", "6.25", "10")),
    "claude-sonnet-4-6": ("Claude Sonnet 4.6", ("3", "15", "0.30", "3.75", "6")),
    "claude-sonnet-4-5": ("Claude Sonnet 4.5", ("3", "15", "0.30", "3.75", "6")),
    "claude-haiku-4-5": ("Claude Haiku 4.5", ("1", "5", "0.10", "1.25", "2")),
}
# usage index, token_type, description label, price index
_TOKEN_TYPES = (
    (0, "uncached_input_tokens", "Input Tokens", 0),
    (1, "cache_creation.ephemeral_5m_input_tokens", "Input Tokens 5m Cache Write", 3),
    (2, "cache_creation.ephemeral_1h_input_tokens", "Input Tokens 1h Cache Write", 4),
    (3, "cache_read_input_tokens", "Input Tokens Cache Read", 2),
    (4, "output_tokens", "Output Tokens", 1),
)
WEB_SEARCH_CENTS = Decimal(1)  # $10 per 1,000 searches
_PER_TOKEN = Decimal(10_000)  # $/MTok → cents per token: × 100 / 1,000,000


def cents_per_token(model: str, price_index: int) -> Decimal:
    return Decimal(_PRICES[model][1][price_index]) / _PER_TOKEN


def _multiplier(s: Stream, price_index: int) -> Decimal:
    m = Decimal(1)
    if s.service_tier == "batch":
        m *= Decimal("0.5")
    if s.context_window == "200k-1M":
        m *= Decimal("1.5") if price_index == 1 else Decimal(2)
    if s.speed == "fast":
        m *= Decimal(6)
    return m


def _suffix(s: Stream) -> tuple[str, str]:
    tier = " Batch" if s.service_tier == "batch" else ""
    extra = " (Long Context)" if s.context_window == "200k-1M" else " (Fast Mode)" if s.speed == "fast" else ""
    return tier, extra


def cost_lines(s: Stream, usage: Usage) -> list[tuple[dict[str, Any], Decimal]]:
    """One stream's day of usage as cost lines (the fields the report fills when grouped by description)."""
    if s.service_tier == "priority":
        return []
    name = _PRICES[s.model][0]
    tier, extra = _suffix(s)
    lines: list[tuple[dict[str, Any], Decimal]] = []
    for index, token_type, label, price_index in _TOKEN_TYPES:
        tokens = usage[index]
        if tokens == 0:
            continue
        fields: dict[str, Any] = {
            "description": f"{name}{tier} Usage - {label}{extra}",
            "cost_type": "tokens",
            "model": s.model,
            "service_tier": s.service_tier,
            "context_window": s.context_window,
            "token_type": token_type,
            "inference_geo": s.inference_geo,
        }
        lines.append((fields, tokens * cents_per_token(s.model, price_index) * _multiplier(s, price_index)))
    if usage[5]:
        fields = {
            "description": "Web Search Usage",
            "cost_type": "web_search",
            "model": None,
            "service_tier": None,
            "context_window": None,
            "token_type": None,
            "inference_geo": None,
        }
        lines.append((fields, usage[5] * WEB_SEARCH_CENTS))
    return lines


def cents_text(amount: Decimal) -> str:
    """A decimal string in cents, never in exponent notation."""
    return format(amount, "f")
