"""Resource updates across instances sharing ``--state-url`` (a real redis-server): a write on one instance
reaches the watchers on every instance exactly once, in both protocol eras; what else arrives on the channel
is ignored; a lost store is retried without a word of its password; without a store nothing imports redis."""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
import redis.asyncio as redis
from mcp import Client
from mcp.server import MCPServer
from mcp.shared.subscriptions import SUBSCRIPTION_ID_META_KEY
from mcp.types import ResourceUpdatedNotification

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.app.resources import SUMMARY_URI
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.core.store import CHANNEL, RedisStore
from claude_api_mcp.sandbox import Sandbox
from tests.helpers import call_ok
from tests.paths import REPO
from tests.procs import free_port
from tests.redis_support import redis_server

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::mcp.MCPDeprecationWarning")]
SETTLE_S = 0.5  # after the awaited events: time for a duplicate, were there one, to arrive too


class Heard:
    """Every resources/updated one client was sent: on its handshake-era subscription, or on a listen stream."""

    def __init__(self) -> None:
        self.subscribed: list[str] = []
        self.listened: list[str] = []

    async def on_message(self, message: Any) -> None:
        if isinstance(message, ResourceUpdatedNotification):
            on_listen = SUBSCRIPTION_ID_META_KEY in (message.params.meta or {})
            (self.listened if on_listen else self.subscribed).append(message.params.uri)

    def count(self) -> int:
        return len(self.subscribed) + len(self.listened)


@pytest.fixture
def redis_url(tmp_path: Path) -> Any:
    with redis_server(tmp_path) as url:
        yield url


async def listeners(url: str) -> int:
    """How many instances listen on the channel now (each one's relay holds one subscription)."""
    client = redis.Redis.from_url(url)
    try:
        counts = await client.pubsub_numsub(CHANNEL)
        return int(counts[0][1])
    finally:
        await client.aclose()


async def wait_for(predicate: Callable[[], Any], what: str, within: float = 10) -> None:
    """Poll: what is awaited happens in another instance, or in Redis, where no event can tell us."""
    with anyio.fail_after(within):
        while not await predicate():  # noqa: ASYNC110
            await anyio.sleep(0.02)
    assert await predicate(), what


@contextlib.asynccontextmanager
async def watchers(*servers: MCPServer) -> AsyncIterator[list[tuple[Client, Client, Heard, Heard]]]:
    """Per server: a handshake-era client subscribed to the summary and a 2026-07-28 client listening to it."""
    async with contextlib.AsyncExitStack() as stack:
        found = []
        for server in servers:
            old, new = Heard(), Heard()
            legacy = await stack.enter_async_context(Client(server, mode="legacy", message_handler=old.on_message))
            await legacy.subscribe_resource(SUMMARY_URI)
            modern = await stack.enter_async_context(Client(server, message_handler=new.on_message))
            await stack.enter_async_context(modern.listen(resource_subscriptions=[SUMMARY_URI]))
            found.append((legacy, modern, old, new))
        yield found


def instances(sandbox: Sandbox, url: str, n: int = 2) -> list[MCPServer]:
    settings = Settings(sandbox=True, profile=Profile.ADMIN, state_url=Secret(url))
    return [build_server(settings, sandbox=sandbox) for _ in range(n)]


async def test_a_write_on_one_instance_reaches_every_watcher_on_both_exactly_once(
    sandbox: Sandbox, redis_url: str
) -> None:
    one, two = instances(sandbox, redis_url)
    async with watchers(one, two) as [(writer, _, old1, new1), (other, _, old2, new2)]:
        await wait_for(lambda: _equals(listeners(redis_url), 2), "both relays listen")
        await call_ok(writer, "create_invite", {"email": "first.hire@acme.example", "role": "user"})
        # Instance two heard it from the store, on both kinds of watcher.
        await wait_for(lambda: _at_least(old2, new2, 1), "instance two's watchers heard instance one's write")
        # And back: instance one hears instance two's write after its own message (one channel, in order).
        await call_ok(other, "create_invite", {"email": "second.hire@acme.example", "role": "user"})
        await wait_for(lambda: _at_least(old1, new1, 2), "instance one's watchers heard both writes")
        await wait_for(lambda: _at_least(old2, new2, 2), "instance two's watchers heard both writes")
        await anyio.sleep(SETTLE_S)
        for heard in (old1, new1, old2, new2):  # each write once per watcher: its own instance did not repeat it
            assert heard.subscribed + heard.listened == [SUMMARY_URI, SUMMARY_URI]
        assert old1.listened == old2.listened == new1.subscribed == new2.subscribed == []
    # The lifespans ended: the relays let go of the channel.
    await wait_for(lambda: _equals(listeners(redis_url), 0), "no relay listens after shutdown")


async def test_a_dry_run_or_a_read_on_one_instance_announces_nothing_on_either(
    sandbox: Sandbox, redis_url: str
) -> None:
    one, two = instances(sandbox, redis_url)
    async with watchers(one, two) as [(writer, modern, old1, new1), (other, _, old2, new2)]:
        await wait_for(lambda: _equals(listeners(redis_url), 2), "both relays listen")
        await call_ok(writer, "create_invite", {"email": "dry.hire@acme.example", "role": "user", "dry_run": True})
        await call_ok(modern, "create_workspace", {"name": "Dry", "dry_run": True})
        await call_ok(writer, "list_users", {"limit": 1})
        # A real write on the other instance, then: it is the one thing each watcher hears.
        await call_ok(other, "create_invite", {"email": "real.hire@acme.example", "role": "user"})
        await wait_for(lambda: _at_least(old1, new1, 1), "instance one heard instance two's write")
        await anyio.sleep(SETTLE_S)
        assert [h.count() for h in (old1, new1, old2, new2)] == [1, 1, 1, 1]


