"""Canary keys never surface: not in tool output, error text, logs (at DEBUG), stderr, audit lines or reprs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import ElicitResult

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Fault, Sandbox
from tests.helpers import Sleeps, text_of

pytestmark = pytest.mark.anyio

CANARY = "CANARY7f3e9a"
ADMIN = f"sk-ant-admin01-{CANARY}-admin-0000000000000000000000000000"
API = f"sk-ant-api03-{CANARY}-api-00000000000000000000000000000000"
TOKEN = f"http-token-{CANARY}-0000000000"


def canary_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        admin_key=Secret(ADMIN),
        api_key=Secret(API),
        http_token=Secret(TOKEN),
        sandbox=True,
        profile=Profile.ADMIN,
        audit_log=tmp_path / "audit.jsonl",
        **overrides,
    )


def _visible(result: Any) -> str:
    return text_of(result) + repr(result.structured_content) + repr(result.meta)


async def _decline(context: Any, params: Any) -> ElicitResult:
    assert CANARY not in params.message
    return ElicitResult(action="decline")


async def test_canary_keys_appear_nowhere_across_successes_errors_dry_runs_and_faults(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox = Sandbox()
    seen: list[str] = []
    prod = next(w["id"] for w in sandbox.org.workspaces.values() if w["name"] == "Prod")
    message = {"model": "claude-sonnet-4-5", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_organization", {}),
        ("list_users", {"all_pages": True}),
        ("create_workspace", {"name": "Canary test", "dry_run": True}),
        ("create_workspace", {"name": "Canary test"}),
        ("archive_workspace", {"workspace_id": prod}),  # declined by the person
        ("archive_workspace", {"workspace_id": prod, "dry_run": True}),
        ("get_workspace", {"workspace_id": "wrkspc_01doesnotexist"}),  # 404
        ("get_workspace", {"workspace_id": "not-an-id"}),  # validation error
        ("send_message", message),
        ("send_message", {**message, "dry_run": True}),
        ("list_models", {}),
    ]
    server = build_server(canary_settings(tmp_path), sandbox=sandbox, sleep=Sleeps())
    async with Client(server, elicitation_callback=_decline) as client:
        for name, args in calls:
            seen.append(_visible(await client.call_tool(name, args)))
        for fault in (
            Fault("status", "GET /v1/organizations/me$", status=429, headers={"retry-after": "1"}),
            Fault("html", "GET /v1/organizations/me$", status=502, times=5),
            Fault("read_timeout", "POST /v1/organizations/invites$"),
            Fault("truncate", "GET /v1/models", keep_bytes=5),
            Fault("cut_stream", "POST /v1/messages$", keep_bytes=200),
        ):
            sandbox.inject(fault)
            for name, args in (
                ("get_organization", {}),
                ("create_invite", {"email": "canary@acme.example", "role": "user"}),
                ("list_models", {}),
                ("send_message", message),
            ):
                seen.append(_visible(await client.call_tool(name, args)))
            sandbox.faults.clear()
        sandbox.revoked_keys.update({ADMIN, API})  # the API rejects both keys: the 401 text must not echo them
        revoked = [await client.call_tool("get_organization", {}), await client.call_tool("list_models", {})]
        seen.extend(_visible(r) for r in revoked)
    assert all(r.is_error and "Authentication failed" in text_of(r) for r in revoked)  # the canaries were sent
    out = capsys.readouterr()
    audit_lines = (tmp_path / "audit.jsonl").read_text()
    assert audit_lines.count("\n") >= 6
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records  # DEBUG logging really was captured
    for where, text in {
        "tool output": "\n".join(seen),
        "logs": logged,
        "stderr": out.err,
        "stdout": out.out,
        "audit": audit_lines,
    }.items():
        assert CANARY not in text, f"a canary key leaked into {where}"


def test_settings_and_secrets_never_show_the_key_in_reprs(tmp_path: Path) -> None:
    settings = canary_settings(tmp_path)
    for text in (
        repr(settings),
        str(settings),
        f"{settings.admin_key}",
        f"{settings.api_key!r}",
        str(settings.http_token),
    ):
        assert CANARY not in text
    assert settings.admin_key is not None and settings.admin_key.hint == "sk-ant-admin…"
    assert settings.api_key is not None and settings.api_key.hint == "sk-ant-api…"


async def test_a_key_pasted_into_an_argument_is_redacted_from_the_audit_line(tmp_path: Path) -> None:
    sandbox = Sandbox()
    async with Client(build_server(canary_settings(tmp_path), sandbox=sandbox)) as client:
        await client.call_tool("create_workspace", {"name": "x", "tags": {"k": ADMIN}, "dry_run": True})
    assert CANARY not in (tmp_path / "audit.jsonl").read_text()
