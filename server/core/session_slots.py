"""MCP sessions counted per client, in one atomic step per change: in this process, or in Redis.

The rules (``server/web/limits.py`` applies them to HTTP requests):

* A client (a person with OAuth, else the address) holds at most ``limit`` sessions. A new one beyond it
  ends the client's least recently used *idle* session (no request in flight): a client that opens and
  abandons sessions (the Inspector CLI, a conformance suite) is never locked out, and still never holds
  more than ``limit``. Only when every one of its sessions is busy is it refused.
* A session unused for ``idle`` seconds no longer counts. A session ended here (DELETE, or eviction) is
  remembered as ended for ``idle`` seconds, so every instance sharing the store refuses it (404) and
  ends its own copy: a DELETE that a proxy sends to the wrong instance still ends the session.
* A session that never answered (an opening request that failed) gives its slot back at once.

Slots are reserved under a ticket before the opening request runs, so 64 simultaneous openings are
counted as 64, not 0. Redis scripts take the time from the Redis server, so instances agree on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

BUSY_FOREVER_S = 3600.0  # a busy count left by an instance that died mid-request stops protecting after this
REFUSED_RETRY_S = 5  # all of a client's sessions are busy: when one is likely to be free again


@dataclass(frozen=True)
class Admission:
    admitted: bool
    evicted: str | None = None  # the idle session this opening ended to make room
    retry_after: int = 0


@dataclass
class MemorySessionSlots:
    """Session slots of one process (no ``--state-url``). Each method runs without an await: atomic."""

    clock: Callable[[], float] = time.monotonic
    _used: dict[str, dict[str, float]] = field(default_factory=dict)  # owner -> member -> last use
    _busy: dict[str, int] = field(default_factory=dict)  # member -> requests in flight
    _owner: dict[str, str] = field(default_factory=dict)  # member -> owner
    _ended: dict[str, float] = field(default_factory=dict)  # session id -> until when it is known as ended

    def _prune(self, owner: str, idle: float) -> dict[str, float]:
        now = self.clock()
        members = self._used.setdefault(owner, {})
        for member, last in list(members.items()):
            stale = now - last > idle and not self._busy.get(member)
            if stale or now - last > idle + BUSY_FOREVER_S:
                self._forget(member)
        if len(self._ended) > 100_000:  # a flood must not grow this without end
            self._ended = {s: t for s, t in self._ended.items() if t > now}
        return members

    def _forget(self, member: str) -> None:
        owner = self._owner.pop(member, None)
        if owner is not None:
            self._used.get(owner, {}).pop(member, None)
            if not self._used.get(owner):
                self._used.pop(owner, None)
        self._busy.pop(member, None)

    async def admit_session(self, owner: str, ticket: str, limit: int, idle: float) -> Admission:
        if len(self._owner) > 10_000:  # clients from many addresses that never came back: forget the idle
            for other in list(self._used):
                self._prune(other, idle)
        members = self._prune(owner, idle)
        evicted = None
        if len(members) >= limit:
            idle_ones = [m for m in members if not self._busy.get(m)]
            if not idle_ones:
                return Admission(False, retry_after=REFUSED_RETRY_S)
            evicted = min(idle_ones, key=lambda m: members[m])
            self._forget(evicted)
            self._ended[evicted] = self.clock() + idle
        self._used.setdefault(owner, {})[ticket] = self.clock()
        self._owner[ticket] = owner
        self._busy[ticket] = 1  # the opening request is in flight
        return Admission(True, evicted=evicted)

    async def bind_session(self, ticket: str, session_id: str) -> None:
        owner = self._owner.get(ticket)
        self._forget(ticket)
        if owner is not None:
            self._used.setdefault(owner, {})[session_id] = self.clock()
            self._owner[session_id] = owner
            self._busy[session_id] = 1  # its opening request is still being answered (session_end follows)

    async def release_ticket(self, ticket: str) -> None:
        self._forget(ticket)

    async def session_begin(self, session_id: str) -> bool:
        """A request on ``session_id`` starts; False when the session was ended (answer 404)."""
        if self._ended.get(session_id, 0.0) > self.clock():
            return False
        owner = self._owner.get(session_id)
        if owner is not None:
            self._used[owner][session_id] = self.clock()
            self._busy[session_id] = self._busy.get(session_id, 0) + 1
        return True

    async def session_end(self, session_id: str) -> None:
        owner = self._owner.get(session_id)
        if owner is not None:
            self._used[owner][session_id] = self.clock()
            if (left := self._busy.get(session_id, 1) - 1) > 0:
                self._busy[session_id] = left
            else:
                self._busy.pop(session_id, None)

    async def close_session(self, session_id: str, owner: str, idle: float) -> None:
        if self._owner.get(session_id, owner) != owner:
            return  # another client's session: not this caller's to end
        self._forget(session_id)
        self._ended[session_id] = self.clock() + idle

    async def ended_sessions(self, session_ids: Iterable[str]) -> set[str]:
        now = self.clock()
        return {s for s in session_ids if self._ended.get(s, 0.0) > now}

    async def sessions_of(self, owner: str, idle: float) -> int:
        return len(self._prune(owner, idle))


# Keys: {p}u:<owner> (zset member -> last use, ms), {p}b:<owner> (hash member -> in flight),
# {p}o:<member> (string: owner), {p}e:<session> (string: ended, expiring). Times from Redis's TIME.
_NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000\n"
_PRUNE = """
local function forget(p, owner, m)
  redis.call('ZREM', p .. 'u:' .. owner, m); redis.call('HDEL', p .. 'b:' .. owner, m)
  redis.call('DEL', p .. 'o:' .. m)
