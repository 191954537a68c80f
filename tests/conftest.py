"""Fixtures: a fresh sandbox per test, and connect(...) → an in-memory MCP client on a server built for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from mcp import Client

from server.app import build_server
from server.config import Profile, Settings
from server.sandbox import Sandbox
from tests.helpers import Sleeps


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
