"""Session slots per client, the same rules in memory and in Redis (server/core/session_slots.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from claude_api_mcp.core.secret import Secret
from claude_api_mcp.core.store import MemoryStore, RedisStore, Store
from tests.redis_support import redis_server

pytestmark = pytest.mark.anyio
IDLE = 300.0


async def answered(store: Store, ticket: str, session_id: str) -> None:
    """What the limiter does for an opening request: bind the id as the answer starts, end it when done."""
    await store.bind_session(ticket, session_id)
    await store.session_end(session_id)


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    with redis_server(tmp_path) as url:
        shared = RedisStore(Secret(url))
        try:
            yield shared
        finally:
            await shared.close()


async def test_sixty_four_openings_at_the_same_instant_admit_exactly_the_limit(store: Store) -> None:
    results = []

    async def open_one(i: int) -> None:
        results.append(await store.admit_session("address:10.0.0.9", f"ticket-{i}", 16, IDLE))

    async with anyio.create_task_group() as tg:  # all still opening (busy): none can be evicted
        for i in range(64):
            tg.start_soon(open_one, i)
    admitted = [r for r in results if r.admitted]
    assert len(admitted) == 16 and all(r.evicted is None for r in admitted)
    assert all(r.retry_after > 0 for r in results if not r.admitted)
    assert await store.sessions_of("address:10.0.0.9", IDLE) == 16


async def test_abandoned_sessions_never_lock_a_client_out_and_it_never_holds_more_than_the_limit(
    store: Store,
) -> None:
    evicted = []
    for run in range(50):  # the README's Inspector command, 50 times: each leaves its session open
        admission = await store.admit_session("person:ada", f"t{run}", 16, IDLE)
        assert admission.admitted, run
        await answered(store, f"t{run}", f"s{run}")
        evicted.append(admission.evicted)
    assert evicted[:16] == [None] * 16 and evicted[16:] == [f"s{i}" for i in range(34)]  # oldest first
    assert await store.sessions_of("person:ada", IDLE) == 16
    assert await store.ended_sessions(["s0", "s33", "s34", "s49"]) == {"s0", "s33"}
    assert not await store.session_begin("s0")  # an evicted session is answered 404 on every instance
    assert await store.session_begin("s49")


async def test_a_busy_session_is_never_evicted_and_delete_frees_a_slot_for_its_owner_only(store: Store) -> None:
    for i in range(2):
        await store.admit_session("person:bob", f"t{i}", 2, IDLE)
        await answered(store, f"t{i}", f"s{i}")
    assert await store.session_begin("s0") and await store.session_begin("s1")  # both mid-request
    refused = await store.admit_session("person:bob", "t2", 2, IDLE)
    await store.session_end("s1")
    admitted = await store.admit_session("person:bob", "t3", 2, IDLE)
    await store.release_ticket("t3")  # its opening request failed: the slot comes back at once
    await store.close_session("s0", "person:mallory", IDLE)  # someone else's DELETE ends nothing
    still = await store.session_begin("s0")
    await store.close_session("s0", "person:bob", IDLE)
    assert not refused.admitted and refused.retry_after > 0
    assert admitted.admitted and admitted.evicted == "s1"  # the idle one, not the busy one
    assert still and not await store.session_begin("s0")
    assert await store.sessions_of("person:bob", IDLE) == 0


async def test_idle_sessions_stop_counting_after_the_idle_timeout(store: Store) -> None:
    for i in range(3):
        await store.admit_session("address:a", f"t{i}", 3, 0.3)
        await answered(store, f"t{i}", f"s{i}")
    await anyio.sleep(0.5)
    assert await store.sessions_of("address:a", 0.3) == 0
    fresh = await store.admit_session("address:a", "t9", 3, 0.3)
    assert fresh.admitted and fresh.evicted is None


async def test_the_memory_store_forgets_idle_clients_that_never_come_back() -> None:
    now = [0.0]
    store = MemoryStore(clock=lambda: now[0])
    for i in range(10_001):  # one session each from ten thousand addresses
        await store.admit_session(f"address:{i}", f"t{i}", 16, IDLE)
        await answered(store, f"t{i}", f"s{i}")
    now[0] += IDLE + 1
    await store.admit_session("address:new", "t-new", 16, IDLE)
    assert len(store._owner) == 1  # only the newcomer's slot is still held
