"""Claude on Amazon Bedrock, Google Vertex AI and Microsoft Foundry for the core API (``--platform``).

``config`` reads the platform's settings from the official SDKs' environment variables (and imports
nothing heavy, so the command line can use it); ``build`` makes the ``Platform`` (``base``) that
``AnthropicAPI`` hands its standard-key calls to. The platform libraries are optional extras, imported
only by the platform that needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claude_api_mcp.core.platform_config import (
    NOT_SERVED_WHY,
    SERVED,
    MissingExtra,
    PlatformConfig,
    PlatformName,
    from_env,
)

if TYPE_CHECKING:
    from claude_api_mcp.client.platforms.base import Platform


def summary(config: PlatformConfig, tool_names: list[str]) -> list[str]:
    """What startup and doctor say about a platform: where calls go, and which core tools it does not serve.

    ``tool_names``: every core (standard-key) tool, in registry order."""
    served = [n for n in tool_names if n in SERVED[config.name]]
    unserved = [n for n in tool_names if n not in SERVED[config.name]]
    lines = [f"core API on {config.label} at {config.endpoint()}: serves {', '.join(served)}"]
    if unserved:
        lines.append(f"not listed: {', '.join(unserved)}; {NOT_SERVED_WHY[config.name]}")
    lines.append("the Admin API and reports stay on Anthropic's API: listed only with ANTHROPIC_ADMIN_KEY")
    return lines


def build(config: PlatformConfig | None) -> Platform | None:
    """The platform for ``config`` (None: Anthropic's API). Raises MissingExtra when its library is absent."""
    if config is None:
        return None
    if config.name is PlatformName.BEDROCK:
        from claude_api_mcp.client.platforms.bedrock import Bedrock

        return Bedrock(config)
    if config.name is PlatformName.VERTEX:
        from claude_api_mcp.client.platforms.vertex import Vertex

        return Vertex(config)
    from claude_api_mcp.client.platforms.foundry import Foundry

    return Foundry(config)


__all__ = ["MissingExtra", "PlatformConfig", "PlatformName", "build", "from_env", "summary"]
