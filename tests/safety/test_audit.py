"""The audit log: one JSON line per write attempt, written as it ends, with secrets redacted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.types import ElicitResult

from claude_api_mcp.cli.serve import serve
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.safety import audit
from claude_api_mcp.sandbox import Fault, Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _prod(sandbox: Sandbox) -> str:
    return next(w["id"] for w in sandbox.org.workspaces.values() if w["name"] == "Prod")


async def test_a_successful_write_is_one_complete_line_written_before_the_next_call(
    connect: Connect, sandbox: Sandbox, tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    async with connect(audit_log=log) as client:
        await call_ok(client, "create_workspace", {"name": "Audited"})
        first = lines(log)  # read while the server is still running: nothing is buffered
        await call_ok(client, "get_workspace", {"workspace_id": _prod(sandbox)})  # reads are not audited
    assert lines(log) == first and len(first) == 2
    ahead, line = first  # the write-ahead line, on disk before the request left, then the outcome
    assert ahead["outcome"] == "sending" and ahead["call"] == line["call"] and ahead["http_status"] is None
    assert (ahead["method"], ahead["path"], ahead["arguments"]) == (line["method"], line["path"], line["arguments"])
    assert set(line) >= {"time", "tool", "arguments", "outcome", "http_status", "request_id", "duration_ms"}
    assert line["tool"] == "create_workspace" and line["outcome"] == "succeeded" and line["dry_run"] is False
    assert line["arguments"] == {
        "name": "Audited",
        "display_color": None,
        "data_residency": None,
        "tags": None,
        "dry_run": False,
    }
    assert line["http_status"] == 200 and line["request_id"].startswith("req_")
    assert (line["method"], line["path"]) == ("POST", "/v1/organizations/workspaces")
    assert line["time"].endswith("Z") and isinstance(line["duration_ms"], float)


async def test_dry_runs_declines_refusals_and_failures_are_all_recorded(
    connect: Connect, sandbox: Sandbox, tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    prod = _prod(sandbox)

    async def decline(context: Any, params: Any) -> ElicitResult:
        return ElicitResult(action="decline")

    async with connect(audit_log=log, client_kwargs={"elicitation_callback": decline}) as client:
        await call_ok(client, "archive_workspace", {"workspace_id": prod, "dry_run": True})
        await call_error(client, "archive_workspace", {"workspace_id": prod})
        sandbox.inject(Fault(kind="status", match="POST /v1/organizations/invites", status=400))
        await call_error(client, "create_invite", {"email": "x.y@acme.example", "role": "user"})
        await call_error(client, "update_workspace", {"workspace_id": prod})  # nothing to change: refused by the body
    async with connect(audit_log=log, workspaces=frozenset({"wrkspc_01elsewhere"})) as client:
        await call_error(client, "create_workspace", {"name": "Pinned out"})
    got = [(x["tool"], x["outcome"]) for x in lines(log) if x["outcome"] != "sending"]
    assert [x["tool"] for x in lines(log) if x["outcome"] == "sending"] == ["create_invite"]  # the one sent
    assert got == [
        ("archive_workspace", "dry_run"),
        ("archive_workspace", "declined"),
        ("create_invite", "failed"),
        ("update_workspace", "error"),
        ("create_workspace", "refused"),
    ]
    dry, declined, failed, _, refused = [x for x in lines(log) if x["outcome"] != "sending"]
    assert dry["dry_run"] is True and dry["confirmation"] == "not asked: dry run" and dry["http_status"] is None
    assert declined["http_status"] is None and "archive" not in str(declined["path"])
    assert (
        failed["http_status"] == 400
        and failed["request_id"].startswith("req_")
        and "Invalid request" in failed["error"]
    )
    assert "pinned" in refused["error"]
    assert [r.method for r in sandbox.requests if r.method != "GET"] == []  # the 400 came from the fault


async def test_secrets_and_bulky_arguments_are_redacted(connect: Connect, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    leaked = "sk-ant-api03-THISISAPASTEDKEY_abc123"
    async with connect(audit_log=log) as client:
        await call_ok(client, "create_workspace", {"name": "k", "tags": {"note": f"key {leaked}"}, "dry_run": True})
    text = log.read_text()
    assert leaked not in text and "sk-ant-…[redacted]" in text
    assert audit.redact({"content_base64": "QUFB" * 100, "filename": "a.txt"}) == {
        "content_base64": "<400 characters>",
        "filename": "a.txt",
    }
    assert audit.redact({"text": "y" * 5000})["text"].endswith("<5000 characters>")


async def test_concurrent_writes_never_interleave_within_a_line(connect: Connect, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    async with connect(audit_log=log) as client, anyio.create_task_group() as tg:
        for n in range(20):
            tg.start_soon(client.call_tool, "create_workspace", {"name": f"Parallel {n}", "dry_run": True})
    assert sorted(x["arguments"]["name"] for x in lines(log)) == sorted(f"Parallel {n}" for n in range(20))


async def test_the_sandbox_and_read_only_servers_write_no_audit_file_unless_asked(
    connect: Connect, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    async with connect() as client:
        await call_ok(client, "create_workspace", {"name": "Unlogged"})
    assert not (tmp_path / "state").exists()
    assert audit.target(Settings(sandbox=True), has_writes=True) is None
    assert audit.target(Settings(profile=Profile.READ_ONLY), has_writes=False) is None
    assert (
        audit.target(Settings(profile=Profile.ADMIN), has_writes=True) == tmp_path / "state/claude-api-mcp/audit.jsonl"
    )


def test_an_unwritable_audit_log_is_a_startup_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings = Settings(sandbox=True, profile=Profile.ADMIN, audit_log=blocker / "audit.jsonl")
    assert serve(settings) == 2
    err = capsys.readouterr().err
    assert "cannot write the audit log" in err and str(blocker / "audit.jsonl") in err and "--audit-log" in err
