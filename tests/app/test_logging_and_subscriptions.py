"""MCP logging (scrubbed, at the level the client asked for) and resource subscriptions, from the Python SDK
client in both protocol eras against the sandbox."""

from __future__ import annotations

import logging
import threading
from typing import Any

import anyio
import pytest
from mcp.types import LoggingMessageNotificationParams, ResourceUpdatedNotification

from claude_api_mcp.app.client_logs import ToClient, _Sink, _sink
from claude_api_mcp.app.resources import SUMMARY_URI
from claude_api_mcp.core.config import Profile
from claude_api_mcp.sandbox import SANDBOX_ADMIN_KEY, Fault, Sandbox
from tests.conftest import Connect
from tests.helpers import call_ok

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::mcp.MCPDeprecationWarning")]


class Received:
    """What the client was sent besides answers: log entries and other notifications."""

    def __init__(self) -> None:
        self.logs: list[LoggingMessageNotificationParams] = []
        self.updated: list[str] = []

    async def on_log(self, params: LoggingMessageNotificationParams) -> None:
        self.logs.append(params)

    async def on_message(self, message: Any) -> None:
        if isinstance(message, ResourceUpdatedNotification):
            self.updated.append(message.params.uri)

    def kwargs(self, **extra: Any) -> dict[str, Any]:
        return {"logging_callback": self.on_log, "message_handler": self.on_message, **extra}


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_logging_completions_and_subscriptions_are_declared(connect: Connect, mode: str) -> None:
    async with connect(client_kwargs={"mode": mode}) as client:
        caps = client.server_capabilities
    assert caps is not None and caps.logging is not None and caps.completions is not None
    assert caps.resources is not None and caps.resources.subscribe is True


async def test_a_handshake_client_gets_records_at_its_level_only_after_asking(
    connect: Connect, sandbox: Sandbox
) -> None:
    got = Received()
    async with connect(client_kwargs=got.kwargs(mode="legacy")) as client:
        await call_ok(client, "list_users", {"limit": 1})
        assert got.logs == []  # nothing before logging/setLevel
        await client.set_logging_level("debug")
        await call_ok(client, "list_users", {"limit": 1})
        assert any(e.level == "debug" and "GET /v1/organizations/users" in str(e.data) for e in got.logs)
        got.logs.clear()
        await client.set_logging_level("info")
        sandbox.inject(Fault("status", match="GET /v1/organizations/users", status=503))
        await call_ok(client, "list_users", {"limit": 1})
    assert [e.level for e in got.logs] == ["info"]  # the retry; no debug lines any more
    assert "retrying GET /v1/organizations/users" in str(got.logs[0].data)
    assert got.logs[0].logger == "claude_api_mcp.http"


async def test_a_2026_client_opts_in_per_request_and_the_retry_line_is_scrubbed(
    connect: Connect, sandbox: Sandbox
) -> None:
    got = Received()
    # The upstream's error code echoes the Admin key; the retry line that quotes it must not.
    sandbox.inject(Fault("status", match="GET /v1/organizations/users", status=503, error_code=SANDBOX_ADMIN_KEY))
    async with connect(client_kwargs=got.kwargs(log_level="info")) as client:
        await call_ok(client, "list_users", {"limit": 1})
    assert [e.level for e in got.logs] == ["info"]
    text = str(got.logs[0].data)
    assert "retrying GET /v1/organizations/users" in text and SANDBOX_ADMIN_KEY not in text
    assert SANDBOX_ADMIN_KEY[-12:] not in text


async def test_a_2026_client_that_did_not_opt_in_gets_no_records(connect: Connect, sandbox: Sandbox) -> None:
    got = Received()
    sandbox.inject(Fault("status", match="GET /v1/organizations/users", status=503))
    async with connect(client_kwargs=got.kwargs()) as client:
        await call_ok(client, "list_users", {"limit": 1})
    assert got.logs == []


async def test_the_handler_scrubs_what_it_forwards_and_drops_a_burst_instead_of_blocking() -> None:
    send, receive = anyio.create_memory_object_stream[LoggingMessageNotificationParams](2)
    logger = logging.getLogger("claude_api_mcp.test_forwarding")
    handler = ToClient()
    token = _sink.set(_Sink(send, frozenset({"warning", "error"}), threading.get_ident()))
    calls = logging.getLogger("claude_api_mcp.calls")  # the operator's JSON call log: never the client's
    try:
        handler.emit(calls.makeRecord(calls.name, logging.WARNING, __file__, 1, "call of someone", (), None))
        for _ in range(5):
            handler.emit(
                logger.makeRecord(logger.name, logging.WARNING, __file__, 1, "key %s", (SANDBOX_ADMIN_KEY,), None)
            )
        handler.emit(logger.makeRecord(logger.name, logging.INFO, __file__, 1, "below the level", (), None))
    finally:
        _sink.reset(token)
    send.close()
    async with receive:
        forwarded = [params async for params in receive]
    assert len(forwarded) == 2  # the stream's bound; the rest dropped, the caller never waited
    assert all(SANDBOX_ADMIN_KEY not in str(p.data) and p.level == "warning" for p in forwarded)
    assert {p.logger for p in forwarded} == {logger.name}


async def test_a_write_notifies_the_summary_subscribers_and_a_dry_run_does_not(connect: Connect) -> None:
    got = Received()
    async with connect(client_kwargs=got.kwargs(mode="legacy")) as client:
        await client.subscribe_resource(SUMMARY_URI)
        await call_ok(client, "create_invite", {"email": "new.hire@acme.example", "role": "user", "dry_run": True})
        await call_ok(client, "list_users", {"limit": 1})
        assert got.updated == []
        await call_ok(client, "create_invite", {"email": "new.hire@acme.example", "role": "user"})
        assert got.updated == [SUMMARY_URI]
        await client.unsubscribe_resource(SUMMARY_URI)
        await call_ok(client, "create_invite", {"email": "second.hire@acme.example", "role": "user"})
    assert got.updated == [SUMMARY_URI]  # nothing after unsubscribing


async def test_a_failed_write_notifies_nobody(connect: Connect) -> None:
    got = Received()
    async with connect(client_kwargs=got.kwargs(mode="legacy")) as client:
        await client.subscribe_resource(SUMMARY_URI)
        failed = await client.call_tool("get_user", {"user_id": "user_01nobody"})
        refused = await client.call_tool("remove_user", {"user_id": "user_01nobody"})
    assert failed.is_error and refused.is_error and got.updated == []


async def test_a_read_only_server_serves_subscriptions_without_announcing(connect: Connect) -> None:
    async with connect(profile=Profile.READ_ONLY, client_kwargs={"mode": "legacy"}) as client:
        await client.subscribe_resource("test://not-served")  # accepted, never fires (as the SDK's listen)
        await client.unsubscribe_resource("test://not-served")


async def test_a_2026_listener_hears_the_summary_updated_after_a_write(connect: Connect) -> None:
    async with connect() as client, client.listen(resource_subscriptions=[SUMMARY_URI]) as subscription:
        await call_ok(client, "create_invite", {"email": "listen.hire@acme.example", "role": "user"})
        with anyio.fail_after(5):
            event = await subscription.__aiter__().__anext__()
    assert getattr(event, "uri", None) == SUMMARY_URI
