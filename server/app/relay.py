"""Resource updates between the instances sharing a store (``--state-url``): a write on one reaches every one.

Each instance delivers its own updates here at once (``Subscriptions.updated``), then hands them to the relay,
which broadcasts them on the store from a task of its own, so a slow or absent Redis never delays a write's
answer nor loses the local delivery. Every message names the instance that sent it; an instance skips its
own and delivers the others' to its own watchers (listen streams and handshake-era subscriptions alike).

What arrives from the store is untrusted bytes: a message is read only if it is small, is exactly the JSON
object this module writes, of the one kind it sends, for a URI this server serves; anything else is dropped
with a debug line. Without a shared store nothing starts and nothing is sent.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from claude_api_mcp.core.store import Store

log = logging.getLogger("claude_api_mcp.relay")

KIND = "resource_updated"
MAX_MESSAGE = 4096  # bytes: a message of ours is about a hundred; anything longer is not ours
MAX_URI = 2048
OUTBOX = 256  # updates waiting for the store; past that (a store away for long) a new one is dropped: it says no more


class Relay:
    """Broadcasts this instance's resource updates and delivers the other instances' ones here."""

    def __init__(self, served: Iterable[str] = ()) -> None:
        self.instance = secrets.token_hex(8)  # tags what this instance sends, so it skips its own
        self.served = frozenset(served)
        self._outbox: MemoryObjectSendStream[bytes] | None = None  # set while running on a shared store

    def encode(self, uri: str) -> bytes:
        return json.dumps({"from": self.instance, "kind": KIND, "uri": uri}, separators=(",", ":")).encode()

    def parse(self, message: bytes) -> str | None:
        """The URI another instance announced, or None (ours, or not a message this module wrote)."""
        try:
            sender, uri = _read(message, self.served)
        except (ValueError, RecursionError) as why:  # UnicodeDecodeError, JSONDecodeError; nesting too deep
            log.debug("ignored a message on the shared store's channel (%s): %r", why, message[:80])
            return None
        return None if sender == self.instance else uri

    def send(self, uri: str) -> None:
        """Queue ``uri`` for the other instances; never waits, never raises (nothing is queued without a store)."""
        if self._outbox is None:
            return
        try:
            self._outbox.send_nowait(self.encode(uri))
        except anyio.WouldBlock:
            log.warning("the shared store is not taking resource updates; one was not sent to the other instances")
        except anyio.ClosedResourceError:  # shutting down
            pass

    @asynccontextmanager
    async def running(self, store: Store, deliver: Callable[[str], Awaitable[None]]) -> AsyncIterator[None]:
        """While open (the server's lifespan), send queued updates and deliver heard ones with ``deliver``.

        One relay per server: a lifespan entered while another runs it (the SDK's in-process client enters
        the lifespan per connection) starts nothing, or each update from elsewhere would be delivered twice.
        A server that serves nothing watchable has nothing to send or hear."""
        if not store.shared or not self.served or self._outbox is not None:
            yield
            return
        send, receive = anyio.create_memory_object_stream[bytes](OUTBOX)

        async def heard(message: bytes) -> None:
            uri = self.parse(message)
            if uri is None:
                return
            try:
                await deliver(uri)
            except Exception:  # one watcher's failure must not stop the relay
                log.warning("could not deliver a resource update from another instance", exc_info=True)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(store.listen, heard)
            tasks.start_soon(_forward, store, receive)
            self._outbox = send
            try:
                yield
            finally:
                self._outbox = None
                send.close()
                tasks.cancel_scope.cancel()


async def _forward(store: Store, outbox: MemoryObjectReceiveStream[bytes]) -> None:
    async with outbox:
        async for message in outbox:
            try:
                await store.broadcast(message)
            except Exception as exc:  # the store is away: the update was delivered here; the others miss it
                log.warning("could not send a resource update to the other instances (%s)", type(exc).__name__)


def _read(message: bytes, served: frozenset[str]) -> tuple[str, str]:
    """(sender, uri) of a message exactly as ``Relay.encode`` writes it; ValueError for anything else."""
    if len(message) > MAX_MESSAGE:
        raise ValueError("too long")
    body = json.loads(message)
    if not isinstance(body, dict) or set(body) != {"from", "kind", "uri"}:
        raise ValueError("not an event")
    sender, kind, uri = body["from"], body["kind"], body["uri"]
    if not isinstance(sender, str) or kind != KIND:
        raise ValueError("an unknown kind")
    if not isinstance(uri, str) or len(uri) > MAX_URI or uri not in served:
        raise ValueError("a URI this server does not serve")
    return sender, uri
