"""Client logging and the summary subscription over real streamable HTTP (the server in its own process),
in both protocol eras: log lines ride the call's own stream, the update the standalone stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import LoggingMessageNotificationParams, ResourceUpdatedNotification

from claude_api_mcp.app.resources import SUMMARY_URI
from tests.procs import http_server

pytestmark = [pytest.mark.e2e, pytest.mark.anyio, pytest.mark.filterwarnings("ignore::mcp.MCPDeprecationWarning")]


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_log_lines_and_the_summary_update_reach_an_http_client(tmp_path: Path, mode: str) -> None:
    logs: list[LoggingMessageNotificationParams] = []
    updated: list[str] = []
    heard = anyio.Event()

    async def on_log(params: LoggingMessageNotificationParams) -> None:
        logs.append(params)

    async def on_message(message: Any) -> None:
        if isinstance(message, ResourceUpdatedNotification):
            updated.append(message.params.uri)
            heard.set()

    kwargs: dict[str, Any] = {"logging_callback": on_log, "message_handler": on_message, "mode": mode}
    if mode == "auto":
        kwargs["log_level"] = "debug"  # 2026-07-28: the level travels with each request
    with http_server(["--sandbox", "--profile", "admin", "--confirm", "never"], tmp_path) as server:
        async with Client(server.url, **kwargs) as client:
            if mode == "legacy":
                await client.set_logging_level("debug")
                await client.subscribe_resource(SUMMARY_URI)
            listed = await client.call_tool("list_users", {"limit": 1})
            created = await client.call_tool("create_invite", {"email": f"http.{mode}@acme.example", "role": "user"})
            if mode == "legacy":  # the update travels on the standalone stream: it may trail the answer
                with anyio.fail_after(5):
                    await heard.wait()
    assert not listed.is_error and not created.is_error
    lines = [str(p.data) for p in logs if p.level == "debug"]
    assert any("GET /v1/organizations/users -> 200" in line for line in lines), lines
    assert any("POST /v1/organizations/invites -> 200" in line for line in lines), lines
    assert updated == ([SUMMARY_URI] if mode == "legacy" else [])  # 2026-07-28 clients listen instead
