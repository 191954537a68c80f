"""AnthropicAPI: every upstream call goes through one lifespan-owned httpx.AsyncClient and this retry policy.

Retry policy (why each rule exists):

* Reads and idempotent writes are retried on 408/409/429/5xx/529 and on connection failures, because
  sending them twice changes nothing.
* Non-idempotent creates are retried only when the request provably was not processed: 429 and 529
  (rejected before processing) and failures to connect. Never after a read timeout or a reset, when the
  API may already have created the object.
* ``retry-after`` / ``retry-after-ms`` are honored; a wait longer than ``max_retry_wait`` is not slept
  through but reported, so the model can decide. A spend-limit 429 (which keeps failing until a person
  acts) is never retried.
* ``x-should-retry: false`` stops any retry. ``x-should-retry: true`` is a hint from a server (or a proxy)
  that cannot know whether a create was processed, so it only makes *idempotent* calls retry on statuses
  they would not otherwise retry; a create still goes out again only on 429, 529 or a failed connection.
* A read (GET/HEAD/OPTIONS) whose answer is cut mid-body (the headers arrived, the body did not) is sent
  again like after a 5xx; a write whose body is cut was processed and is never resent (the message says so).

Time (``Settings``): connect (and waiting for a pooled connection) ``connect_timeout``; an answer's
headers and chunks ``read_timeout`` apart at most; and the whole tool call, every attempt, body and retry
wait together, ``call_timeout`` (``--call-deadline``, server/client/deadline.py): when it runs out the error
says so and what was tried. A streamed body (SSE, JSONL, downloads) is bounded instead, once its headers
arrived, by ``stream_idle_timeout`` between chunks and ``stream_total_timeout`` in all. Bodies are read with
bounded memory by ``server/client/bodies.py``; one attempt's steps are in ``server/client/attempt.py``.
"""

from __future__ import annotations

import enum
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx

from claude_api_mcp import __version__
from claude_api_mcp.client import deadline
from claude_api_mcp.client.attempt import Attempts, Retryable, tracking_sends
from claude_api_mcp.client.bodies import ACCEPT_ENCODING
from claude_api_mcp.client.platforms.base import Platform
from claude_api_mcp.client.platforms.transport import plug
from claude_api_mcp.client.retry import IDEMPOTENT_METHODS, READ_METHODS, backoff
from claude_api_mcp.client.throttle import Throttle
from claude_api_mcp.core.config import KeyKind, Settings
from claude_api_mcp.core.errors import ApiError

log = logging.getLogger("claude_api_mcp.http")

USER_AGENT = f"claude-api-mcp/{__version__} python-httpx/{httpx.__version__}"
__all__ = ["USER_AGENT", "AnthropicAPI", "encode_query", "make_client", "tracking_sends"]


def encode_query(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Drop None, send booleans as true/false, and arrays bracketed and repeated (``group_by[]=a&group_by[]=b``)."""
    out: list[tuple[str, str]] = []
    for name, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            out.extend((f"{name}[]", _scalar(item)) for item in value)
        else:
            out.append((name, _scalar(value)))
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def make_client(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The one client: pooled connections, explicit timeouts, and the headers every call carries."""
    return httpx.AsyncClient(
        base_url=settings.base_url,
        transport=transport,
        timeout=_timeout(settings, settings.read_timeout),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30),
        headers={
            "user-agent": USER_AGENT,
            "anthropic-version": settings.anthropic_version,
            "accept-encoding": ACCEPT_ENCODING,  # only what server/client/bodies.py decodes with bounded memory
        },
        follow_redirects=False,
    )


def _timeout(settings: Settings, read: float) -> httpx.Timeout:
    return httpx.Timeout(connect=settings.connect_timeout, read=read, write=read, pool=settings.connect_timeout)


