"""Issue 10 #11: an upstream (or proxy) that echoes the key back gets it scrubbed from every text we emit.

The hostile upstream copies the ``x-api-key`` it received into error messages, the request id header and
envelope, success bodies, streamed text and a validation failure's input. Nothing the server emits (tool
text and structured content, progress, log records at DEBUG with tracebacks, the audit log, doctor output)
may contain either key or the HTTP token.
"""

from __future__ import annotations

import io
import json
import logging
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp.types import ElicitResult

from claude_api_mcp.app.resources import SUMMARY_URI
from claude_api_mcp.cli.doctor import run_doctor
from claude_api_mcp.core.config import ConfirmPolicy, Transport
from tests.helpers import text_of
from tests.hostile import ADMIN, API, CANARY, TAILS, TOKEN, RealUpstream, Upstream, connect, reply, settings

pytestmark = pytest.mark.anyio

MESSAGE = {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}


def echo(request: httpx.Request) -> httpx.Response:
    key = request.headers["x-api-key"]
    path = request.url.path
    headers = {"request-id": f"req_{key}"}

    def error(status: int) -> httpx.Response:
        envelope = {"type": "error", "error": {"type": "api_error", "message": f"bad key {key}"}, "request_id": key}
        return httpx.Response(status, json=envelope, headers=headers)

    if path == "/v1/organizations/me":
        return httpx.Response(200, json={"id": "org_1", "type": "organization", "name": key}, headers=headers)
    if path == "/v1/messages":
        return httpx.Response(
            200, content=reply(f"your key is {key}"), headers={**headers, "content-type": "text/event-stream"}
        )
    if path.startswith("/v1/organizations/api_keys/"):
        return httpx.Response(200, json=[key, {"id": key}], headers=headers)  # a shape that fails validation
    if path == "/v1/models":
        return error(500)  # retried (and logged as retried) until the retries are spent
    if request.method == "POST":
        return error(500)  # a create: not retried, and its audit line carries the echoed request id
    return error(401)


async def test_a_key_echoed_back_is_scrubbed_from_results_errors_logs_and_the_audit_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    upstream = Upstream(echo)
    seen: list[str] = []
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_organization", {}),
        ("list_users", {}),
        ("list_models", {}),
        ("create_workspace", {"name": "Echo"}),
        ("get_api_key", {"api_key_id": "apikey_01echo"}),
        ("send_message", MESSAGE),
    ]
    progress: list[str] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append(message or "")

    async with connect(upstream, tmp_path) as client:
        for name, args in calls:
            result = await client.call_tool(name, args, progress_callback=on_progress)
            seen.append(f"{name}: {text_of(result)} {result.structured_content!r}")
        logging.getLogger("uvicorn.error").warning("auth header was Bearer %s", TOKEN)  # a library logging it
    sent_keys = {r.headers["x-api-key"] for r in upstream.requests}
    assert sent_keys == {ADMIN, API}  # the keys really went upstream, so every echo above carried them
    assert len(upstream.requests) == 1 + 1 + 4 + 1 + 1 + 1  # list_models: 1 + 3 retries
    audit = (tmp_path / "audit.jsonl").read_text()
    assert '"http_status": 500, "request_id": "sk-ant-…[redacted]"' in audit  # the echoed id, scrubbed
    logs = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "retrying GET /v1/models" in logs and "Traceback" in logs  # the retries and the crash were logged
    for where, text in {
        "tool text": "\n".join(seen),
        "progress": "\n".join(progress),
        "logs": logs + caplog.text,
        "audit": audit,
    }.items():
        assert CANARY not in text, f"a key leaked into {where}"
        assert not [tail for tail in TAILS if tail in text], f"the end of a key leaked into {where}"
    assert "[redacted]" in seen[0] and "sk-ant-…[redacted]" in seen[-1]  # scrubbed, not dropped


def test_doctor_never_prints_a_key_a_real_upstream_echoes_back(tmp_path: Path) -> None:
    def answer(conn: socket.socket, head: bytes) -> None:
        key = next(
            line.split(b":", 1)[1].strip() for line in head.split(b"\r\n") if line.lower().startswith(b"x-api-key")
        )
        body = json.dumps({"type": "error", "error": {"type": "authentication_error", "message": f"key {key.decode()}"},
                           "request_id": key.decode()}).encode()  # fmt: skip
        conn.sendall(
            b"HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\nconnection: close\r\n"
            + b"request-id: "
            + key
            + b"\r\ncontent-length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )

    with RealUpstream(answer) as upstream:
        out = io.StringIO()
        code = run_doctor(settings(tmp_path, base_url=upstream.url, transport=Transport.STDIO), out=out)
    text = out.getvalue()
    assert code == 1 and upstream.connections >= 2  # both keys were tried, and both were echoed back
    assert "Authentication failed" in text and "[redacted]" in text
    assert CANARY not in text and not [tail for tail in TAILS if tail in text], text


async def test_the_organization_summary_resource_scrubs_an_echoed_key(tmp_path: Path) -> None:
    def org_and_lists(request: httpx.Request) -> httpx.Response:
        key = request.headers["x-api-key"]
        if request.url.path == "/v1/organizations/me":
            return httpx.Response(200, json={"id": "org_1", "type": "organization", "name": key})
        return httpx.Response(200, json={"data": [{"id": "user_01", "type": "user", "role": key}], "has_more": False})

    upstream = Upstream(org_and_lists)
    async with connect(upstream, tmp_path) as client:
        result = await client.read_resource(SUMMARY_URI)
    text = "".join(getattr(c, "text", "") for c in result.contents)
    assert '"name": "sk-ant-…[redacted]"' in text and len(upstream.requests) > 1
    assert CANARY not in text and not [tail for tail in TAILS if tail in text]


async def test_a_key_echoed_into_a_users_name_never_reaches_the_confirmation_question(tmp_path: Path) -> None:
    def user_named_after_the_key(request: httpx.Request) -> httpx.Response:
        key = request.headers["x-api-key"]
        user = {"id": "user_01x", "type": "user", "email": "a@acme.example", "name": key, "role": "user"}
        user["added_at"] = "2026-01-01T00:00:00Z"
        return httpx.Response(200, json=user if request.method == "GET" else {"id": "user_01x", "type": "user_deleted"})

    asked: list[str] = []

    async def person(context: Any, params: Any) -> Any:
        asked.append(params.message)
        return ElicitResult(action="decline")

    upstream = Upstream(user_named_after_the_key)
    async with connect(
        upstream, tmp_path, confirm=ConfirmPolicy.ALWAYS, client_kwargs={"elicitation_callback": person}
    ) as client:
        result = await client.call_tool("remove_user", {"user_id": "user_01x"})
    assert result.is_error and asked, text_of(result)
    secret_part = ADMIN.removeprefix("sk-ant-admin01-")[:16]  # the prefix is public; what follows is not
    assert secret_part not in asked[0] and "[redacted]" in asked[0] and "a@acme.example" in asked[0]
