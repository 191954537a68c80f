"""A client that cancels a long call stops the upstream request, and leaves no task or connection behind."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from mcp import Client
from starlette.types import ASGIApp, Receive, Scope, Send

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.messages_state import messages_state
from tests.helpers import call_ok

pytestmark = pytest.mark.anyio

ERAS = [{}, {"mode": "legacy"}]
SLOW = 30.0  # seconds an upstream request would take: far longer than any test waits


class SlowUpstream:
    """Sandbox app middleware: user listings hang until the client disconnects (recorded) or SLOW passes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.started = 0
        self.disconnected = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/organizations/users":
            await self.app(scope, receive, send)
            return
        self.started += 1
        with anyio.move_on_after(SLOW):
            while (await receive())["type"] != "http.disconnect":
                pass
            self.disconnected.set()


@contextmanager
def upstream(app: ASGIApp) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port, in a thread, stopped (bounded) on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive()
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


async def _settle(condition: Any) -> None:
    """Wait (at most 5 s) until ``condition()`` holds: the things it watches have no event to await."""
    with anyio.fail_after(5):
        while not condition():  # noqa: ASYNC110
            await anyio.sleep(0.02)


@pytest.mark.parametrize("era", ERAS, ids=["modern", "legacy"])
async def test_cancelling_a_slow_list_closes_the_upstream_connection(era: dict[str, Any]) -> None:
    sandbox = Sandbox()
    slow = SlowUpstream(sandbox.app)
    settings = Settings(
        admin_key=Secret("sk-ant-admin01-cancel-test"),
        api_key=Secret("sk-ant-api03-cancel-test"),
        profile=Profile.ADMIN,
    )
    pool = httpx.AsyncHTTPTransport()  # a real connection pool, to look inside afterwards
    with upstream(slow) as url:
        settings = Settings(**{**settings.__dict__, "base_url": url})
        async with Client(build_server(settings, transport=pool), **era) as client:
            await call_ok(client, "get_organization")  # warm: one idle keep-alive connection
            baseline = len(asyncio.all_tasks())
            with anyio.move_on_after(0.5) as scope:
                await client.call_tool("list_users", {"all_pages": True})
            assert scope.cancelled_caught and slow.started == 1
            await _settle(slow.disconnected.is_set)  # the upstream saw the request abandoned
            await _settle(lambda: len(asyncio.all_tasks()) <= baseline)
            connections = pool._pool.connections
            assert not pool._pool._requests, "a request is still in flight"
            assert all(c.is_idle() or c.is_closed() for c in connections)
            after = await call_ok(client, "get_organization")  # and the server keeps serving
    assert after["id"] and slow.started == 1


@pytest.mark.parametrize("era", ERAS, ids=["modern", "legacy"])
async def test_cancelling_a_streamed_message_stops_the_stream(era: dict[str, Any]) -> None:
    sandbox = Sandbox()
    state = messages_state(sandbox)
    state.event_delay = 0.2  # a long generation: about 3 s of events if read to the end
    message = {"model": "claude-sonnet-4-5", "max_tokens": 2000, "messages": [{"role": "user", "content": "story"}]}
    server = build_server(Settings(sandbox=True, profile=Profile.ADMIN), sandbox=sandbox)
    async with Client(server, **era) as client:
        baseline = len(asyncio.all_tasks())
        with anyio.move_on_after(0.3) as scope:
            await client.call_tool("send_message", message)
        assert scope.cancelled_caught
        await _settle(lambda: len(asyncio.all_tasks()) <= baseline)
        await anyio.sleep(1.0)
        assert state.streams_finished == 0  # the upstream stream was stopped, not read to the end
        state.event_delay = 0.0
        done = await call_ok(client, "send_message", {**message, "max_tokens": 32})
    assert done["stop_reason"] and state.streams_finished == 1
