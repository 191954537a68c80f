"""The Messages request (SDK 2.14.0 ``MessageCreateParams``): one set of argument types for send_message,
count_tokens and create_batch, and ``MessageParams``, the model a batch request's params must satisfy.

Every request field is declared, so an unknown one is refused (send_message's arguments and a batch's params
alike), never dropped. Beta-only fields (``mcp_servers``, ``context_management``...) go in ``extra_body``
and need ``betas``, which sets ``anthropic-beta``: the server never adds a beta on its own.

The rich nested objects (tools, output_config, container) are published as plain objects with a one-line
description, because every schema is paid for in every conversation; they are validated here, in full,
before anything is sent. Their nested fields pass through as given (the API adds fields over time).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from claude_api_mcp.tools._message_types import MessageIn, TextBlock
from claude_api_mcp.tools._schema import compact

_OPEN = ConfigDict(extra="allow", json_schema_extra=compact)


class _Open(BaseModel):
    model_config = _OPEN


class ToolSpec(_Open):
    """A client tool, or a server tool the API defines by ``type`` (toolsets have no ``name``)."""

    name: str | None = Field(None, min_length=1, max_length=128)
    description: str | None = None
    input_schema: dict[str, Any] | None = None
    type: str | None = None

    @model_validator(mode="after")
    def _client_tools_need_a_name_and_schema(self) -> ToolSpec:
        missing = [f for f in ("name", "input_schema") if getattr(self, f) is None]
        if self.type in (None, "custom") and missing:
            raise ValueError(f"{' and '.join(missing)} is required for a client tool (a server tool gives its type)")
        return self


class ToolChoice(_Open):
    type: Literal["auto", "any", "tool", "none"]
    name: str | None = Field(None, description="Required when type is tool.")
    disable_parallel_tool_use: bool | None = None

    @model_validator(mode="after")
    def _name_iff_tool(self) -> ToolChoice:
        if (self.type == "tool") != (self.name is not None):
            raise ValueError("tool_choice.name is required with type 'tool' and only then")
        return self


class Thinking(_Open):
    type: Literal["enabled", "adaptive", "disabled", "between_tools"]
    budget_tokens: int | None = Field(None, ge=1024, description="enabled only: ≥1024, < max_tokens.")
    display: Literal["summarized", "omitted"] | None = None

    @model_validator(mode="after")
    def _budget_iff_enabled(self) -> Thinking:
        if (self.type == "enabled") != (self.budget_tokens is not None):
            raise ValueError("thinking.budget_tokens is required with type 'enabled' and only then")
        return self


class Metadata(_Open):
    user_id: str | None = Field(None, max_length=512, description="Opaque end-user id; no PII.")


class OutputFormat(_Open):
    type: Literal["json_schema"]
    schema_: dict[str, Any] = Field(alias="schema")


class OutputConfig(_Open):
    effort: Literal["low", "medium", "high", "xhigh", "max"] | None = None
    format: OutputFormat | None = None


class SkillRef(_Open):
    type: Literal["anthropic", "custom"]
    skill_id: str = Field(min_length=1)
    version: str | None = None


class Container(_Open):
    id: str | None = None
    skills: list[SkillRef] | None = None


class CacheControl(_Open):
    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"] | None = None


class Diagnostics(_Open):
    previous_message_id: str | None = None


def _published(description: str, *types: str) -> WithJsonSchema:
    """A compact published schema: one JSON type (or a portable ``anyOf`` of them) and a line of text."""
    shape: dict[str, Any] = {"type": types[0]} if len(types) == 1 else {"anyOf": [{"type": t} for t in types]}
    return WithJsonSchema({**shape, "description": description})


# The arguments, as Annotated types, so the tools' signatures and MessageParams share them.
ModelArg = Annotated[str, Field(min_length=1, description="Model id or alias.")]
MaxTokens = Annotated[int, Field(ge=0, description="Max tokens to generate.")]
Messages = Annotated[list[MessageIn], Field(min_length=1, max_length=100_000, description="Conversation turns.")]
System = Annotated[str | list[TextBlock] | None, _published("Text or text blocks.", "string", "array")]
StopSequences = Annotated[list[str] | None, Field(description="Stop at any of these.")]
Temperature = Annotated[float | None, Field(ge=0, le=1, description="0-1; not on newer models.")]
TopP = Annotated[float | None, Field(ge=0, le=1, description="0-1; not on newer models.")]
TopK = Annotated[int | None, Field(ge=0, description="Not on newer models.")]
Tools = Annotated[
    list[ToolSpec] | None,
    _published("Client {name, description, input_schema} or server {type} tools.", "array"),
]
ToolChoiceArg = Annotated[ToolChoice | None, _published("{type: auto|any|tool|none, name (with tool)}.", "object")]
ThinkingArg = Annotated[
    Thinking | None, _published("{type: adaptive|enabled|disabled, budget_tokens (enabled: ≥1024)}.", "object")
]
MetadataArg = Annotated[Metadata | None, _published("{user_id}", "object")]
ServiceTier = Annotated[Literal["auto", "standard_only"] | None, Field(description="Capacity tier.")]
OutputConfigArg = Annotated[
    OutputConfig | None,
    _published("{effort: low|medium|high|xhigh|max, format: {type: json_schema, schema}}.", "object"),
]
ContainerArg = Annotated[
    Container | str | None,
    _published("Container id, or {id, skills: [{type, skill_id, version}]}.", "string", "object"),
]
InferenceGeo = Annotated[str | None, Field(description='Inference region, e.g. "us".')]
Speed = Annotated[Literal["standard", "fast"] | None, Field(description="fast: some models need a beta.")]
CacheControlArg = Annotated[CacheControl | None, _published("Cache the prompt: {type: ephemeral, ttl?}.", "object")]
DiagnosticsArg = Annotated[Diagnostics | None, _published("{previous_message_id}: explain cache misses.", "object")]
Betas = Annotated[
    list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$", max_length=100), WithJsonSchema({"type": "string"})]]
    | None,
    Field(description="anthropic-beta values."),
]
ExtraBody = Annotated[dict[str, Any] | None, _published("Beta-only request fields; needs betas.", "object")]


def check_thinking(thinking: Thinking | None, max_tokens: int | None) -> None:
    """The one cross-field rule the types cannot express: the thinking budget fits inside max_tokens."""
    budget = thinking.budget_tokens if thinking else None
    if budget is not None and max_tokens is not None and budget >= max_tokens:
        raise ValueError(f"thinking.budget_tokens ({budget}) must be less than max_tokens ({max_tokens})")


def check_extra_body(extra_body: dict[str, Any] | None, betas: list[str] | None) -> None:
    """extra_body is for beta-only fields; a declared field given there would be sent twice, or silently win."""
    if not extra_body:
        return
    if not betas:
        raise ToolError("extra_body holds beta-only fields: name the beta(s) they need in betas.")
    clash = sorted(set(extra_body) & (set(MessageParams.model_fields) | {"stream"}))
    if clash:
        raise ToolError(f"Give {', '.join(clash)} as its own argument, not in extra_body.")


def beta_header(betas: list[str] | None) -> dict[str, str] | None:
    return {"anthropic-beta": ",".join(dict.fromkeys(betas))} if betas else None


def request_body(extra_body: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    """The JSON body: parameters that were given, with objects exactly as given (no defaults added)."""
    body: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, BaseModel):
            value = value.model_dump(mode="json", exclude_unset=True, by_alias=True)
        elif isinstance(value, list):
            value = [
                v.model_dump(mode="json", exclude_unset=True, by_alias=True) if isinstance(v, BaseModel) else v
                for v in value
            ]
        body[name] = value
    return {**body, **(extra_body or {})}


def _never_stream(value: bool | None) -> bool | None:
    if value:
        raise ValueError("batch params cannot stream; remove 'stream'")
    return value


class MessageParams(BaseModel):
    """One batch request's params: send_message's arguments (a non-streaming Messages request), refused or
    accepted by the same rules."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=compact)

    model: ModelArg
    max_tokens: MaxTokens
    messages: Messages
    system: System = None
    stop_sequences: StopSequences = None
    temperature: Temperature = None
    top_p: TopP = None
    top_k: TopK = None
    tools: Tools = None
    tool_choice: ToolChoiceArg = None
    thinking: ThinkingArg = None
    metadata: MetadataArg = None
    service_tier: ServiceTier = None
    output_config: OutputConfigArg = None
    container: ContainerArg = None
    inference_geo: InferenceGeo = None
    speed: Speed = None
    cache_control: CacheControlArg = None
    diagnostics: DiagnosticsArg = None
    extra_body: ExtraBody = None
    stream: Annotated[bool | None, AfterValidator(_never_stream)] = None  # the SDK's Literal[False]

    @model_validator(mode="after")
    def _valid(self) -> MessageParams:
        check_thinking(self.thinking, self.max_tokens)
        clash = sorted(set(self.extra_body or {}) & (set(type(self).model_fields) | {"stream"}))
        if clash:  # extra_body needs betas too: create_batch checks that, as betas are the whole batch's
            raise ValueError(f"give {', '.join(clash)} as its own field, not in extra_body")
        return self

    def body(self) -> dict[str, Any]:
        given = {name: getattr(self, name) for name in self.model_fields_set if name != "extra_body"}
        return request_body(self.extra_body, **given)
