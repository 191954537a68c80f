"""Result models of the report tools: answers first (totals, grouped rows), raw buckets or records on request."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SerializerFunctionWrapHandler, model_serializer

OTHER = "On the single row folding this many smaller groups, left out to fit the output budget."
_OPTIONAL = frozenset(
    {"buckets", "records", "note", "other_groups", "customer_type", "subscription_type", "terminal_type", "is_remote"}
)


class Compact(BaseModel):
    """Optional parts (buckets, records, note, other_groups) are left out when unset rather than written as null;
    group fields (a row's extra keys) come first."""

    # The result's _meta (never serialized into the text or structuredContent): the dashboard's series, for
    # clients that render MCP Apps (tools/_dashboard.py).
    _result_meta: dict[str, Any] | None = PrivateAttr(default=None)

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = {k: v for k, v in handler(self).items() if v is not None or k not in _OPTIONAL}
        extra = self.__pydantic_extra__ or {}
        return {**{k: data[k] for k in extra if k in data}, **{k: v for k, v in data.items() if k not in extra}}


class GroupRow(Compact):
    """A row that carries its group fields as extra keys."""

    model_config = ConfigDict(extra="allow")


class TokenTotals(BaseModel):
    uncached_input_tokens: int = 0
    cache_creation_input_tokens: int = Field(0, description="5m and 1h cache writes summed.")
    cache_read_input_tokens: int = 0
    output_tokens: int = 0
    web_search_requests: int = 0
    total_tokens: int = Field(0, description="The four token counts summed.")

    @classmethod
    def of(cls, figures: list[int], **group: Any) -> Any:
        u, cw, cr, out, web = figures
        return cls(
            uncached_input_tokens=u,
            cache_creation_input_tokens=cw,
            cache_read_input_tokens=cr,
            output_tokens=out,
            web_search_requests=web,
            total_tokens=u + cw + cr + out,
            **group,
        )


class UsageRow(GroupRow, TokenTotals):
    """Its group_by fields (workspace_id null: Default workspace; api_key_id null: Console), then its totals."""

    other_groups: int | None = Field(None, description=OTHER)


class UsageBucket(BaseModel):
    starting_at: str
    results: list[UsageRow]


class UsageReport(Compact):
    starting_at: str = Field(description="UTC, inclusive (snapped to the bucket).")
    ending_at: str = Field(description="UTC, exclusive (snapped; never past the current bucket).")
    bucket_width: str
    group_by: list[str]
    totals: TokenTotals
    groups: list[UsageRow] = Field(description="One row per group_by combination, largest total_tokens first.")
    buckets: list[UsageBucket] | None = Field(None, description="Oldest first, if asked.")
    requests: int = Field(description="API requests made.")
    note: str | None = Field(None)


class CostRow(GroupRow):
    """Its group_by fields (workspace_id null: Default workspace), then what a description stands for
    (cost_type, model, service_tier, token_type, context_window, inference_geo, when the API says), then its
    amount."""

    amount_usd: str = Field(description="US dollars, exact decimal string (the API reports cents).")
    other_groups: int | None = Field(None, description=OTHER)


class CostBucket(BaseModel):
    starting_at: str
    results: list[CostRow]


class CostReport(Compact):
    starting_at: str = Field(description="UTC day, inclusive.")
    ending_at: str = Field(description="UTC day, exclusive (never past today's end).")
    currency: str
    total_usd: str = Field(description="US dollars, exact decimal string (the API reports cents).")
    group_by: list[str]
    groups: list[CostRow] = Field(description="One row per group_by combination, largest first.")
    buckets: list[CostBucket] | None = Field(None, description="Daily, oldest first, if asked.")
    requests: int = Field(description="API requests made.")
    note: str | None = Field(None)


class CodeFigures(BaseModel):
    sessions: int = 0
    lines_added: int = 0
    lines_removed: int = 0
    commits: int = 0
    pull_requests: int = 0
    tool_actions_accepted: int = 0
    tool_actions_rejected: int = 0
    estimated_cost_usd: str = Field("0.00", description="US dollars (the API reports cents).")


class ActorRow(Compact, CodeFigures):
    actor_type: str = Field(description="user_actor, api_actor, or other (the folded row).")
    actor: str = Field(description="Email address or API key name.")
    # As the records say; a list when the actor's records differ (remote and local use are separate records).
    customer_type: str | list[str] | None = None
    subscription_type: str | list[str | None] | None = None
    terminal_type: str | list[str] | None = None
    is_remote: bool | list[bool] | None = None
    other_groups: int | None = Field(None, description=OTHER)


class ModelRow(BaseModel):
    model: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_creation_tokens: int
    estimated_cost_usd: str


class CodeRecord(BaseModel):
    """A record as the API sends it."""

    model_config = ConfigDict(extra="allow")


class ClaudeCodeReport(Compact):
    starting_at: str = Field(description="UTC day, inclusive.")
    ending_at: str = Field(description="UTC day, exclusive.")
    totals: CodeFigures
    actors: list[ActorRow] = Field(description="One row per user or API key, largest estimated cost first.")
    models: list[ModelRow] = Field(description="Tokens and estimated cost per model.")
    records: list[CodeRecord] | None = Field(None, description="Raw records, if asked.")
    requests: int = Field(description="API requests made.")
    note: str | None = Field(None)
