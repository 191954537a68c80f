"""Helpers for tests: calling tools and reading what the model would read."""

from __future__ import annotations

from typing import Any

from mcp import Client
from mcp.types import CallToolResult


class Sleeps(list[float]):
    """Stands in for anyio.sleep in the retry loop: records each wait instead of spending it."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def call_ok(client: Client, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Call a tool that must succeed; return its structured content."""
    result = await client.call_tool(name, args or {})
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return result.structured_content


async def call_error(client: Client, name: str, args: dict[str, Any] | None = None) -> str:
    """Call a tool that must fail; return the error text the model would read."""
    result = await client.call_tool(name, args or {})
    assert result.is_error, f"{name} unexpectedly succeeded: {text_of(result)[:300]}"
    return text_of(result)


def text_of(result: CallToolResult) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)
