"""The retry policy's decisions, in one place: which failures are retried, how long to wait, what to call them.

Why each rule exists is in the docstring of ``server/client/http.py``; this module only decides.
"""

from __future__ import annotations

import random

import httpx

from claude_api_mcp.core.errors import SPEND_LIMIT_CODES, ApiError

RETRYABLE_IDEMPOTENT = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
RETRYABLE_ANY = frozenset({429, 529})  # rejected before processing: safe even for creates
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BACKOFF_BASE, BACKOFF_MAX = 0.5, 8.0
# Failures that prove the request never reached the API, so even a create may go out again.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def backoff(attempt: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return float(retry_after)
    ceiling = min(BACKOFF_MAX, BACKOFF_BASE * 2.0**attempt)
    return ceiling * (0.5 + random.random() / 2)  # jitter spreads out clients retrying together


def status_retryable(response: httpx.Response, err: ApiError, idempotent: bool) -> bool:
    if err.error_code in SPEND_LIMIT_CODES:
        return False
    should = response.headers.get("x-should-retry")
    if should == "false":
        return False
    if should == "true" and idempotent:  # never for a create: the header cannot prove it was not processed
        return True
    status = response.status_code
    if status in RETRYABLE_ANY:
        return True
    return idempotent and (status in RETRYABLE_IDEMPOTENT or status >= 500)


def network_error(exc: httpx.HTTPError, request_id: str | None) -> ApiError:
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        kind = "connect_timeout"
    elif isinstance(exc, httpx.ConnectError):
        kind = "connect"
    elif isinstance(exc, httpx.TimeoutException):
        kind = "read_timeout"
    else:
        kind = "reset"
    return ApiError(message=type(exc).__name__, network=kind, request_id=request_id)


_OUTCOMES = {
    "connect": "connection refused",
    "connect_timeout": "connecting timed out",
    "read_timeout": "no answer within the read timeout",
    "reset": "connection closed before the answer's headers",
    "stalled": "the body fell silent",
}


def outcome(err: ApiError) -> str:
    """A failed attempt in a few words, for the deadline message and the per-call log."""
    if err.status is not None:
        return f"HTTP {err.status}"
    if err.network == "body_cut":
        return err.message.split(":", 1)[0]
    return _OUTCOMES.get(err.network or "", err.network or "error")


def cut_body(response: httpx.Response, received: int, request_id: str | None, *, processed: bool) -> ApiError:
    """The headers arrived but the body did not: say so, and how much came (never "before the API answered")."""
    declared = response.headers.get("content-length", "")
    of = f" of {int(declared):,}" if declared.isdigit() else ""
    what = f"body was cut off after {received:,}{of} bytes (HTTP {response.status_code}, the headers had arrived)"
    then = (
        "the API processed the request; check with a read tool before sending it again"
        if processed
        else "a read is sent again after a cut, up to the retry limit and within the call's deadline; retry later"
    )
    return ApiError(message=f"{what}: {then}", network="body_cut", request_id=request_id)


def is_short(response: httpx.Response) -> bool:
    """A body that ended cleanly before the length its headers declared: cut on the way, like a reset."""
    declared = response.headers.get("content-length", "")  # counts the bytes on the wire, as num_bytes_downloaded
    return declared.isdigit() and response.num_bytes_downloaded < int(declared)
