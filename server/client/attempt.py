"""One attempt of one request: send it, read what the caller needs of the answer, and note how it ended.

``AnthropicAPI._exchange`` (server/client/http.py) loops over attempts within the call's deadline; an attempt
that failed in a way the retry policy may retry raises ``Retryable``; every attempt, failed network ones
included, is recorded in the call's ``deadline.Budget`` (for the deadline's message and the per-call log).

Each request that may change something (any method but GET/HEAD/OPTIONS) is noted in the list set by
``tracking_sends()``, so a failed write can say whether anything left the machine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

import httpx

from claude_api_mcp.client.bodies import body_chunks
from claude_api_mcp.client.deadline import Budget
from claude_api_mcp.client.platforms.base import Platform
from claude_api_mcp.client.responses import error_from_response
from claude_api_mcp.client.retry import (
    NEVER_SENT,
    READ_METHODS,
    cut_body,
    is_short,
    network_error,
    outcome,
    status_retryable,
)
from claude_api_mcp.client.throttle import Throttle
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.errors import ApiError


class Sender(Protocol):
    """What an attempt uses of ``AnthropicAPI`` (a Protocol, so this module never imports http: no cycle)."""

    client: httpx.AsyncClient
    throttle: Throttle
    settings: Settings


log = logging.getLogger("claude_api_mcp.http")

ERROR_BODY_CAP = 1 << 20  # an error envelope is a few hundred bytes; more is a proxy page, read no further
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


class Retryable(Exception):
    """An attempt failed; ``retryable``: the policy allows sending it again (if the deadline does)."""

    def __init__(self, err: ApiError, retryable: bool) -> None:
        super().__init__(str(err))
        self.err, self.retryable = err, retryable


class Attempts:
    def __init__(
        self,
        api: Sender,
        request: httpx.Request,
        method: str,
        idempotent: bool,
        platform: Platform | None,
        budget: Budget,
        *,
        read: bool = False,
    ) -> None:
        self.api, self.request, self.method = api, request, method
        self.idempotent, self.platform, self.budget = idempotent, platform, budget
        self.path = request.url.path
        self.read = read  # changes nothing: a cut body is sent again (a write's never is)
        self.sends = _SENDS.get() if method not in READ_METHODS else None
        self.stage = ""  # where an attempt the deadline stopped was: for its line in the tally

    def out_of_time(self, why: str = "") -> ApiError:
        if self.stage:  # the deadline stopped an attempt in flight: it counts too
            self.budget.record(self.method, self.path, self.stage)
            self.stage = ""
        because = f" ({why})" if why else ""
        return ApiError(
            message=f"the call's {self.budget.seconds:g} s deadline ran out{because}; {self.budget.summary()}",
            network="deadline",
        )

    def _fail(self, err: ApiError, retryable: bool) -> Retryable:
        self.stage = ""
        self.budget.record(self.method, self.path, outcome(err))
        return Retryable(err, retryable)

    async def once(
        self, waited: bool, read_body: bool, seen: Callable[[httpx.Response], None] | None
    ) -> tuple[httpx.Response, bytearray]:
        api = self.api
        self.stage = "still waiting for the rate limit"
        ticket = await api.throttle.acquire(waited=waited)
        if self.sends is not None:
            self.sends.append(f"{self.method} {self.path}")
        self.stage = "no answer yet"
        started = time.perf_counter()
        try:
            if self.platform:  # signed afresh each attempt (a new SigV4 date, a refreshed token)
                response = await api.client.send(self.request, stream=True, auth=self.platform.auth)
            else:
                response = await api.client.send(self.request, stream=True)
        except NEVER_SENT as exc:
            api.throttle.release(ticket, None)
            if self.sends:
                self.sends.pop()
            raise self._fail(network_error(exc, None), True) from exc  # never reached the API
        except ApiError:  # the platform's credentials could not be had: nothing left the machine
            api.throttle.release(ticket, None)
            if self.sends:
                self.sends.pop()
            self.stage = ""
            raise
        except BaseException as exc:
            api.throttle.release(ticket, None)
            if not isinstance(exc, httpx.HTTPError):
                raise
            raise self._fail(network_error(exc, None), self.idempotent) from exc
        api.throttle.release(ticket, response)
        request_id = response.headers.get("request-id")
        log.debug(
            "%s %s -> %s in %.0f ms (request id %s)",
            self.method,
            self.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
            request_id,
        )
        if not response.is_success:
            raise await self._error(response)
        if seen is not None:
            seen(response)
        if not read_body:
            self.stage = ""
            self.budget.record(self.method, self.path, f"HTTP {response.status_code}")
            return response, bytearray()
        self.stage = f"HTTP {response.status_code}, its body still arriving"
        body = bytearray()
        in_memory = response.is_stream_consumed  # built from bytes (a mock transport): nothing on a wire to cut
        try:
            async for piece in body_chunks(response, api.settings.max_response_bytes):
                body += piece
        except (httpx.HTTPError, ApiError) as exc:
            if isinstance(exc, ApiError) and exc.network != "stalled":  # too large, undecodable: the same again
                self.budget.record(self.method, self.path, outcome(exc))
                self.stage = ""
                raise
            raise self._cut(response, request_id) from exc
        finally:
            await response.aclose()
        if not in_memory and is_short(response):
            raise self._cut(response, request_id)
        self.stage = ""
        self.budget.record(self.method, self.path, f"HTTP {response.status_code}")
        return response, body

    def _cut(self, response: httpx.Response, request_id: str | None) -> Retryable:
        """The headers arrived, the body did not: a read goes again, a write was processed and never does."""
        err = cut_body(response, response.num_bytes_downloaded, request_id, processed=not self.read)
        return self._fail(err, self.read)

    async def _error(self, response: httpx.Response) -> Retryable:
        body = bytearray()
        try:
            async for piece in body_chunks(response, ERROR_BODY_CAP, what="error body"):
                body += piece
        except (httpx.HTTPError, ApiError):
            pass  # a broken or oversized error body: the status alone still makes an error
        finally:
            await response.aclose()
        err = self.platform.error(response, bytes(body)) if self.platform else error_from_response(response, body)
        return self._fail(err, status_retryable(response, err, self.idempotent))
