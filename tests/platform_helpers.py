"""Shared by the tests/test_platform_*.py files: servers on a platform against the sandbox, and what they sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.platforms import PlatformCall, platform_state
from tests.helpers import Sleeps, call_ok

HELLO: list[Any] = [{"role": "user", "content": "Hello from a cloud platform"}]


@asynccontextmanager
async def on_platform(
    sandbox: Sandbox,
    config: PlatformConfig | PlatformName,
    *,
    sleeps: Sleeps | None = None,
    stand_ins: bool = True,
    **overrides: Any,
) -> AsyncIterator[Client]:
    """A client on a server whose core API goes to ``config``'s platform, answered by ``sandbox``.

    ``stand_ins`` (the default) is ``--sandbox``: the sandbox's stand-in credentials. Without it the server
    uses ``config``'s own credentials against the sandbox's transport, as it would against the cloud."""
    if isinstance(config, PlatformName):
        config = PlatformConfig(name=config)
    settings = Settings(sandbox=stand_ins, profile=Profile.ADMIN, platform=config, **overrides)
    server = build_server(
        settings,
        sandbox=sandbox,
        transport=None if stand_ins else sandbox.transport(),
        sleep=Sleeps() if sleeps is None else sleeps,
    )
    async with Client(server) as client:
        yield client


def calls(sandbox: Sandbox) -> list[PlatformCall]:
    return list(platform_state(sandbox).calls)


async def first_party_message(model: str, messages: list[Any] | None = None, **args: Any) -> dict[str, Any]:
    """The same request on Anthropic's API (a fresh sandbox), for comparing final Messages."""
    server = build_server(Settings(sandbox=True, profile=Profile.ADMIN), sandbox=Sandbox())
    async with Client(server) as client:
        return await call_ok(
            client, "send_message", {"model": model, "max_tokens": 300, "messages": messages or HELLO, **args}
        )
