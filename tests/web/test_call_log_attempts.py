"""Issue 25 #2: the per-call log counts every upstream attempt, failed network attempts included.

A refused connection and a cut body produce no response for the httpx hook to see; the call log still
lists them (from the client's tally), so a log reader sees 3 attempts where there were 3, not 1.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.sandbox import Fault, Sandbox
from claude_api_mcp.web import metrics
from tests.helpers import Sleeps, call_ok

pytestmark = pytest.mark.anyio


@pytest.fixture
def call_records() -> Iterator[list[dict[str, Any]]]:
    records: list[dict[str, Any]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if isinstance(record.msg, dict):
                records.append(record.msg)

    handler, logger = Collect(), logging.getLogger("claude_api_mcp.calls")
    logger.addHandler(handler)
    old_level, logger.level = logger.level, logging.INFO
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


async def test_a_refused_connection_and_a_cut_body_are_counted_with_the_answer(
    call_records: list[dict[str, Any]],
) -> None:
    sandbox = Sandbox()
    sandbox.inject(Fault("connect", "GET /v1/organizations/me$"))
    sandbox.inject(Fault("cut_stream", "GET /v1/organizations/me$", keep_bytes=10))
    server = build_server(
        Settings(sandbox=True, profile=Profile.ADMIN), sandbox=sandbox, instruments=metrics.PROMETHEUS, sleep=Sleeps()
    )
    async with Client(server) as client:
        await call_ok(client, "get_organization")
    (record,) = [r for r in call_records if r.get("tool") == "get_organization"]
    assert record["ok"] is True and record["attempts"] == 3
    refused, cut = record["failed_attempts"]
    assert refused == "GET /v1/organizations/me: connection refused"
    assert cut.startswith("GET /v1/organizations/me: body was cut off after 10 of ")
