"""The state several instances share: in this process by default, in Redis with ``--state-url``.

What goes here is small and short-lived: the confirmations already used (each is single use), the MCP
sessions counted against a limit (``server/core/session_slots.py``).
Each operation is one atomic step in the store (a Redis command or a
short Lua script), so two instances that race see one answer.

The store also carries short messages between the instances sharing it (``broadcast`` and ``listen``,
Redis pub/sub): what they mean is the app layer's business (``server/app/relay.py``). One process's store
has nobody to tell, so it sends and hears nothing.

Redis is an optional dependency (``pip install 'claude-api-mcp[redis]'``), imported only when a
``redis://`` URL is configured.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

import anyio

from claude_api_mcp.core import scrub
from claude_api_mcp.core.config import ConfigError
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.core.session_slots import Admission, MemorySessionSlots, RedisSessionSlots

PREFIX = "claude-api-mcp:"  # every key this server writes, so a shared Redis can hold other data too
CHANNEL = PREFIX + "events"  # the pub/sub channel of broadcast/listen
log = logging.getLogger("claude_api_mcp.store")


class Store(Protocol):
    shared: bool  # True when other instances see the same state

    async def claim_once(self, key: str, ttl: float) -> bool:
        """True the first time ``key`` is claimed within ``ttl`` seconds, False every time after."""
        ...

    # MCP sessions per client (the rules are in server/core/session_slots.py).
    async def admit_session(self, owner: str, ticket: str, limit: int, idle: float) -> Admission: ...
    async def bind_session(self, ticket: str, session_id: str) -> None: ...
    async def release_ticket(self, ticket: str) -> None: ...
    async def session_begin(self, session_id: str) -> bool: ...
    async def session_end(self, session_id: str) -> None: ...
    async def close_session(self, session_id: str, owner: str, idle: float) -> None: ...
    async def ended_sessions(self, session_ids: Iterable[str]) -> set[str]: ...
    async def sessions_of(self, owner: str, idle: float) -> int: ...

    async def broadcast(self, message: bytes) -> None:
        """Send ``message`` to every instance listening on this store (this one hears it too)."""
        ...

    async def listen(self, heard: Callable[[bytes], Awaitable[None]]) -> None:
        """Pass each message broadcast on this store to ``heard`` until cancelled (a lost connection is retried)."""
        ...

    async def close(self) -> None: ...


class MemoryStore(MemorySessionSlots):
    """One process's store: right for one instance, and what a deployment without ``--state-url`` gets."""

    shared = False

    def __init__(self, clock: Any = time.monotonic) -> None:
        super().__init__(clock=clock)
        self._clock = clock
        self._claimed: dict[str, float] = {}  # key -> expiry

    async def claim_once(self, key: str, ttl: float) -> bool:
        now = self._clock()
        if len(self._claimed) > 10_000:  # bounded: forget what has expired
            self._claimed = {k: e for k, e in self._claimed.items() if e > now}
        expiry = self._claimed.get(key)
        if expiry is not None and expiry > now:
            return False
        self._claimed[key] = now + ttl
        return True

    async def broadcast(self, message: bytes) -> None:
        return None  # no other instance shares this store

    async def listen(self, heard: Callable[[bytes], Awaitable[None]]) -> None:
        return None  # nothing to hear: nobody else can broadcast here

    async def close(self) -> None:
        return None


class RedisStore(RedisSessionSlots):
    """Redis (``redis://``, ``rediss://``, ``unix://``): every instance pointed at it shares one state."""

    shared = True
    RETRY_S = (0.5, 30.0)  # listen: the first wait after losing the connection, and the longest

    def __init__(self, url: Secret) -> None:
        try:
            import redis.asyncio as redis
        except ModuleNotFoundError:
            raise ConfigError("--state-url needs the Redis client: pip install 'claude-api-mcp[redis]'") from None
        self.client: Any = redis.Redis.from_url(url.reveal(), socket_timeout=5, socket_connect_timeout=5)
        self.prefix = PREFIX + "s:"

    async def claim_once(self, key: str, ttl: float) -> bool:
        done = await self.client.set(PREFIX + key, b"1", nx=True, px=max(1, int(ttl * 1000)))
        return bool(done)

    async def broadcast(self, message: bytes) -> None:
        await self.client.publish(CHANNEL, message)

    async def listen(self, heard: Callable[[bytes], Awaitable[None]]) -> None:
        delay, lost = self.RETRY_S[0], False
        while True:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                if lost:
                    log.warning("listening to the shared store's events again")
                delay, lost = self.RETRY_S[0], False
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
                    data = message.get("data") if isinstance(message, dict) else None
                    if message is not None and message.get("type") == "message" and isinstance(data, bytes):
                        await heard(data)
            except Exception as exc:  # the store is away: never the server's end; try again, a little later each time
                # The URL carries the store's password: only the (scrubbed) error is named, never the URL.
                log.warning(
                    "lost the shared store's events (%s: %s); retrying in %.1f s",
                    type(exc).__name__,
                    scrub.text(str(exc))[:200],
                    delay,
                )
                lost = True
            finally:
                # Shielded: at shutdown the connection goes back to the pool before the store closes it.
                with anyio.CancelScope(shield=True), anyio.move_on_after(2), contextlib.suppress(Exception):
                    await pubsub.aclose()  # a connection already gone has nothing left to release
            await anyio.sleep(delay)
            delay = min(delay * 2, self.RETRY_S[1])

    async def close(self) -> None:
        await self.client.aclose()


def open_store(url: Secret | None) -> Store:
    return RedisStore(url) if url is not None else MemoryStore()
