"""Messages API content blocks (shared by send_message, count_tokens and create_batch) and the response.

Content blocks are a union discriminated on ``type``, so an unknown block type is rejected before anything
is sent. Declared fields are the ones a block needs; other API fields (``cache_control``, ``citations``,
``title``...) pass through as given, so blocks copied from an earlier response are accepted as they are.
The request's other fields are in ``tools/_message_request.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from claude_api_mcp.client.models import ApiObject
from claude_api_mcp.safety.writes import Writable
from claude_api_mcp.tools._schema import compact, untitled


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
    model_config = ConfigDict(extra="forbid", json_schema_extra=compact)  # the API's MessageParam: these two only
    role: Literal["user", "assistant"]
    content: str | list[Block]


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
    cache_creation: dict[str, Any] | None = None
    output_tokens_details: dict[str, Any] | None = None
    server_tool_use: dict[str, Any] | None = None
    service_tier: str | None = None
    inference_geo: str | None = None
    speed: str | None = None


class Message(ApiObject, Writable):
    model_config = ConfigDict(extra="allow", json_schema_extra=untitled)

    id: str | None = None
    type: str | None = None
    role: str | None = None
    model: str | None = None
    content: list[ContentBlockOut] | None = None
    stop_reason: str | None = None
    stop_sequence: str | None = None
    stop_details: dict[str, Any] | None = None
    usage: Usage | None = None
    container: dict[str, Any] | None = Field(None, description="{id, expires_at, skills}: reuse it by id.")
    diagnostics: dict[str, Any] | None = None


class TokenCount(ApiObject):
    model_config = ConfigDict(extra="allow", json_schema_extra=untitled)

    input_tokens: int
