"""The API's wire conventions, for the sandbox's routes: error envelope, query parsing, both pagination styles."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class SandboxError(Exception):
    """Raised by a route; rendered as the API's error envelope with the request's id."""

    def __init__(self, status: int, type: str, message: str, error_code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.type, self.message, self.error_code = status, type, message, error_code


def invalid(message: str, error_code: str | None = None) -> SandboxError:
    return SandboxError(400, "invalid_request_error", message, error_code)


def not_found(what: str, ident: str) -> SandboxError:
    return SandboxError(404, "not_found_error", f"{what} {ident!r} not found.")


def error_body(status: int, type: str, message: str, request_id: str, error_code: str | None = None) -> bytes:
    error: dict[str, Any] = {"type": type, "message": message}
    if error_code:
        error["details"] = {"error_code": error_code}
    return json.dumps({"type": "error", "error": error, "request_id": request_id}).encode()


def error_response(exc: SandboxError, request_id: str) -> Response:
    return Response(
        error_body(exc.status, exc.type, exc.message, request_id, exc.error_code),
        status_code=exc.status,
        media_type="application/json",
    )


def new_request_id() -> str:
    return "req_" + secrets.token_urlsafe(18).replace("-", "a").replace("_", "b")[:24]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def ok(payload: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(payload, status_code=status)


# --- query parameters -------------------------------------------------------------------------------------


def q_int(request: Request, name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"{name}: Input should be a valid integer") from None
    if not lo <= value <= hi:
        raise invalid(f"{name}: Input should be between {lo} and {hi}")
    return value


def q_bool(request: Request, name: str, default: bool = False) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise invalid(f"{name}: Input should be a valid boolean")


def q_list(request: Request, name: str, allowed: Iterable[str] | None = None) -> list[str]:
    """An array parameter, sent bracketed and repeated (``name[]=a&name[]=b``) as the API expects."""
    values = request.query_params.getlist(f"{name}[]")
    if allowed is not None:
        allowed_set = set(allowed)
        for value in values:
            if value not in allowed_set:
                raise invalid(f"{name}[]: Input should be one of {sorted(allowed_set)}; got {value!r}")
    return values


def require_multipart(request: Request) -> None:
    """Uploads (files, skills) are multipart/form-data, as the API requires."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise invalid("content-type must be multipart/form-data")


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise invalid("content-type must be application/json")
    try:
        body = json.loads(raw)
    except ValueError:
        raise invalid("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    return body


# --- pagination -------------------------------------------------------------------------------------------


def page_by_id(request: Request, items: Sequence[dict[str, Any]], id_field: str = "id") -> dict[str, Any]:
    """Style A: ``limit``, ``after_id``, ``before_id`` → ``{data, has_more, first_id, last_id}``."""
    limit = q_int(request, "limit", 20, 1, 1000) or 20
    after, before = request.query_params.get("after_id"), request.query_params.get("before_id")
    if after and before:
        raise invalid("Only one of after_id and before_id may be given.")
    ids = [item[id_field] for item in items]
    if before:
        if before not in ids:
            raise invalid(f"before_id: {before!r} is not a valid cursor.")
        end = ids.index(before)
        start = max(0, end - limit)
        page, has_more = items[start:end], start > 0
    else:
        start = 0
        if after:
            if after not in ids:
                raise invalid(f"after_id: {after!r} is not a valid cursor.")
            start = ids.index(after) + 1
        page, has_more = items[start : start + limit], start + limit < len(items)
    return {
        "data": list(page),
        "has_more": has_more,
        "first_id": page[0][id_field] if page else None,
        "last_id": page[-1][id_field] if page else None,
    }


def encode_token(offset: int, salt: str) -> str:
    return "page_" + base64.urlsafe_b64encode(f"{salt}:{offset}".encode()).decode().rstrip("=")


def decode_token(token: str, salt: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token.removeprefix("page_") + "==").decode()
        token_salt, offset = raw.rsplit(":", 1)
        if token_salt != salt:
            raise ValueError
        return int(offset)
    except (ValueError, UnicodeDecodeError):
        raise invalid("page: invalid page token.") from None


def page_by_token(
    request: Request,
    items: Sequence[dict[str, Any]],
    *,
    salt: str,
    default_limit: int | None = 20,
    has_more: bool = True,
) -> dict[str, Any]:
    """Style B: ``limit``, ``page`` → ``{data, next_page}`` (plus ``has_more`` where the endpoint has it).

    ``default_limit=None`` means "everything in one page when no limit is given" (rate limits).
    """
    limit = q_int(request, "limit", default_limit, 1, 1000)
    token = request.query_params.get("page")
    start = decode_token(token, salt) if token else 0
    end = len(items) if limit is None else start + limit
    page = items[start:end]
    more = end < len(items)
    body: dict[str, Any] = {"data": list(page), "next_page": encode_token(end, salt) if more else None}
    if has_more:
        body["has_more"] = more
    return body


def key_kind(key: str) -> str | None:
    if key.startswith("sk-ant-admin"):
        return "admin"
    if key.startswith("sk-ant-"):
        return "api"
    return None
