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

Timeouts (``Settings``): connect (and waiting for a pooled connection) ``connect_timeout``; a non-streaming
call waits at most ``read_timeout`` for its answer and between its chunks; a streamed body at most
``stream_idle_timeout`` between chunks. The whole tool call, retries included, is bounded by
``call_timeout`` in ``server/app/assemble.py``. Bodies are read with bounded memory by ``server/client/bodies.py``.

Each request that may change something (any method but GET/HEAD/OPTIONS) is noted in the list set by
``tracking_sends()``, so a failed write can say whether anything left the machine.
"""

from __future__ import annotations

import enum
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any

import anyio
import httpx

from claude_api_mcp import __version__
from claude_api_mcp.client.bodies import ACCEPT_ENCODING, body_chunks, read_capped
from claude_api_mcp.client.platforms.base import Platform
from claude_api_mcp.client.responses import error_from_response
from claude_api_mcp.client.throttle import Throttle
from claude_api_mcp.core.config import KeyKind, Settings
from claude_api_mcp.core.errors import SPEND_LIMIT_CODES, ApiError

log = logging.getLogger("claude_api_mcp.http")

USER_AGENT = f"claude-api-mcp/{__version__} python-httpx/{httpx.__version__}"
_RETRYABLE_IDEMPOTENT = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
_RETRYABLE_ANY = frozenset({429, 529})  # rejected before processing: safe even for creates
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_BACKOFF_BASE, _BACKOFF_MAX = 0.5, 8.0
_ERROR_BODY_CAP = 1 << 20  # an error envelope is a few hundred bytes; more is a proxy page, read no further
_SENDS: ContextVar[list[str] | None] = ContextVar("claude_api_mcp_sends", default=None)


@contextmanager
def tracking_sends() -> Iterator[list[str]]:
    """Collect ``"METHOD /path"`` for every request that may change something sent inside this block."""
    sends: list[str] = []
    token = _SENDS.set(sends)
    try:
        yield sends
    finally:
        _SENDS.reset(token)


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
    ) -> None:
        self.client = client
        self.settings = settings
        self._sleep = sleep
        self.throttle = Throttle(max_wait=settings.max_retry_wait, sleep=sleep)
        self.platform = (
            platform  # --platform: standard-key calls go to Bedrock/Vertex/Foundry (server/client/platforms)
        )

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
    ) -> Any:
        """Send one call (with retries) and return the parsed JSON body.

        ``on_response`` sees the successful response's status and headers before its body is read (the audit
        log records what was sent even when the body is then lost). The body is read up to
        ``max_response_bytes``, within ``read_timeout``."""
        async with self.stream(
            method,
            path,
            key=key,
            params=params,
            json_body=json_body,
            files=files,
            data=data,
            headers=headers,
            idempotent=idempotent,
            read_timeout=self.settings.read_timeout,
        ) as response:
            if on_response is not None:
                on_response(response)
            try:
                body = await read_capped(response, self.settings.max_response_bytes)
            except httpx.HTTPError as exc:
                raise _network_error(exc, response.headers.get("request-id")) from exc
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

        Retries cover everything up to the response headers; a body that breaks later is the caller's to
        report (it cannot be resumed safely in general). Read it with ``server.bodies`` (bounded memory);
        it may fall silent for at most ``read_timeout`` (default ``stream_idle_timeout``) at a time.
        """
        method = method.upper()
        idempotent = method in _IDEMPOTENT_METHODS if idempotent is None else idempotent
        query: list[tuple[str, str | int | float | bool | None]] = list(encode_query(params))
        request = self.client.build_request(
            method,
            path,
            params=query,
            json=json_body,
            files=files,
            data=data,
            headers=self._headers(key, headers),
            timeout=_timeout(self.settings, read_timeout or self.settings.stream_idle_timeout),
        )
        sends = _SENDS.get() if method not in _READ_METHODS else None
        attempt = 0
        if platform := self._via_platform(key):  # Bedrock/Vertex/Foundry: rewritten, signed, once for every attempt
            request = await platform.prepare(request, path)
        while True:
            started = time.perf_counter()
            err: ApiError
            retryable: bool
            ticket = await self.throttle.acquire(waited=attempt > 0)
            if sends is not None:
                sends.append(f"{method} {request.url.path}")
            try:
                response = await self.client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                self.throttle.release(ticket, None)
                err, retryable = _network_error(exc, None), True  # never reached the API
                if sends:
                    sends.pop()
            except BaseException as exc:
                self.throttle.release(ticket, None)
                if not isinstance(exc, httpx.HTTPError):
                    raise
                err, retryable = _network_error(exc, None), idempotent
            else:
                self.throttle.release(ticket, response)
                log.debug(
                    "%s %s -> %s in %.0f ms (request id %s)",
                    method,
                    request.url.path,
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                    response.headers.get("request-id"),
                )
                if response.is_success:
                    if platform:  # reads like Anthropic's from here: its request id, and SSE (Bedrock)
                        platform.adapt(response)
                    try:
                        yield response
                    finally:
                        await response.aclose()
                    return
                body = bytearray()
                try:
                    async for piece in body_chunks(response, _ERROR_BODY_CAP, what="error body"):
                        body += piece
                except (httpx.HTTPError, ApiError):
                    pass  # a broken or oversized error body: the status alone still makes an error
                finally:
                    await response.aclose()
                err = platform.error(response, bytes(body)) if platform else error_from_response(response, body)
                retryable = _status_retryable(response, err, idempotent)
            wait = self._backoff(attempt, err.retry_after)
            if not retryable or attempt >= self.settings.max_retries or wait > self.settings.max_retry_wait:
                raise err
            if err.status == 429:
                self.throttle.pause(wait)  # the other requests in flight hold off with this one
            log.info(
                "retrying %s %s after %s (wait %.2f s, attempt %d)", method, request.url.path, err, wait, attempt + 1
            )
            await self._sleep(wait)
            attempt += 1

    @staticmethod
    def _backoff(attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return float(retry_after)
        ceiling = min(_BACKOFF_MAX, _BACKOFF_BASE * 2.0**attempt)
        return ceiling * (0.5 + random.random() / 2)  # jitter spreads out clients retrying together


def _status_retryable(response: httpx.Response, err: ApiError, idempotent: bool) -> bool:
    if err.error_code in SPEND_LIMIT_CODES:
        return False
    should = response.headers.get("x-should-retry")
    if should == "false":
        return False
    if should == "true" and idempotent:  # never for a create: the header cannot prove it was not processed
        return True
    status = response.status_code
    if status in _RETRYABLE_ANY:
        return True
    return idempotent and (status in _RETRYABLE_IDEMPOTENT or status >= 500)


def _network_error(exc: httpx.HTTPError, request_id: str | None) -> ApiError:
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        kind = "connect_timeout"
    elif isinstance(exc, httpx.ConnectError):
        kind = "connect"
    elif isinstance(exc, httpx.TimeoutException):
        kind = "read_timeout"
    else:
        kind = "reset"
    return ApiError(message=type(exc).__name__, network=kind, request_id=request_id)
