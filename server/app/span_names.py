"""What a span may say about an upstream request: its route template (never a raw path or query string), and
how many times the same request was sent in one tool call (its resends)."""

from __future__ import annotations

import contextvars
import re
import time
from functools import cache

import httpx

# --- route templates --------------------------------------------------------------------------------------

_ID = re.compile(r"^(?:v\d+|[a-z]+(?:_[a-z]+)*)$")  # a version or plain word of the API's path, not an id


@cache
def _templates() -> tuple[tuple[re.Pattern[str], str], ...]:
    from claude_api_mcp.client.catalog import load_catalog

    seen: dict[str, str] = {}
    for op in load_catalog().operations:
        pattern = "^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(op.path)) + "$"
        seen.setdefault(pattern, op.path)
    # the most specific first: more literal segments win over placeholders
    ordered = sorted(seen.items(), key=lambda kv: (kv[1].count("{"), -len(kv[1])))
    return tuple((re.compile(p), template) for p, template in ordered)


def route_template(path: str) -> str:
    """``path`` as the catalog's template; a path it does not know keeps only its plain words."""
    path = path.split("?", 1)[0]
    for pattern, template in _templates():
        if pattern.match(path):
            return template
    return "/".join(s if not s or _ID.match(s) else "{id}" for s in path.split("/"))


# --- per tool call: how many times the same request was sent ------------------------------------------------

SENT: contextvars.ContextVar[dict[tuple[str, str], int] | None] = contextvars.ContextVar("otel_sent", default=None)


def resend_count(request: httpx.Request) -> int:
    sent = SENT.get()
    if sent is None:
        return 0
    key = (request.method, str(request.url))
    count = sent.get(key, 0)
    sent[key] = count + 1
    return count


def elapsed(started: float) -> float:
    return time.perf_counter() - started