end
local function prune(p, owner, idle, now, stuck)
  local old = redis.call('ZRANGEBYSCORE', p .. 'u:' .. owner, '-inf', now - idle)
  for _, m in ipairs(old) do
    local busy = tonumber(redis.call('HGET', p .. 'b:' .. owner, m) or '0')
    local last = tonumber(redis.call('ZSCORE', p .. 'u:' .. owner, m))
    if busy <= 0 or now - last > idle + stuck then forget(p, owner, m) end
  end
end
"""
ADMIT = (
    _NOW
    + _PRUNE
    + """
local p, owner, ticket = ARGV[1], ARGV[2], ARGV[3]
local limit, idle, stuck = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
prune(p, owner, idle, now, stuck)
local evicted = false
if redis.call('ZCARD', p .. 'u:' .. owner) >= limit then
  local members = redis.call('ZRANGE', p .. 'u:' .. owner, 0, -1)
  for _, m in ipairs(members) do
    if tonumber(redis.call('HGET', p .. 'b:' .. owner, m) or '0') <= 0 then evicted = m; break end
  end
  if not evicted then return {0, false} end
  forget(p, owner, evicted)
  redis.call('SET', p .. 'e:' .. evicted, '1', 'PX', idle)
end
redis.call('ZADD', p .. 'u:' .. owner, now, ticket)
redis.call('HSET', p .. 'b:' .. owner, ticket, 1)
redis.call('SET', p .. 'o:' .. ticket, owner, 'PX', idle + stuck)
redis.call('PEXPIRE', p .. 'u:' .. owner, idle + stuck); redis.call('PEXPIRE', p .. 'b:' .. owner, idle + stuck)
return {1, evicted}
"""
)
BIND = (
    _NOW
    + """
local p, ticket, sid, idle, stuck = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local owner = redis.call('GET', p .. 'o:' .. ticket)
if not owner then return 0 end
redis.call('ZREM', p .. 'u:' .. owner, ticket); redis.call('HDEL', p .. 'b:' .. owner, ticket)
redis.call('DEL', p .. 'o:' .. ticket)
redis.call('ZADD', p .. 'u:' .. owner, now, sid)
redis.call('HSET', p .. 'b:' .. owner, sid, 1)
redis.call('SET', p .. 'o:' .. sid, owner, 'PX', idle + stuck)
return 1
"""
)
RELEASE = """
local p, m = ARGV[1], ARGV[2]
local owner = redis.call('GET', p .. 'o:' .. m)
if owner and ARGV[4] ~= '' and owner ~= ARGV[4] then return 0 end
if owner then redis.call('ZREM', p .. 'u:' .. owner, m); redis.call('HDEL', p .. 'b:' .. owner, m) end
redis.call('DEL', p .. 'o:' .. m)
if ARGV[3] ~= '' then redis.call('SET', p .. 'e:' .. m, '1', 'PX', tonumber(ARGV[3])) end
return 1
"""
STEP = (
    _NOW
    + """
