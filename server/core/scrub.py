"""The one scrubber: no configured secret, and nothing shaped like an Anthropic key, leaves the process.

Every text the server emits passes through here, whatever its source (an upstream or a proxy may echo the
key back in an error message, a header or a body): tool results and ``ToolError`` text (``server/app/tool_build.py``),
log records (``SecretFilter``, installed on our loggers and the root handlers at startup), audit lines
(``server/safety/audit.py``) and ``doctor`` output (``server/cli/doctor.py``).

The configured secrets (both API keys, the HTTP token, platform credentials, state keys and the state
store's password: ``register_settings``) are registered once, process-wide, when a
server is built or doctor runs; the filter reads the registry when a record is emitted, so the order of
startup steps does not matter. Each secret is matched as is, percent-encoded and JSON-escaped, and also in
part: any run of at least ``PARTIAL`` characters that ends the secret (or, for a secret without the public
``sk-ant-`` prefix, starts it) is replaced too, since a truncated repr (pydantic's errors, a cut log line)
shows a key's tail (only when that end looks random: ``DISTINCT`` different characters). Secrets shorter
than ``MIN_SECRET`` characters are not matched: replacing every occurrence of a short string would garble
ordinary text (a token that short is refused off loopback).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.secret import Secret

KEY_PATTERN = re.compile(r"sk-ant-[A-Za-z0-9_\-]{20,}")  # a key, or enough of one to matter; not the public prefix
KEY_REDACTED = "sk-ant-…[redacted]"
REDACTED = "[redacted]"
MIN_SECRET = 8
PARTIAL = 12  # a secret's first or last this many characters mark a partial echo (a truncated repr, a log cut)
DISTINCT = 6  # ...if they are random enough not to occur in ordinary text ("000000000000" could)
# Loggers that log outside the root logger's handlers (uvicorn sets propagate=False on its own).
LOGGERS = ("claude_api_mcp", "mcp", "httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access", "starlette")

_lock = threading.Lock()
_forms: tuple[str, ...] = ()  # every registered secret in every form it may be echoed in, longest first
_json_safe = True  # no form changes when written inside a JSON string (see survives_json)


def _variants(secret: str) -> set[str]:
    return {secret, urllib.parse.quote(secret, safe=""), json.dumps(secret)[1:-1]}


def register(secrets: Iterable[Secret | str | None]) -> None:
    """Add secrets to the process-wide registry (idempotent)."""
    global _forms, _json_safe
    new = {v for s in secrets if s for v in _variants(s.reveal() if isinstance(s, Secret) else s)}
    with _lock:
        merged = {f for f in (*_forms, *new) if len(f) >= MIN_SECRET}
        _forms = tuple(sorted(merged, key=len, reverse=True))
        _json_safe = all(json.dumps(f, ensure_ascii=False)[1:-1] == f for f in _forms)


def register_settings(settings: Settings) -> None:
    """Every secret the configuration holds: keys, the HTTP token, the platform's credentials (--platform), the
    --state-key values and the --state-url password. Credentials a platform's chain mints later (botocore,
    google-auth, azure-identity) are registered by the platform when it gets them."""
    platform = settings.platform
    register((settings.admin_key, settings.api_key, settings.http_token, *settings.state_keys))
    if platform is not None:
        register((platform.token, platform.aws_secret_access_key, platform.aws_session_token))
    if settings.state_url is not None:
        register(url_secrets(settings.state_url.reveal()))


def url_secrets(url: str) -> list[str]:
    """A URL's password (as written and decoded): ``redis://:pw@host`` leaks in any message naming the URL."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return [url]  # cannot tell where its password is: the whole URL is the secret
    raw = parts.netloc.rpartition("@")[0].partition(":")[2] if "@" in parts.netloc else ""
    return [p for p in {raw, urllib.parse.unquote(raw)} if p]


def text(value: str, extra: Iterable[str] = ()) -> str:
    """``value`` with every registered secret (and ``extra``), whole or in part, and every key replaced."""
    if "sk-ant-" in value:
        value = KEY_PATTERN.sub(KEY_REDACTED, value)
    for secret in (*_forms, *extra):
        if not secret or len(secret) < MIN_SECRET:
            continue
        if len(secret) < 2 * PARTIAL or len(set(secret[-PARTIAL:])) < DISTINCT:
            value = value.replace(secret, REDACTED)
            continue
        value = _cut_tails(value, secret)
        if not secret.startswith("sk-ant-") and len(set(secret[:PARTIAL])) >= DISTINCT:
            value = _cut_tails(value[::-1], secret[::-1])[::-1].replace(REDACTED[::-1], REDACTED)
    return value


def survives_json() -> bool:
    """Whether every registered secret reads the same inside a JSON string (no quote, backslash or control
    character), so that scrubbing a value's JSON text finds whatever scrubbing each of its strings would."""
    return _json_safe


def _cut_tails(value: str, secret: str) -> str:
    """Replace every run that is a suffix of ``secret`` at least PARTIAL long (the whole secret included)."""
    tail = secret[-PARTIAL:]
    if tail not in value:
        return value
    out: list[str] = []
    pos = 0
    while (found := value.find(tail, pos)) != -1:
        start, k = found, len(secret) - PARTIAL  # extend backwards while the text keeps matching the secret
        while start > pos and k > 0 and value[start - 1] == secret[k - 1]:
            start, k = start - 1, k - 1
        out += (value[pos:start], REDACTED)
        pos = found + PARTIAL
    out.append(value[pos:])
    return "".join(out)


def value(obj: Any, extra: Iterable[str] = ()) -> Any:
    """A copy of a JSON-like value with every string (keys of objects too) scrubbed."""
    extra = tuple(extra)
    if isinstance(obj, str):
        return text(obj, extra)
    if isinstance(obj, Mapping):
        return {text(str(k), extra): value(v, extra) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [value(v, extra) for v in obj]
    return obj


class SecretFilter(logging.Filter):
    """Rewrites a record's message, traceback and stack text with secrets scrubbed; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict) and not record.args:  # a structured event (the call log): stays one
            record.msg = value(record.msg)
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string: keep the template, scrubbed, rather than lose it
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = text(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = text(record.exc_text)
        if record.stack_info:
            record.stack_info = text(record.stack_info)
        return True


FILTER = SecretFilter()


def install_logging() -> None:
    """Attach the filter to the root handlers and to the loggers (and handlers) that bypass them."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in LOGGERS)]
    for logger in loggers:
        if FILTER not in logger.filters:
            logger.addFilter(FILTER)
        for handler in logger.handlers:
            if FILTER not in handler.filters:
                handler.addFilter(FILTER)
