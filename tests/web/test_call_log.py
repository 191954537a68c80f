"""The per-call JSON log (``claude_api_mcp.calls``) goes through the one scrubber (issue 19 item 5).

The attack: an upstream (or a proxy before it) echoes the admin key back in a response header the log
carries, and a query filters by a person's email. Neither may reach the log line.
"""

from __future__ import annotations

import io
import json
import logging

import httpx
import pytest
from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core import scrub
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.web import metrics

pytestmark = pytest.mark.anyio
ADMIN_KEY = "sk-ant-admin01-" + "Qx7vLp2Rk9Tz4Wm8Nc3Hb6Yd1Fg5Js0Ue" + "-AA"
EMAIL = "ada.lovelace@example.com"


class EchoingUpstream(httpx.AsyncBaseTransport):
    """The sandbox, but every answer carries the request's key back in its ``request-id`` header."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        response.headers["request-id"] = "req_" + request.headers.get("x-api-key", "")
        return response


async def test_an_echoed_key_and_an_email_in_the_query_never_reach_the_call_log() -> None:
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(metrics.JsonLines())  # the formatter json_logs() installs on the real handler
    handler.addFilter(scrub.FILTER)  # as install_logging() puts it on handlers: a structured event stays one
    metrics.log.addHandler(handler)
    previous = metrics.log.level
    metrics.log.setLevel(logging.INFO)
    settings = Settings(admin_key=Secret(ADMIN_KEY), profile=Profile.ADMIN)
    server = build_server(settings, transport=EchoingUpstream(Sandbox().transport()), instruments=metrics.PROMETHEUS)
    try:
        async with Client(server) as client:
            result = await client.call_tool("list_users", {"email": EMAIL})
    finally:
        metrics.log.removeHandler(handler)
        metrics.log.setLevel(previous)
    assert not result.is_error
    text = lines.getvalue()
    records = [json.loads(line) for line in text.splitlines()]
    record = next(r for r in reversed(records) if r.get("event") == "tool_call")  # other events may follow
    assert record["tool"] == "list_users" and record["upstream"], record
    assert ADMIN_KEY not in text and ADMIN_KEY[-16:] not in text  # not whole, not in part
    assert EMAIL not in text and "example.com" not in text
    assert record["upstream"][0]["path"].startswith("/v1/organizations/users?")
    assert "email=…" in record["upstream"][0]["path"]  # which filter was used stays visible
    assert record["upstream"][0]["request_id"].startswith("req_")
