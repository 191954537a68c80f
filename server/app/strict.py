"""Strict tools, applied to every typed tool once, when it is built (``server/app/tool_build.py``):

* an argument a tool does not declare is refused, naming it and the accepted ones (pydantic's default
  would drop it silently), and the published input schema says so (``additionalProperties: false``);
* argument errors, and API objects that do not fit their result model, read as plain sentences
  (``server/core/validation.py``), never as pydantic's text;
* a call to a tool that exists but is not listed says what would enable it (``server/app/unlisted.py``).
"""

from __future__ import annotations

import functools
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from pydantic import ConfigDict, ValidationError

from claude_api_mcp.core.errors import describe_unexpected
from claude_api_mcp.core.validation import plain, replace_in


class ClaudeApiServer(MCPServer[Any]):
    """MCPServer that tells a caller of a known but unlisted tool what would enable it (``server/app/unlisted.py``)."""

    def __init__(self, *args: Any, unlisted: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unlisted = unlisted  # tool name -> why it is not listed

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        if name in self.unlisted and self._tool_manager.get_tool(name) is None:
            raise ToolError(self.unlisted[name])
        return await super().call_tool(name, arguments, context)


class StrictTool(Tool):
    """A tool whose argument errors read as plain sentences, and whose result-shape errors do too."""

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        try:
            return await super().run(arguments, context, convert_result)
        except UnexpectedToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError) and cause.title in _api_object_names():
                raise ToolError(describe_unexpected(cause)) from cause  # an API object that did not fit its model
            raise
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):  # the arguments did not validate: nothing was run or sent
                accepted = list(self.parameters.get("properties", {}))
                text = plain(cause, tool=self.name, accepted=accepted)
                raise ToolError(f"{self.name} was not called: {text}") from cause
            inner = cause.__cause__ if isinstance(cause, ToolError) else None
            if isinstance(inner, ValidationError):  # a tool embedded pydantic's text (an unexpected API shape)
                raise ToolError(replace_in(str(exc), inner)) from cause
            raise


@functools.cache
def _api_object_names() -> frozenset[str]:
    """Result models that parse what the API sent (a failure there is the API's shape, not our bug)."""
    from claude_api_mcp.client.models import ApiObject  # the tools' result models: imported by then

    found: set[str] = set()
    todo: list[type] = [ApiObject]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return frozenset(found)


def strict_arguments(tool: Tool) -> None:
    """Refuse arguments the tool does not declare (pydantic ignores them by default: a silent drop)."""
    base = tool.fn_metadata.arg_model

    class Strict(base):  # type: ignore[valid-type,misc]
        model_config = ConfigDict(extra="forbid")

    Strict.__name__ = Strict.__qualname__ = base.__name__
    tool.fn_metadata.arg_model = Strict
    tool.parameters["additionalProperties"] = False
