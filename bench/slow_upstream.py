"""The sandbox API as the real one feels: a delay per request and a rate limit, served on a loopback port.

Every request waits ``delay`` ± ``jitter`` seconds before it is answered (the real API answers in
100–500 ms). Requests beyond the rate limit (a token bucket: ``rate`` per second, bursts of ``burst``) get
the API's 429 ``rate_limit_error`` with ``retry-after``; every answer carries the API's
``anthropic-ratelimit-requests-{limit,remaining,reset}`` headers. The upstream counts what it answered, so
the bench can report requests and 429s per scenario. GET answers are computed once and replayed, so what
is measured is the latency, not the simulator's CPU time.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

import anyio
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.serve import bind


@dataclass
class Limits:
    delay: float = 0.25
    jitter: float = 0.05
    rate: float = 50.0  # requests per second, sustained
    burst: int = 50
    seed: int = 7


@dataclass
class Counts:
    requests: int = 0
    limited: int = 0
    in_flight: int = 0
    most_in_flight: int = 0
    chains: dict[str, int] = field(default_factory=dict)  # requests per report window (pages of one chain)

    def reset(self) -> None:
        self.requests = self.limited = self.in_flight = self.most_in_flight = 0
        self.chains.clear()


class SlowLimited:
    """ASGI middleware in front of the sandbox app."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app, self.limits = app, limits
        self.counts = Counts()
        self._tokens = float(limits.burst)
        self._stamp = time.monotonic()
        self._random = random.Random(limits.seed)
        self._lock = threading.Lock()
        # GET answers are replayed once computed: the sandbox's own CPU time (hundreds of ms for a week of
        # hourly buckets) would otherwise be measured instead of the latency the bench is about.
        self._cache: dict[tuple[str, str, bytes], list[Message]] = {}

    def _take(self) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until the bucket is full again)."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.limits.burst, self._tokens + (now - self._stamp) * self.limits.rate)
            self._stamp = now
            allowed = self._tokens >= 1
            if allowed:
                self._tokens -= 1
            refill = (self.limits.burst - self._tokens) / self.limits.rate
            return allowed, int(self._tokens), refill

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        c = self.counts
        c.requests += 1
        c.in_flight += 1
        c.most_in_flight = max(c.most_in_flight, c.in_flight)
        query = parse_qs(scope.get("query_string", b"").decode())
        chain = f"{scope['path']}?{query.get('starting_at', [''])[0]}..{query.get('ending_at', [''])[0]}"
        c.chains[chain] = c.chains.get(chain, 0) + 1
        try:
            await anyio.sleep(max(0.0, self._random.gauss(self.limits.delay, self.limits.jitter)))
            allowed, remaining, refill = self._take()
            reset = (datetime.now(timezone.utc) + timedelta(seconds=refill)).isoformat().replace("+00:00", "Z")
            headers = [
                (b"anthropic-ratelimit-requests-limit", str(self.limits.burst).encode()),
                (b"anthropic-ratelimit-requests-remaining", str(remaining).encode()),
                (b"anthropic-ratelimit-requests-reset", reset.encode()),
            ]
            if not allowed:
                c.limited += 1
                await self._limited(send, headers, math.ceil(1 / self.limits.rate))
                return

            key = (scope["method"], scope["path"], scope.get("query_string", b""))
            if scope["method"] == "GET" and key in self._cache:
                for message in self._cache[key]:
                    if message["type"] == "http.response.start":
                        message = {**message, "headers": [*message.get("headers", []), *headers]}
                    await send(message)
                return
            recorded: list[Message] = []

            async def send_with_headers(message: Message) -> None:
                recorded.append(message)
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), *headers]}
                await send(message)

            await self.app(scope, receive, send_with_headers)
            if scope["method"] == "GET" and recorded and recorded[0].get("status") == 200:
                self._cache[key] = recorded
        finally:
            c.in_flight -= 1

    @staticmethod
    async def _limited(send: Send, headers: list[tuple[bytes, bytes]], retry_after: int) -> None:
        body = json.dumps(
            {
                "type": "error",
                "error": {"type": "rate_limit_error", "message": "Number of requests has exceeded your rate limit"},
            }
        ).encode()
        extra = [(b"content-type", b"application/json"), (b"retry-after", str(retry_after).encode())]
        await send({"type": "http.response.start", "status": 429, "headers": [*headers, *extra]})
        await send({"type": "http.response.body", "body": body})


@dataclass
class Running:
    base_url: str
    app: SlowLimited
    sandbox: Sandbox


def big_org(sandbox: Sandbox, users: int) -> None:
    """Grow the sandbox organization to ``users`` members (for the all-pages list scenario)."""
    org: Any = sandbox.org
    added = datetime.now(timezone.utc) - timedelta(days=400)
    for n in range(len(org.users), users):
        org.add_user(f"Bench User {n}", f"bench.user{n}@acme.example", "user", added + timedelta(minutes=n))


@contextmanager
def serving(limits: Limits, users: int = 0) -> Iterator[Running]:
    sandbox = Sandbox()
    if users:
        big_org(sandbox, users)
    app = SlowLimited(sandbox.app, limits)
    sock = bind()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", limit_concurrency=1000)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="slow-upstream", daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the slow upstream failed to start")
            time.sleep(0.01)
        yield Running(f"http://127.0.0.1:{sock.getsockname()[1]}", app, sandbox)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