local p, sid, delta, idle, stuck = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if delta > 0 and redis.call('EXISTS', p .. 'e:' .. sid) == 1 then return 0 end
local owner = redis.call('GET', p .. 'o:' .. sid)
if not owner then return 1 end
if redis.call('ZSCORE', p .. 'u:' .. owner, sid) then redis.call('ZADD', p .. 'u:' .. owner, now, sid) end
local busy = redis.call('HINCRBY', p .. 'b:' .. owner, sid, delta)
if busy <= 0 then redis.call('HDEL', p .. 'b:' .. owner, sid) end
redis.call('PEXPIRE', p .. 'o:' .. sid, idle + stuck)
redis.call('PEXPIRE', p .. 'u:' .. owner, idle + stuck); redis.call('PEXPIRE', p .. 'b:' .. owner, idle + stuck)
return 1
"""
)
COUNT = (
    _NOW
    + _PRUNE
    + """
prune(ARGV[1], ARGV[2], tonumber(ARGV[3]), now, tonumber(ARGV[4]))
return redis.call('ZCARD', ARGV[1] .. 'u:' .. ARGV[2])
"""
)


class RedisSessionSlots:
    """Session slots in Redis: every instance pointed at the same store counts the same sessions."""

    client: Any
    prefix: str
    idle_ms: int = 300_000  # set by the limiter from --session-idle-timeout before the first call

    def _ms(self, seconds: float) -> int:
        return max(1, int(seconds * 1000))

    async def admit_session(self, owner: str, ticket: str, limit: int, idle: float) -> Admission:
        self.idle_ms = self._ms(idle)
        args = [self.prefix, owner, ticket, limit, self.idle_ms, self._ms(BUSY_FOREVER_S)]
        admitted, evicted = await self.client.eval(ADMIT, 0, *args)
        if not admitted:
            return Admission(False, retry_after=REFUSED_RETRY_S)
        return Admission(True, evicted=evicted.decode() if isinstance(evicted, bytes) else None)

    async def bind_session(self, ticket: str, session_id: str) -> None:
        await self.client.eval(BIND, 0, self.prefix, ticket, session_id, self.idle_ms, self._ms(BUSY_FOREVER_S))

    async def release_ticket(self, ticket: str) -> None:
        await self.client.eval(RELEASE, 0, self.prefix, ticket, "", "")

    async def session_begin(self, session_id: str) -> bool:
        step = [self.prefix, session_id, 1, self.idle_ms, self._ms(BUSY_FOREVER_S)]
        return bool(await self.client.eval(STEP, 0, *step))

    async def session_end(self, session_id: str) -> None:
        await self.client.eval(STEP, 0, self.prefix, session_id, -1, self.idle_ms, self._ms(BUSY_FOREVER_S))

    async def close_session(self, session_id: str, owner: str, idle: float) -> None:
        await self.client.eval(RELEASE, 0, self.prefix, session_id, self._ms(idle), owner)

    async def ended_sessions(self, session_ids: Iterable[str]) -> set[str]:
        ids = list(session_ids)
        if not ids:
            return set()
        found = await self.client.mget([f"{self.prefix}e:{s}" for s in ids])
        return {s for s, v in zip(ids, found, strict=True) if v is not None}

    async def sessions_of(self, owner: str, idle: float) -> int:
        return int(await self.client.eval(COUNT, 0, self.prefix, owner, self._ms(idle), self._ms(BUSY_FOREVER_S)))
