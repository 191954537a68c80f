"""A recording upstream for the generic tools (httpx.MockTransport), and arguments built from the catalog.

Operations the sandbox does not simulate yet would 404 there; this upstream answers every catalog
operation with a plausible body of the right kind (page, object, JSONL, binary, SSE), so tests can check
what goes on the wire: method, path, query, key, beta header.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.client.catalog import Operation, load_catalog
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.secret import Secret

ADMIN_KEY = "sk-ant-admin01-wire-test"
API_KEY = "sk-ant-api03-wire-test"
FILE = {"filename": "notes.txt", "content_base64": "aGVsbG8="}


class Upstream:
    def __init__(self, pages: int = 1, per_page: int = 2) -> None:
        self.requests: list[httpx.Request] = []
        self.pages, self.per_page = pages, per_page

    @property
    def writes(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method != "GET"]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        found = load_catalog().match(request.method, request.url.path)
        if found is None:
            return httpx.Response(404, json={"type": "error", "error": {"type": "not_found_error", "message": "no"}})
        op, params = found
        headers = {"request-id": "req_wire"}
        if any(value.startswith("missing") for value in params.values()):
            error = {"type": "not_found_error", "message": "Not found"}
            return httpx.Response(404, json={"type": "error", "error": error, "request_id": "req_404"})
        kind = op.response_kind
        if kind == "page":
            return httpx.Response(200, json=self._page(op, request), headers=headers)
        if kind == "jsonl":
            lines = "".join(
                json.dumps({"custom_id": f"r{i}", "result": {"type": "succeeded"}}) + "\n" for i in range(3)
            )
            return httpx.Response(200, content=lines.encode(), headers=headers)
        if kind == "binary":
            return httpx.Response(200, content=b"file body", headers={**headers, "content-type": "text/plain"})
        if kind == "sse":
            events = "".join(f'event: message\ndata: {{"type": "event", "n": {i}}}\n\n' for i in range(3))
            return httpx.Response(
                200, content=events.encode(), headers={**headers, "content-type": "text/event-stream"}
            )
        ident = next(reversed(params.values()), "obj_new") if params else "obj_new"
        return httpx.Response(200, json={"id": ident, "type": "thing", "name": "Finance"}, headers=headers)

    def _page(self, op: Operation, request: httpx.Request) -> dict[str, Any]:
        cursor = (
            request.url.params.get("after_id") or request.url.params.get("page") or request.url.params.get("page_token")
        )
        n = int(cursor.removeprefix("p")) if cursor else 0
        data = [{"id": f"item_{n * self.per_page + i}", "name": f"Item {i}"} for i in range(self.per_page)]
        more = n + 1 < self.pages
        if op.pagination == "cursor":
            return {"data": data, "has_more": more, "first_id": data[0]["id"], "last_id": f"p{n + 1}"}
        return {"data": data, "has_more": more, "next_page": f"p{n + 1}" if more else None}


@asynccontextmanager
async def connect(
    upstream: Upstream, profile: Profile = Profile.ADMIN, client_kwargs: dict[str, Any] | None = None, **overrides: Any
) -> AsyncIterator[Client]:
    settings = Settings(admin_key=Secret(ADMIN_KEY), api_key=Secret(API_KEY), profile=profile, **overrides)

    async def no_sleep(_: float) -> None:
        return None

    server = build_server(settings, transport=httpx.MockTransport(upstream), sleep=no_sleep)
    async with Client(server, **(client_kwargs or {})) as client:
        yield client


def sample(schema: dict[str, Any], name: str = "") -> Any:
    """A value that fits ``schema`` (ids are path-safe)."""
    if "anyOf" in schema:
        return sample(schema["anyOf"][0], name)
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    kind = schema.get("type", "string")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    if schema.get("format") == "binary":
        return FILE
    if kind == "array":
        items = schema.get("items") or {"type": "string"}
        return [FILE] if items.get("format") == "binary" else [sample(items, name)]
    if kind == "object":
        props = schema.get("properties") or {}
        return {k: sample(props[k], k) for k in schema.get("required", []) if k in props}
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if name in ("starting_at", "ending_at", "starting_date", "ending_date", "date"):  # a report window within reach
        return (datetime.now(timezone.utc) - timedelta(days=30 if name.startswith("ending") else 31)).date().isoformat()
    if schema.get("format") == "date-time":
        return "2026-11-01T00:00:00Z"
    if schema.get("format") == "date":
        return "2026-11-01"
    return f"{name or 'value'}_01abc"


def required_arguments(op: Operation) -> dict[str, Any]:
    return {name: sample(op.properties[name], name) for name in op.required}


def area(op: Operation) -> str:
    parts = op.id.removeprefix("beta.").split(".")
    return ".".join(parts[:2]) if parts[0] == "organization" and len(parts) > 2 else parts[0]


def one_per_area(*, writes: bool) -> list[Operation]:
    """The first operation of each area (organization.rbac_groups, beta agents, sessions, files, ...)."""
    chosen: dict[str, Operation] = {}
    for op in load_catalog().operations:
        if op.writes == writes and op.body != "multipart":
            chosen.setdefault(area(op), op)
    return list(chosen.values())
