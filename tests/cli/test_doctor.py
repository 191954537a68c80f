"""claude-api-mcp doctor: what it reports, that it never shows a key, and its exit code."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

from claude_api_mcp.cli.doctor import run_doctor
from claude_api_mcp.cli.exits import EXIT_CANNOT_LISTEN
from claude_api_mcp.cli.main import main
from claude_api_mcp.core.config import KeyKind, Profile, Settings, Transport
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.procs import free_port

CANARY = "sk-ant-admin01-CANARY-doctor-must-never-print-this"


def doctor(settings: Settings, sandbox: Sandbox | None = None) -> tuple[int, str]:
    out = io.StringIO()
    code = run_doctor(settings, sandbox=sandbox, out=out)
    return code, out.getvalue()


def failures(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("FAIL")]


def test_the_sandbox_passes_every_check() -> None:
    sandbox = Sandbox()
    code, text = doctor(Settings(sandbox=True), sandbox)
    assert code == 0, text
    assert sandbox.org.organization["name"] in text and "models available" in text
    assert "the sandbox stands in" in text and text.rstrip().endswith("No problems found.")
    assert {r.path for r in sandbox.requests} == {"/v1/organizations/me", "/v1/models"}


def test_a_revoked_key_is_reported_as_a_401_without_showing_the_key() -> None:
    sandbox = Sandbox()
    sandbox.revoked_keys.add(CANARY)
    code, text = doctor(Settings(sandbox=True, admin_key=Secret(CANARY)), sandbox)
    assert code == 1
    [line] = failures(text)
    assert "ANTHROPIC_ADMIN_KEY" in line and "Authentication failed" in line and "revoked" in line
    assert "request id: req_" in line
    assert "starts sk-ant-admin…" in text and CANARY not in text and "CANARY" not in text


def test_no_keys_explains_what_to_set_and_calls_nothing() -> None:
    code, text = doctor(Settings(base_url=f"http://127.0.0.1:{free_port()}"))
    assert code == 2  # the server refuses to start without a key, with the same code
    assert "ANTHROPIC_ADMIN_KEY" in text and "ANTHROPIC_API_KEY" in text and "--sandbox" in text
    assert "no key to try" in text and "no tool would be listed" in text


def test_keys_of_the_wrong_kind_are_named_by_prefix_only() -> None:
    code, text = doctor(
        Settings(sandbox=True, admin_key=Secret("sk-ant-api03-CANARY-wrong"), api_key=Secret(CANARY)), Sandbox()
    )
    assert code == 1
    assert len(failures(text)) == 2
    assert "not an Admin API key" in text and "holds an Admin key" in text
    assert "CANARY" not in text


def test_an_unreachable_upstream_is_reported_quickly() -> None:
    base = f"http://127.0.0.1:{free_port()}"
    code, text = doctor(Settings(admin_key=Secret(CANARY), base_url=base))
    assert code == 1
    [line] = failures(text)
    assert "could not connect" in line and base in line


def test_the_tool_section_says_why_toolsets_are_left_out() -> None:
    code, text = doctor(Settings(sandbox=True, profile=Profile.ADMIN, toolsets=frozenset({"users"})), Sandbox())
    assert code == 0
    assert "4 of" in text and "users: list_users, get_user, update_user, remove_user" in text
    assert "workspaces: not listed, not in --toolsets" in text
    assert (
        "confirmation --confirm auto: with clients that can ask" in text
    )  # the admin profile's write settings are shown
    assert "audit log: off" in text  # the sandbox keeps no audit trail unless asked


def test_an_audit_log_the_server_could_not_write_is_a_problem(tmp_path: Path) -> None:
    settings = Settings(sandbox=True, profile=Profile.ADMIN, audit_log=tmp_path)  # a directory, not a file
    code, text = doctor(settings, Sandbox())
    assert code == 2 and str(tmp_path) in failures(text)[0]
    code, text = doctor(Settings(sandbox=True, profile=Profile.ADMIN, audit_log=tmp_path / "audit.jsonl"), Sandbox())
    assert code == 0 and f"audit log: {tmp_path / 'audit.jsonl'}" in text


def test_an_unknown_toolset_is_a_problem() -> None:
    code, text = doctor(Settings(sandbox=True, toolsets=frozenset({"nope"})), Sandbox())
    assert code == 2 and "unknown toolset(s): nope" in text


@pytest.mark.parametrize(
    ("host", "token", "problem"),
    [("127.0.0.1", None, False), ("0.0.0.0", None, True), ("0.0.0.0", "a-long-random-token-123", False)],
)
def test_the_http_bind_is_unsafe_only_off_loopback_without_a_token(host: str, token: str | None, problem: bool) -> None:
    port = free_port()  # doctor also checks the port is free
    settings = Settings(
        sandbox=True, transport=Transport.HTTP, host=host, port=port, http_token=Secret(token) if token else None
    )
    code, text = doctor(settings, Sandbox())
    assert code == (2 if problem else 0), text
    assert f"http://{host}:{port}/mcp" in text or f"on {host}" in text


def test_the_cli_runs_doctor_and_prints_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["doctor", "--sandbox"], env={"ANTHROPIC_API_KEY": "sk-ant-api03-CANARY-cli"})
    out, err = capsys.readouterr()
    assert code == 0, out
    assert "claude-api-mcp" in out and "ANTHROPIC_API_KEY: set, a standard API key (starts sk-ant-api…)" in out
    assert "CANARY" not in out + err


def test_a_toolset_hidden_for_a_missing_key_says_the_key_not_the_profile() -> None:
    _, text = doctor(Settings(sandbox=False, admin_key=Secret(CANARY), base_url=f"http://127.0.0.1:{free_port()}"))
    assert "messages: not listed, ANTHROPIC_API_KEY is not set" in text
    assert "batches: not listed, ANTHROPIC_API_KEY is not set" in text
    assert "writes (use --profile admin)" not in text
    # The api toolset is listed with either key: the Keys section must not say it is hidden (issue 21 item 7).
    keys_line = next(line for line in text.splitlines() if "ANTHROPIC_API_KEY: not set" in line)
    assert "api: search_api, describe_api, read_api" in text
    assert "not listed: models, messages, batches, files, skills;" in keys_line
    assert "api stays listed, and a call of an operation that needs this key says to set it" in keys_line
    admin_writes = sum(not t.read_only and (t.key is KeyKind.ADMIN or t.any_key) for t in ALL_TOOLS)
    assert f"the read-only profile hides {admin_writes} tools that write" in text  # only what admin would add


def test_a_toolset_hidden_by_the_profile_says_so() -> None:
    code, text = doctor(Settings(sandbox=True, toolsets=frozenset({"messages", "batches"})), Sandbox())
    assert code == 0
    assert "messages: count_tokens" in text and "send_message" not in text.split("Tools")[1].split("Transport")[0]
    writes = sum(not t.read_only and t.toolset in ("messages", "batches") for t in ALL_TOOLS)
    assert f"the read-only profile hides {writes} tools that write (--profile admin lists them)" in text


def test_a_taken_port_is_a_problem_with_the_servers_exit_code() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        code, text = doctor(Settings(sandbox=True, transport=Transport.HTTP, port=port), Sandbox())
    assert code == EXIT_CANNOT_LISTEN
    [line] = failures(text)
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in line and "--port" in line


def test_a_free_port_is_left_free() -> None:
    port = free_port()
    code, _ = doctor(Settings(sandbox=True, transport=Transport.HTTP, port=port), Sandbox())
    assert code == 0
    with socket.socket() as again:  # doctor closed its probe
        again.bind(("127.0.0.1", port))


def test_a_flag_the_server_refuses_outranks_other_problems() -> None:
    sandbox = Sandbox()
    sandbox.revoked_keys.add(CANARY)
    code, text = doctor(Settings(sandbox=True, admin_key=Secret(CANARY), toolsets=frozenset({"nope"})), sandbox)
    assert code == 2 and len(failures(text)) == 2  # the rejected key (1) and the unknown toolset (2)
