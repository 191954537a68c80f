"""Errors from the upstream API, and the one table that turns them into messages a model can act on.

Exception tree::

    ApiError                 anything that went wrong talking to the API
    ├── (status set)         the API (or a proxy in front of it) answered with an error status
    └── (status None)        no usable answer: connection refused/reset, timeout, truncated body, or an
                             answer refused for its size, encoding or pace (``network`` names which)

Tools never raise ``ApiError`` to the MCP layer: ``tool_error()`` converts it into a ``ToolError``,
the only exception whose text reaches the model in mcp 2.x.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError

from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.validation import plain


@dataclass
class ApiError(Exception):
    message: str
    status: int | None = None
    type: str | None = None  # error.type of the envelope, e.g. "not_found_error"
    error_code: str | None = None  # error.details.error_code, when the API names a cause
    request_id: str | None = None
    retry_after: float | None = None  # seconds, from retry-after / retry-after-ms
    network: str | None = None  # e.g. "connect", "read_timeout", "reset", "truncated", "body_cut", "deadline"
    credential: str | None = None  # --platform: what to check when the platform refuses its credentials

    def __str__(self) -> str:
        status = f"HTTP {self.status} " if self.status else ""
        return f"{status}{self.type or self.network or 'error'}: {self.message}"


# error_codes of a 429 that will keep failing until a person changes a limit: never retried.
SPEND_LIMIT_CODES = frozenset({"enforced_spend_limit_reached", "contract_spend_limit_reached", "ramp_limit_exceeded"})

_NETWORK_MESSAGES = {
    "connect": "could not connect to {base}. Check the network, a proxy, or --base-url",
    "connect_timeout": "connecting to {base} timed out. Check the network or --base-url",
    "read_timeout": "the API did not answer in time. The request may still have been processed; "
    "check with a read tool before retrying a create",
    "reset": "the connection was closed before the API's answer arrived. The request may have been processed; "
    "check with a read tool before retrying a create",
    "body_cut": "the answer's {detail}",
    "deadline": "{detail}. Retry later; --call-deadline sets the time a call may take",
    "truncated": "the API's answer was cut off or was not valid JSON",
    "stream_cut": "the response stream ended before it was complete; retry the call",
    # Answers refused by the limits in docs/safety.md ("Hostile upstream"): a proxy or upstream misbehaving.
    "too_large": "the API's answer was not read: {detail}. If it is genuine, ask for less (a smaller limit, a "
    "shorter window, fewer result lines)",
    "undecodable": "the API's answer could not be decoded: {detail}",
    "stalled": "the API stopped sending: {detail}. The request may have been processed; check with a read tool "
    "before retrying a create",
}
_ANSWER_KINDS = frozenset({"truncated", "stream_cut", "too_large", "undecodable", "stalled", "body_cut"})


def describe(err: ApiError, *, key: KeyKind, not_found_hint: str | None = None, base_url: str = "") -> str:
    """One message per failure class: what happened, and what to do next."""
    if err.status is None and err.network == "config":  # a platform's credentials could not be loaded
        text = f"Not sent: {err.message}" + (f". Check {err.credential}." if err.credential else "")
    elif err.status is None:
        template = _NETWORK_MESSAGES.get(err.network or "", "network error: {detail}")
        prefix = "Upstream unreachable: "
        if err.network in _ANSWER_KINDS:
            prefix = "Upstream answer unusable: "
        elif err.network == "deadline":
            prefix = "Out of time: "
        text = prefix + template.format(base=base_url or "the API", detail=err.message)
    else:
        text = _describe_status(err, key=key, not_found_hint=not_found_hint)
    if err.request_id:
        text += f" (request id: {err.request_id})"
    return text


def _describe_status(err: ApiError, *, key: KeyKind, not_found_hint: str | None) -> str:
    status, msg = err.status or 0, err.message.rstrip(". ")
    code = f" [{err.error_code}]" if err.error_code else ""
    if status == 400:
        return f"Invalid request{code}: {msg}"
    if status in (401, 403) and err.credential:  # a cloud platform's credentials, not an Anthropic key
        what = "Authentication failed" if status == 401 else "Permission denied"
        return f"{what}{code}: {msg}. Check {err.credential}."
    if status == 401:
        return (
            f"Authentication failed{code}: the API rejected {key.env_var} (malformed, revoked or expired). "
            f"Set {key.env_var} to a valid key: this tool needs {key.label}."
        )
    if status == 402:
        return f"Billing problem{code}: {msg}. Check the organization's billing in the Claude Console."
    if status == 403:
        return (
            f"Permission denied{code}: {msg}. This tool needs {key.label} with access to this resource "
            f"(set {key.env_var})."
        )
    if status == 404:
        if err.credential:  # a platform's 404: the tool's hint names first-party tools; the platform's own is in msg
            not_found_hint = None
        return f"Not found{code}: {msg}." + (f" {not_found_hint}" if not_found_hint else "")
    if status == 409:
        return f"Conflict{code}: {msg}. Something changed concurrently; read the current state and try again."
    if status == 413:
        return f"Request too large{code}: {msg}. Send less data per call."
    if status == 429:
        if err.error_code in SPEND_LIMIT_CODES:
            return f"Spend limit reached{code}: {msg}. Calls keep failing until the limit is raised or resets."
        wait = f"retry after {err.retry_after:g} s" if err.retry_after is not None else "retry in a minute"
        return f"Rate limited{code}: {msg}; {wait}."
    if status == 529:
        wait = f"retry after {err.retry_after:g} s" if err.retry_after is not None else "retry in a few seconds"
        return f"The API is overloaded{code}; {wait}."
    if status == 504:
        return f"The API timed out{code}: {msg}. Retry; for long generations use batches."
    if status >= 500:
        return f"The API failed (HTTP {status}){code}: {msg}. Retry in a few seconds."
    return f"HTTP {status} {err.type or 'error'}{code}: {msg}"


def tool_error(err: ApiError, *, key: KeyKind, not_found_hint: str | None = None, base_url: str = "") -> ToolError:
    return ToolError(describe(err, key=key, not_found_hint=not_found_hint, base_url=base_url))


_CHECK_UPSTREAM = "The API (or a proxy in front of it) sent something unexpected: retry, or check --base-url."


def _clip(text: object, limit: int = 300) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[:limit] + "…"


def describe_unexpected(exc: Exception) -> str:
    """A failure no layer anticipated, as one plain sentence (never a traceback)."""
    if isinstance(exc, ValidationError):  # an API object that did not fit its model, in plain words
        return f"The API returned an unexpected {exc.title} shape: {_clip(plain(exc))} " + _CHECK_UPSTREAM
    if isinstance(exc, UnicodeError):
        return f"Text that should have been UTF-8 was not ({_clip(exc, 120)}). " + _CHECK_UPSTREAM
    if isinstance(exc, AttributeError | TypeError | KeyError | IndexError | RecursionError):
        return (
            f"The API's answer did not have the expected shape ({type(exc).__name__}: {_clip(exc)}). " + _CHECK_UPSTREAM
        )
    if isinstance(exc, OSError):
        name = f" {_clip(exc.filename, 200)}" if exc.filename else ""
        return f"A local file could not be used{name}: {exc.strerror or _clip(exc)}. Check the path and try again."
    if isinstance(exc, ValueError):
        return f"A value could not be used: {_clip(exc)}. Check the arguments (no null bytes, shorter values)."
    return f"The call failed unexpectedly ({type(exc).__name__}: {_clip(exc)})."


def with_note(text: str, note: str) -> str:
    """``text`` and then ``note`` as its own sentence."""
    if not note:
        return text
    text = text.rstrip()
    return text + ("" if text.endswith((".", ")")) else ".") + note


def sent_note(read_only: bool, sends: Sequence[str]) -> str:
    """For a write that failed without an answer to report: whether anything that changes state was sent."""
    if read_only:
        return ""
    if not sends:
        return " Nothing was sent to the API."
    return (
        f" A request that may change something was sent ({sends[-1]}); it may have been processed: check with a "
        "read tool before retrying."
    )
