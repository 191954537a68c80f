"""Typed Messages API parameters, shared by send_message, count_tokens and create_batch.

Content blocks are a union discriminated on ``type``, so an unknown block type is rejected before anything
is sent. Declared fields are the ones a block needs; other API fields (``cache_control``, ``citations``,
``title``...) pass through as given, so blocks copied from an earlier response are accepted as they are.
Schemas stay compact on purpose: every tool definition is paid for in every conversation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tools._models import ApiObject
from tools._schema import compact, untitled
from tools._writes import Writable

COMPACT = ConfigDict(json_schema_extra=compact)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra=compact)


class TextBlock(_Open):
    type: Literal["text"]
    text: str


class Source(_Open):
    """Image or document source."""

    type: Literal["base64", "url", "file", "text", "content"]
    media_type: str | None = None
    data: str | None = None
    url: str | None = None
    file_id: str | None = None


class ImageBlock(_Open):
    type: Literal["image"]
    source: Source


class DocumentBlock(_Open):
    type: Literal["document"]
    source: Source


class SearchResultBlock(_Open):
    type: Literal["search_result"]
    source: str
    title: str
    content: list[TextBlock]


class ToolUseBlock(_Open):
    type: Literal["tool_use"]
    id: str
    name: str
    input: dict[str, Any]


class ThinkingBlock(_Open):
    type: Literal["thinking"]
    thinking: str
    signature: str


class RedactedThinkingBlock(_Open):
    type: Literal["redacted_thinking"]
    data: str


class PassBackBlock(_Open):
    """Server-tool and other blocks, passed back as received."""

    type: Literal[
        "server_tool_use",
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result",
        "tool_search_tool_result",
        "container_upload",
        "tool_reference",
    ]


ResultPart = Annotated[
    TextBlock | ImageBlock | DocumentBlock | SearchResultBlock | PassBackBlock, Field(discriminator="type")
]


class ToolResultBlock(_Open):
    type: Literal["tool_result"]
    tool_use_id: str
    content: str | list[ResultPart] | None = None
    is_error: bool | None = None


Block = Annotated[
    TextBlock
    | ImageBlock
    | DocumentBlock
    | SearchResultBlock
    | ToolUseBlock
    | ToolResultBlock
    | ThinkingBlock
    | RedactedThinkingBlock
    | PassBackBlock,
    Field(discriminator="type"),
]


class MessageIn(BaseModel):
    model_config = COMPACT
    role: Literal["user", "assistant"]
    content: str | list[Block]


class ToolSpec(_Open):
    """A client tool (name, description, input_schema) or a versioned server tool (type, name)."""

    name: str = Field(min_length=1, max_length=128)
    description: str | None = None
    input_schema: dict[str, Any] | None = Field(None, description="JSON Schema of the input; client tools only.")
    type: str | None = Field(None, description='Server tool version, e.g. "web_search_20250305"; omit for yours.')

    @model_validator(mode="after")
    def _client_tools_need_a_schema(self) -> ToolSpec:
        if self.type in (None, "custom") and self.input_schema is None:
            raise ValueError(f"tool {self.name!r}: input_schema is required for client tools")
        return self


class ToolChoice(BaseModel):
    model_config = COMPACT
    type: Literal["auto", "any", "tool", "none"]
    name: str | None = Field(None, description="Required when type is tool.")
    disable_parallel_tool_use: bool | None = None

    @model_validator(mode="after")
    def _name_iff_tool(self) -> ToolChoice:
        if (self.type == "tool") != (self.name is not None):
            raise ValueError("tool_choice.name is required with type 'tool' and only then")
        return self


class Thinking(BaseModel):
    model_config = COMPACT
    type: Literal["enabled", "adaptive", "disabled", "between_tools"]
    budget_tokens: int | None = Field(None, ge=1024, description="enabled only: ≥1024 and < max_tokens.")
    display: Literal["summarized", "omitted"] | None = None

    @model_validator(mode="after")
    def _budget_iff_enabled(self) -> Thinking:
        if (self.type == "enabled") != (self.budget_tokens is not None):
            raise ValueError("thinking.budget_tokens is required with type 'enabled' and only then")
        return self


class Metadata(BaseModel):
    model_config = COMPACT
    user_id: str | None = Field(None, max_length=512, description="Opaque end-user id; no PII.")


# The arguments, as Annotated types, so the tools' signatures and the batch params model share them.
ModelArg = Annotated[str, Field(min_length=1, description="Model id or alias (see list_models).")]
MaxTokens = Annotated[int, Field(ge=0, description="Maximum tokens to generate.")]
Messages = Annotated[list[MessageIn], Field(min_length=1, max_length=100_000, description="Conversation turns.")]
System = Annotated[str | list[TextBlock] | None, Field(description="System prompt.")]
StopSequences = Annotated[list[str] | None, Field(description="Stop generating at any of these.")]
Temperature = Annotated[float | None, Field(ge=0, le=1, description="Deprecated on newer models.")]
TopP = Annotated[float | None, Field(ge=0, le=1, description="Deprecated on newer models.")]
TopK = Annotated[int | None, Field(ge=0, description="Deprecated on newer models.")]
Tools = Annotated[list[ToolSpec] | None, Field(description="Tools the model may call.")]
ToolChoiceArg = Annotated[ToolChoice | None, Field(description="How the model picks tools.")]
ThinkingArg = Annotated[Thinking | None, Field(description="Extended thinking config.")]
MetadataArg = Annotated[Metadata | None, Field(description="Request metadata.")]
ServiceTier = Annotated[Literal["auto", "standard_only"] | None, Field(description="Capacity tier.")]


def check_thinking(thinking: Thinking | None, max_tokens: int | None) -> None:
    """The one cross-field rule the types cannot express: the thinking budget fits inside max_tokens."""
    budget = thinking.budget_tokens if thinking else None
    if budget is not None and max_tokens is not None and budget >= max_tokens:
        raise ToolError(f"thinking.budget_tokens ({budget}) must be less than max_tokens ({max_tokens}).")


def request_body(**params: Any) -> dict[str, Any]:
    """The JSON body: parameters that were given, with blocks exactly as given (no defaults added)."""
    body: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, BaseModel):
            value = value.model_dump(mode="json", exclude_unset=True)
        elif isinstance(value, list):
            value = [v.model_dump(mode="json", exclude_unset=True) if isinstance(v, BaseModel) else v for v in value]
        body[name] = value
    return body


class MessageParams(_Open):
    """One batch request's params: a full non-streaming Messages request."""

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

    @model_validator(mode="after")
    def _valid(self) -> MessageParams:
        if (self.model_extra or {}).get("stream"):
            raise ValueError("batch params cannot stream; remove 'stream'")
        if self.thinking and self.thinking.budget_tokens is not None and self.thinking.budget_tokens >= self.max_tokens:
            raise ValueError("thinking.budget_tokens must be less than max_tokens")
        return self


# --- the response ------------------------------------------------------------------------------------------


class ContentBlockOut(ApiObject):
    model_config = ConfigDict(extra="allow", json_schema_extra=untitled)

    type: str


class Usage(ApiObject):
    model_config = ConfigDict(extra="allow", json_schema_extra=untitled)

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None


class Message(ApiObject, Writable):
    model_config = ConfigDict(extra="allow", json_schema_extra=untitled)

    id: str | None = None
    type: str | None = None
    role: str | None = None
    model: str | None = None
    content: list[ContentBlockOut] | None = None
    stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: Usage | None = None


class TokenCount(ApiObject):
    model_config = ConfigDict(extra="allow", json_schema_extra=untitled)

    input_tokens: int
