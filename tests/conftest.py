"""Fixtures: a fresh sandbox per test, and connect(...) → an in-memory MCP client on a server built for it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.validation import is_library_text
from claude_api_mcp.sandbox import Sandbox
from tests.helpers import Sleeps


class _ToolErrors(logging.Handler):
    """Every tool error text an in-process server answers with (the SDK logs each one at INFO)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Tool ") and " failed: " in record.getMessage():
            self.texts.append(record.getMessage())


@pytest.fixture(autouse=True)
def no_library_text_reaches_a_model() -> Iterator[None]:
    """No error text the suite produces may carry pydantic's wording, class names or URL (issue 12)."""
    logger = logging.getLogger("mcp.server.mcpserver.server")
    handler, level = _ToolErrors(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    leaked = [text for text in handler.texts if is_library_text(text)]
    assert not leaked, f"library text in a tool error: {leaked[0][:500]}"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


Connect = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture
def connect(sandbox: Sandbox, sleeps: Sleeps) -> Connect:
    """``async with connect(profile=Profile.ADMIN, **settings) as client`` against this test's sandbox."""

    @asynccontextmanager
    async def _connect(
        profile: Profile = Profile.ADMIN, client_kwargs: dict[str, Any] | None = None, **overrides: Any
    ) -> AsyncIterator[Client]:
        settings = Settings(sandbox=True, profile=profile, **overrides)
        server = build_server(settings, sandbox=sandbox, sleep=sleeps)
        async with Client(server, **(client_kwargs or {})) as client:
            yield client

    return _connect