class AnthropicAPI:
    """JSON, streaming and multipart calls with per-tool keys, error envelopes and the retry policy."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: Settings,
        *,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        platform: Platform | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.settings = settings
        self._sleep = sleep
        self._clock = clock  # the deadline's clock: a test that fakes ``sleep`` moves it too
        self.throttle = Throttle(max_wait=settings.max_retry_wait, sleep=sleep)
        self.platform = platform

    @property
    def platform(self) -> Platform | None:
        """--platform: standard-key calls go to Bedrock/Vertex/Foundry (server/client/platforms)."""
        return self._platform

    @platform.setter
    def platform(self, platform: Platform | None) -> None:
        plug(self.client, platform)  # the one client's transport adapts the platform's answers
        self._platform = platform

    def _via_platform(self, key: KeyKind) -> Platform | None:
        return self.platform if key is KeyKind.API else None  # the Admin API is Anthropic's only

    def _headers(self, key: KeyKind, extra: Mapping[str, str] | None) -> dict[str, str]:
        if self._via_platform(key):  # the platform authenticates the call once it is rewritten
            return dict(extra or {})
        secret = self.settings.key(key)
        if secret is None:  # tools needing a missing key are never listed; this guards direct use
            raise ApiError(message=f"{key.env_var} is not set", network="config")
        headers = {"x-api-key": secret.reveal()}
        headers.update(extra or {})
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        key: KeyKind,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        files: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        on_response: Callable[[httpx.Response], None] | None = None,
        read: bool | None = None,
    ) -> Any:
        """Send one call (with retries) and return the parsed JSON body.

        ``on_response`` sees each successful response's status and headers before its body is read (the audit
        log records what was sent even when the body is then lost). The body is read up to
        ``max_response_bytes``, within ``read_timeout`` between chunks and the call's deadline in all; a read
        whose body is cut is sent again (a write never is; ``read``: a POST that changes nothing, like
        count_tokens, is a read too; by default only GET/HEAD/OPTIONS are)."""
        method = method.upper()
        request = self._build(method, path, key, params, json_body, files, data, headers, self.settings.read_timeout)
        read = method in READ_METHODS if read is None else read
        response, body = await self._exchange(
            request, method, path, key, idempotent, read_body=True, seen=on_response, read=read
        )
        request_id = response.headers.get("request-id")
        if not body.strip():
            return None
        try:
            return json.loads(body)
        except ValueError as exc:
            raise ApiError(message="the body was not valid JSON", network="truncated", request_id=request_id) from exc

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        key: KeyKind,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        files: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        read_timeout: float | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """Yield a successful response whose body is not yet read (SSE, JSONL, downloads).

        Retries cover everything up to the response headers, within the call's deadline; a body that breaks
        later is the caller's to report (it cannot be resumed safely in general). Read it with
        ``client.bodies`` (bounded memory); it may fall silent for at most ``read_timeout`` (default
        ``stream_idle_timeout``) at a time and run ``stream_total_timeout`` in all.
        """
        method = method.upper()
        idle = read_timeout or self.settings.stream_idle_timeout
        request = self._build(method, path, key, params, json_body, files, data, headers, idle)
        response, _ = await self._exchange(request, method, path, key, idempotent, read_body=False)
        if budget := deadline.current():
            budget.streaming(self.settings.stream_total_timeout)
        try:
            yield response
        finally:
            await response.aclose()

    def _build(
        self,
        method: str,
        path: str,
        key: KeyKind,
        params: Mapping[str, Any] | None,
        json_body: Any,
        files: Any,
        data: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        read_timeout: float,
    ) -> httpx.Request:
        query: list[tuple[str, str | int | float | bool | None]] = list(encode_query(params))
        return self.client.build_request(
            method,
            path,
            params=query,
            json=json_body,
            files=files,
            data=data,
            headers=self._headers(key, headers),
            timeout=_timeout(self.settings, read_timeout),
        )

    async def _exchange(
        self,
        request: httpx.Request,
        method: str,
        path: str,
        key: KeyKind,
        idempotent: bool | None,
        *,
        read_body: bool,
        seen: Callable[[httpx.Response], None] | None = None,
        read: bool = False,
    ) -> tuple[httpx.Response, bytearray]:
        """The retry loop, within the call's deadline: a successful response, its body read when ``read_body``."""
        idempotent = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        budget = deadline.current() or deadline.Budget(self.settings.call_timeout)  # direct use: per request
        budget.start(self._clock)
        platform = self._via_platform(key)
        if platform:  # Bedrock/Vertex/Foundry: rewritten once; its ``auth`` signs every attempt
            request = platform.rewrite_request(request, path)
        attempt = Attempts(self, request, method, idempotent, platform, budget, read=read)
        tries = 0
        while True:
            left = budget.remaining()
            if left <= 0:
                raise attempt.out_of_time()
            with anyio.move_on_after(left) as timer:
                try:
                    return await attempt.once(tries > 0, read_body, seen)
                except Retryable as failed:
                    err, retryable = failed.err, failed.retryable
            if timer.cancelled_caught:
                raise attempt.out_of_time()
            wait = backoff(tries, err.retry_after)
            if not retryable or tries >= self.settings.max_retries or wait > self.settings.max_retry_wait:
                raise err
            if wait >= budget.remaining():  # the retry could not finish in time: say so now, not after the wait
                raise attempt.out_of_time(f"a retry after {wait:.1f} s would pass it")
            if err.status == 429:
                self.throttle.pause(wait)  # the other requests in flight hold off with this one
            log.info(
                "retrying %s %s after %s (wait %.2f s, attempt %d)", method, request.url.path, err, wait, tries + 1
            )
            await self._sleep(wait)
            tries += 1