async def test_what_else_arrives_on_the_channel_is_ignored_and_the_next_update_still_arrives(
    sandbox: Sandbox, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    one, two = instances(sandbox, redis_url)
    caplog.set_level(logging.DEBUG, logger="claude_api_mcp")
    good = {"from": "a-third-instance", "kind": "resource_updated", "uri": SUMMARY_URI}
    hostile = [
        b"not json at all",
        b"\xff\xfe\x00garbage",
        b"[" * 2000 + b"]" * 2000,  # nested past the parser's recursion limit, yet short enough to be parsed
        b"null",
        json.dumps(["resource_updated", SUMMARY_URI]).encode(),
        json.dumps({**good, "kind": "tools_list_changed"}).encode(),
        json.dumps({**good, "kind": "resource_deleted"}).encode(),
        json.dumps({**good, "uri": SUMMARY_URI + "x" * 1_000_000}).encode(),  # a 1 MB URI
        json.dumps({**good, "uri": "claude-api://organization/not-served"}).encode(),
        json.dumps({**good, "uri": ["list", "not", "string"]}).encode(),
        json.dumps({**good, "uri": None}).encode(),
        json.dumps({**good, "from": 7}).encode(),
        json.dumps({**good, "extra": "field"}).encode(),
        json.dumps({"from": "x", "kind": "resource_updated"}).encode(),
    ]
    raw = redis.Redis.from_url(redis_url)
    try:
        async with watchers(one, two) as [(writer, _, old1, new1), (_, _, old2, new2)]:
            await wait_for(lambda: _equals(listeners(redis_url), 2), "both relays listen")
            for message in hostile:
                assert await raw.publish(CHANNEL, message) == 2
            assert await raw.publish(CHANNEL, json.dumps(good).encode()) == 2  # another instance's, well formed
            await wait_for(lambda: _at_least(old2, new2, 1), "the well-formed message after the hostile ones")
            await call_ok(writer, "create_invite", {"email": "after.noise@acme.example", "role": "user"})
            await wait_for(lambda: _at_least(old2, new2, 2), "instance two heard the write after the noise")
            await wait_for(lambda: _at_least(old1, new1, 2), "instance one heard the third instance and its own")
            await anyio.sleep(SETTLE_S)
            for heard in (old1, new1, old2, new2):
                assert heard.subscribed + heard.listened == [SUMMARY_URI, SUMMARY_URI]
            assert await listeners(redis_url) == 2  # no relay died or dropped its subscription
    finally:
        await raw.aclose()
    ignored = [r for r in caplog.records if r.getMessage().startswith("ignored a message on the shared store")]
    assert len(ignored) == 2 * len(hostile)  # every hostile message, on each instance, and nothing else
    assert all(len(r.getMessage()) < 300 for r in ignored)  # the 1 MB URI is not copied into the log
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("claude_api_mcp")]


async def test_a_lost_store_is_retried_with_backoff_and_never_named_with_its_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "relay-password-0123456789abcdef"
    port = free_port()
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    monkeypatch.setattr(RedisStore, "RETRY_S", (0.1, 0.4))
    caplog.set_level(logging.INFO, logger="claude_api_mcp")
    store = RedisStore(Secret(url))
    heard: list[bytes] = []

    async def hear(message: bytes) -> None:
        heard.append(message)

    def losses() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.getMessage().startswith("lost the shared store's events")]

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(store.listen, hear)
        with anyio.fail_after(10):
            while len(losses()) < 4:  # noqa: ASYNC110  # nobody on the port yet: it keeps trying
                await anyio.sleep(0.02)
        with redis_server(tmp_path, port=port, password=password) as same:
            assert same == url
            await wait_for(lambda: _equals(listeners(url), 1), "the listener came back by itself")
            await store.broadcast(b"after the outage")
            await wait_for(lambda: _true(heard == [b"after the outage"]), "the broadcast after the outage")
        tasks.cancel_scope.cancel()
    await store.close()
    waits = [float(r.getMessage().rsplit("retrying in ", 1)[1].split(" ")[0]) for r in losses()]
    assert waits[:4] == [0.1, 0.2, 0.4, 0.4] and max(waits) == 0.4  # doubles, then stays at the cap
    assert all(password not in r.getMessage() and password not in str(r.args) for r in caplog.records)


PROBE = """
import json, sys, anyio
from mcp import Client
from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.secret import Secret

async def main():
    url = sys.argv[1] or None
    settings = Settings(sandbox=True, profile=Profile.ADMIN, state_url=Secret(url) if url else None)
    async with Client(build_server(settings), mode="legacy") as client:
        await client.subscribe_resource("claude-api://organization/summary")
        done = await client.call_tool("create_invite", {"email": "probe@acme.example", "role": "user"})
        assert not done.is_error
    print(json.dumps(sorted(m for m in sys.modules if m == "redis" or m.startswith("redis."))))

anyio.run(main)
"""


def test_without_a_state_url_nothing_imports_redis(redis_url: str) -> None:
    def imported(url: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(PROBE), url], cwd=REPO, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return list(json.loads(done.stdout.splitlines()[-1]))

    assert imported("") == []
    assert "redis.asyncio" in imported(redis_url)  # the probe does see redis when a store is configured


async def _equals(count: Any, expected: int) -> bool:
    return bool(await count == expected)


async def _at_least(first: Heard, second: Heard, n: int) -> bool:
    return first.count() >= n and second.count() >= n


async def _true(value: bool) -> bool:
    return value
