"""What an upstream answer says about itself: the API's error envelope, and how long it asks us to wait.

Shared by the client and the platforms (which map their own error shapes into the same ApiError).
"""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

import httpx

from claude_api_mcp.core.errors import ApiError


def parse_retry_after(headers: httpx.Headers) -> float | None:
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
        except (ValueError, TypeError, IndexError):  # not a date either: no advice, back off as usual
            return None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None
    return max(0.0, seconds) if seconds == seconds else None  # NaN is no advice


def error_from_response(response: httpx.Response, body: bytes | bytearray) -> ApiError:
    """The API's error envelope, or a clear description of a body that is not one (an HTML 502 from a proxy)."""
    request_id = _short(response.headers.get("request-id"), 200)
    retry_after = parse_retry_after(response.headers)
    try:
        payload = json.loads(body)
        error = payload["error"]
        details = error.get("details") or {}
        return ApiError(
            message=_short(error.get("message")) or response.reason_phrase,
            status=response.status_code,
            type=_short(error.get("type"), 100),
            error_code=_short(details.get("error_code"), 100) if isinstance(details, dict) else None,
            request_id=_short(payload.get("request_id"), 200) or request_id,
            retry_after=retry_after,
        )
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        what = "a non-JSON body" if isinstance(exc, ValueError | RecursionError) else "JSON that is not an API error"
        return ApiError(
            message=f"HTTP {response.status_code} with {what} ({kind}), likely from a proxy or load balancer",
            status=response.status_code,
            type="non_json_response",
            request_id=request_id,
            retry_after=retry_after,
        )


def _short(value: Any, limit: int = 1000) -> str | None:
    """A field of an error envelope as bounded text (a hostile one may hold anything, of any size)."""
    if value is None or value == "":
        return None
    text = value if isinstance(value, str) else json.dumps(value)[:limit]
    return text if len(text) <= limit else text[:limit] + "…"
