"""Faults upstream, injected into the sandbox: each has one expected outcome, and the server keeps serving.

Reads (and idempotent writes) are retried; creates are retried only when the API provably did not process
them (429, 529, a refused connection), never after a read timeout, a reset or a cut body, so a create is
never duplicated. Retry waits are recorded by the ``sleeps`` fixture instead of being spent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from claude_api_mcp.sandbox import Fault, Sandbox
from tests.conftest import Connect
from tests.helpers import Sleeps, call_ok, text_of

pytestmark = pytest.mark.anyio

GET_ORG = "GET /v1/organizations/me$"
NEW_INVITE = {"email": "fault.test@acme.example", "role": "user"}


@dataclass
class Case:
    fault: Fault
    succeeds: bool
    attempts: int  # requests that reached the sandbox app (faults before the app never do)
    says: str = ""  # in the error text
    request_id: bool = False  # the error names the request id
    sleeps: list[float] | None = None  # exact retry waits, when they are known in advance
    extra: dict[str, Any] = field(default_factory=dict)


READS = {
    "429 with retry-after": Case(
        Fault("status", GET_ORG, status=429, headers={"retry-after": "7"}), True, 1, sleeps=[7.0]
    ),
    "429 with retry-after-ms": Case(
        Fault("status", GET_ORG, status=429, headers={"retry-after-ms": "1500"}), True, 1, sleeps=[1.5]
    ),
    "429 without retry-after": Case(Fault("status", GET_ORG, status=429), True, 1),
    "429 retry-after beyond the cap": Case(
        Fault("status", GET_ORG, status=429, headers={"retry-after": "120"}),
        False,
        0,
        "Rate limited",
        True,
        sleeps=[],
    ),
    "429 spend limit": Case(
        Fault("status", GET_ORG, status=429, error_code="enforced_spend_limit_reached"),
        False,
        0,
        "Spend limit reached",
        True,
        sleeps=[],
    ),
    "529 overloaded": Case(Fault("status", GET_ORG, status=529, error_type="overloaded_error"), True, 1),
    "500 api error": Case(Fault("status", GET_ORG, status=500), True, 1),
    "502 with an HTML body": Case(Fault("html", GET_ORG, status=502), True, 1),
    "502 HTML, persistent": Case(Fault("html", GET_ORG, status=502, times=4), False, 0, "non-JSON body (text/html)"),
    "504 timeout": Case(Fault("status", GET_ORG, status=504, error_type="timeout_error"), True, 1),
    "connection refused": Case(Fault("connect", GET_ORG), True, 1),
    "connection reset": Case(Fault("reset", GET_ORG), True, 2),
    "read timeout": Case(Fault("read_timeout", GET_ORG), True, 2),
    # A body shorter than its content-length, or a connection closed mid-body: the headers arrived, the body
    # did not; a read goes again like after a 5xx (issue 25: 770 of 770 cut list_users answers failed at once).
    "body cut short once": Case(Fault("truncate", GET_ORG, keep_bytes=20), True, 2),
    "connection closed mid-body once": Case(Fault("cut_stream", GET_ORG, keep_bytes=20), True, 2),
    "body cut short every time": Case(
        Fault("truncate", GET_ORG, keep_bytes=20, times=4),
        False,
        4,
        "body was cut off after 20 of ",
        True,
    ),
}


@pytest.mark.parametrize("name", list(READS))
async def test_a_read_under_each_fault(name: str, connect: Connect, sandbox: Sandbox, sleeps: Sleeps) -> None:
    case = READS[name]
    sandbox.inject(case.fault)
    async with connect() as client:
        result = await client.call_tool("get_organization", {})
        after = await call_ok(client, "get_organization")  # the server keeps serving
    reached = [r for r in sandbox.requests if r.path == "/v1/organizations/me"]
    assert len(reached) == case.attempts + 1, name
    assert result.is_error is not case.succeeds, text_of(result)
    if not case.succeeds:
        assert case.says in text_of(result)
        assert ("request id: req_" in text_of(result)) is case.request_id
    if case.sleeps is not None:
        assert list(sleeps) == case.sleeps
    elif case.succeeds:
        assert len(sleeps) == 1 and 0 < sleeps[0] <= 1.0  # jittered backoff, first step
    assert after["id"]


CREATE = "POST /v1/organizations/invites$"
CREATES = {
    "429 with retry-after": Case(
        Fault("status", CREATE, status=429, headers={"retry-after": "3"}), True, 1, sleeps=[3.0]
    ),
    "529 overloaded": Case(Fault("status", CREATE, status=529, error_type="overloaded_error"), True, 1),
    "connection refused": Case(Fault("connect", CREATE), True, 1),
    "500 api error": Case(Fault("status", CREATE, status=500), False, 0, "The API failed (HTTP 500)", True, sleeps=[]),
    "502 with an HTML body": Case(Fault("html", CREATE, status=502), False, 0, "non-JSON body", sleeps=[]),
    "504 timeout": Case(Fault("status", CREATE, status=504, error_type="timeout_error"), False, 0, "timed out", True),
    "connection reset": Case(Fault("reset", CREATE), False, 1, "may have been processed", sleeps=[]),
    "read timeout": Case(Fault("read_timeout", CREATE), False, 1, "may still have been processed", sleeps=[]),
    "truncated JSON": Case(Fault("truncate", CREATE, keep_bytes=10), False, 1, "cut off", True, sleeps=[]),
}


@pytest.mark.parametrize("name", list(CREATES))
async def test_a_create_under_each_fault_is_never_duplicated(
    name: str, connect: Connect, sandbox: Sandbox, sleeps: Sleeps
) -> None:
    case = CREATES[name]
    sandbox.inject(case.fault)
    async with connect() as client:
        result = await client.call_tool("create_invite", NEW_INVITE)
        after = await call_ok(client, "create_workspace", {"name": "After the fault"})
    posts = [r for r in sandbox.requests if r.method == "POST" and r.path == "/v1/organizations/invites"]
    created = [i for i in sandbox.org.invites.values() if i["email"] == NEW_INVITE["email"]]
    assert len(posts) == case.attempts == len(created), (name, len(posts), len(created))  # at most one, ever
    assert result.is_error is not case.succeeds, text_of(result)
    if not case.succeeds:
        assert case.says in text_of(result)
        assert ("request id: req_" in text_of(result)) is case.request_id
    if case.sleeps is not None:
        assert list(sleeps) == case.sleeps
    assert after["name"] == "After the fault"


async def test_an_idempotent_write_is_retried_after_a_reset(connect: Connect, sandbox: Sandbox) -> None:
    ws = next(w for w in sandbox.org.workspaces.values() if w["name"] == "Staging")
    sandbox.inject(Fault("reset", f"POST /v1/organizations/workspaces/{ws['id']}$"))
    async with connect() as client:
        updated = await call_ok(client, "update_workspace", {"workspace_id": ws["id"], "name": "Staging 2"})
    assert updated["name"] == "Staging 2"
    assert len([r for r in sandbox.requests if r.method == "POST"]) == 2  # sent twice: harmless, by design


MESSAGE = {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Tell a story."}]}


async def test_a_stream_cut_mid_sse_is_a_clear_error_and_is_not_resent(connect: Connect, sandbox: Sandbox) -> None:
    sandbox.inject(Fault("cut_stream", "POST /v1/messages$", keep_bytes=300))
    async with connect() as client:
        result = await client.call_tool("send_message", MESSAGE)
        after = await client.call_tool("send_message", MESSAGE)
    text = text_of(result)
    assert result.is_error and "stream" in text and "request id: req_" in text
    assert len([r for r in sandbox.requests if r.path == "/v1/messages"]) == 2  # one per call: no resend
    assert not after.is_error and (after.structured_content or {}).get("stop_reason")
