"""Flags and environment → Settings, and what startup refuses or reports."""

from __future__ import annotations

import logging
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from claude_api_mcp.cli.exits import EXIT_CANNOT_LISTEN, EXIT_USAGE
from claude_api_mcp.cli.flags import env_var, option_actions, parser
from claude_api_mcp.cli.main import ConfigError, log_level, main, settings_from
from claude_api_mcp.cli.serve import serve
from claude_api_mcp.core.config import ConfirmPolicy, Profile, Settings, Transport, default_audit_log_path
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.safety import audit
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.procs import clean_env, free_port, server_command, stop


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """main() points the root logger at the sys.stderr of its moment (a test's capture, closed after it)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def settings(argv: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    return settings_from(parser().parse_args(argv), env)


def test_defaults_are_the_contracts() -> None:
    s = settings([], {})
    assert (s.profile, s.transport, s.host, s.port, s.sandbox) == (
        Profile.READ_ONLY,
        Transport.STDIO,
        "127.0.0.1",
        8765,
        False,
    )
    assert s.base_url == "https://api.anthropic.com" and s.anthropic_version == "2023-06-01"
    assert s.confirm is ConfirmPolicy.AUTO and s.toolsets is None and s.workspaces is None


def test_every_flag_reads_its_environment_variable_and_flags_win() -> None:
    env = {
        "CLAUDE_API_MCP_PROFILE": "admin",
        "CLAUDE_API_MCP_TOOLSETS": "users, invites",
        "CLAUDE_API_MCP_TOOLS": "list_users",
        "CLAUDE_API_MCP_EXCLUDE_TOOLS": "get_user",
        "CLAUDE_API_MCP_TRANSPORT": "http",
        "CLAUDE_API_MCP_HOST": "localhost",
        "CLAUDE_API_MCP_PORT": "9000",
        "CLAUDE_API_MCP_SANDBOX": "1",
        "CLAUDE_API_MCP_CONFIRM": "never",
        "CLAUDE_API_MCP_WORKSPACES": "wrkspc_a,wrkspc_b",
        "ANTHROPIC_BASE_URL": "http://127.0.0.1:1/",
        "ANTHROPIC_ADMIN_KEY": "sk-ant-admin01-x",
        "ANTHROPIC_API_KEY": "sk-ant-api03-y",
    }
    s = settings([], env)
    assert s.profile is Profile.ADMIN and s.toolsets == {"users", "invites"} and s.tools == {"list_users"}
    assert s.exclude_tools == {"get_user"} and s.transport is Transport.HTTP and (s.host, s.port) == ("localhost", 9000)
    assert s.sandbox and s.confirm is ConfirmPolicy.NEVER and s.workspaces == {"wrkspc_a", "wrkspc_b"}
    assert s.base_url == "http://127.0.0.1:1"
    assert s.admin_key and s.admin_key.reveal() == "sk-ant-admin01-x" and s.api_key
    flagged = settings(["--profile", "read-only", "--port", "9100", "--toolsets", "all"], env)
    assert flagged.profile is Profile.READ_ONLY and flagged.port == 9100 and flagged.toolsets == {"all"}


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        ([], {"CLAUDE_API_MCP_PORT": "eighty"}, "port must be a number"),
        ([], {"CLAUDE_API_MCP_PROFILE": "root"}, "root"),
        (["--base-url", "api.anthropic.com"], {}, "must start with http"),
    ],
)
def test_bad_values_are_clear_errors(argv: list[str], env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings(argv, env)


def test_no_credentials_and_no_sandbox_exits_with_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], env={}) == 2
    err = capsys.readouterr().err
    assert "ANTHROPIC_ADMIN_KEY" in err and "--sandbox" in err


def test_an_unknown_toolset_exits_with_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sandbox", "--toolsets", "nope"], env={}) == 2
    assert "unknown toolset(s): nope" in capsys.readouterr().err


def test_startup_says_on_stderr_which_toolsets_were_left_out_and_why() -> None:
    env = {"ANTHROPIC_API_KEY": "sk-ant-api03-x", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "claude_api_mcp"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # stdout belongs to the protocol
    assert "toolset users left out: ANTHROPIC_ADMIN_KEY is not set" in done.stderr
    assert "sk-ant-api03-x" not in done.stderr


# --- help -------------------------------------------------------------------------------------------------


def help_text(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main(argv, env={})
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_help_names_every_variable_in_full_and_the_keys(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(help_text(["--help"], capsys).split())  # argparse wraps lines
    for action in option_actions(parser()):
        assert f"[{env_var(action.dest)}" in text, action.dest
    assert "[_" not in text  # a hint whose prefix was lost (or a new flag that still writes one by hand)
    assert "[CLAUDE_API_MCP_PROFILE]" in text and "[CLAUDE_API_MCP_SANDBOX=1]" in text
    assert "[ANTHROPIC_BASE_URL]" in text and "ANTHROPIC_ADMIN_KEY" in text and "ANTHROPIC_API_KEY" in text
    assert "claude-api-mcp doctor --help" in text and "exit codes" in text


@pytest.mark.parametrize("argv", [["doctor", "--help"], ["--sandbox", "doctor", "-h"], ["--port", "1", "doctor", "-h"]])
def test_doctor_help_is_doctors_own(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(argv, capsys)
    assert text.startswith("usage: claude-api-mcp doctor") and "which keys are set" in text
    assert "no problem found" in text and "--profile" in text  # its exit codes, and the server's options


def test_an_unknown_command_word_is_a_usage_error_with_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["doktor"], env={})
    assert exited.value.code == EXIT_USAGE
    assert "invalid choice: 'doktor' (choose from 'serve', 'doctor')" in capsys.readouterr().err


def test_a_flag_value_that_is_also_a_command_word_is_not_taken_for_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert help_text(["--tools", "doctor", "--help"], capsys).startswith("usage: claude-api-mcp [")


# --- values from the environment --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "choices"),
    [
        ("CLAUDE_API_MCP_PROFILE", "foo", "read-only, admin"),
        ("CLAUDE_API_MCP_TRANSPORT", "tcp", "stdio, http"),
        ("CLAUDE_API_MCP_CONFIRM", "maybe", "auto, always, never, writes"),
        ("CLAUDE_API_MCP_LOG_LEVEL", "foo", "DEBUG, INFO, WARNING, ERROR"),
    ],
)
def test_a_bad_variable_names_itself_its_value_and_the_choices(
    name: str, value: str, choices: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ([], ["doctor"]):
        assert main([*command, "--sandbox"], env={name: value}) == EXIT_USAGE
        err = capsys.readouterr().err
        assert err == f"claude-api-mcp: {name}={value!r} is not valid; choose from: {choices}\n"


def test_a_bad_log_level_variable_is_a_message_not_a_traceback() -> None:
    env = clean_env({"CLAUDE_API_MCP_LOG_LEVEL": "foo", "CLAUDE_API_MCP_SANDBOX": "1"})
    done = subprocess.run(server_command([]), env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert done.returncode == EXIT_USAGE and "Traceback" not in done.stderr
    assert "CLAUDE_API_MCP_LOG_LEVEL='foo'" in done.stderr


def test_a_switch_variable_must_say_on_or_off() -> None:
    assert settings([], {"CLAUDE_API_MCP_SANDBOX": "yes"}).sandbox
    assert not settings([], {"CLAUDE_API_MCP_SANDBOX": "0"}).sandbox
    with pytest.raises(ConfigError, match=r"CLAUDE_API_MCP_SANDBOX='sure' is not valid; use 1 .* or 0"):
        settings([], {"CLAUDE_API_MCP_SANDBOX": "sure"})


def test_choices_and_log_levels_are_case_insensitive_from_flags_and_variables() -> None:
    assert settings(["--profile", "ADMIN", "--transport", "HTTP"], {}).profile is Profile.ADMIN
    assert settings([], {"CLAUDE_API_MCP_CONFIRM": "Always"}).confirm is ConfirmPolicy.ALWAYS
    assert log_level(parser().parse_args(["--log-level", "debug"]), {}) == "DEBUG"
    assert log_level(parser().parse_args([]), {"CLAUDE_API_MCP_LOG_LEVEL": "warning"}) == "WARNING"
    assert log_level(parser().parse_args([]), {}) == "INFO"


def test_a_bad_flag_value_lists_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--log-level", "loud"], env={})
    assert exited.value.code == EXIT_USAGE
    assert "invalid choice: 'LOUD' (choose from 'DEBUG', 'INFO', 'WARNING', 'ERROR')" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "env", "source"),
    [
        ([], {"CLAUDE_API_MCP_PORT": "eighty"}, "CLAUDE_API_MCP_PORT"),
        (["--max-request-body", "lots"], {}, "--max-request-body"),
        ([], {"CLAUDE_API_MCP_MAX_REQUEST_BODY": "lots"}, "CLAUDE_API_MCP_MAX_REQUEST_BODY"),
        ([], {"ANTHROPIC_BASE_URL": "api.anthropic.com"}, "ANTHROPIC_BASE_URL"),
    ],
)
def test_a_bad_value_says_where_it_came_from(argv: list[str], env: dict[str, str], source: str) -> None:
    with pytest.raises(ConfigError, match=f"^{source}: "):
        settings(argv, env)


def test_an_unknown_tool_lists_the_tools_and_the_nearest_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sandbox", "--tools", "list_user,nope"], env={}) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "unknown tool(s): list_user, nope (did you mean list_users?); choose from get_organization," in err
    assert all(t.name in err for t in ALL_TOOLS)


# --- the port ---------------------------------------------------------------------------------------------


@contextmanager
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_taken_port_is_one_clear_line_and_exit_3_without_claiming_to_listen(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "claude_api_mcp")
    with taken_port() as port:
        code = serve(Settings(sandbox=True, transport=Transport.HTTP, port=port))
    assert code == EXIT_CANNOT_LISTEN == 3
    err = capsys.readouterr().err
    assert err == (
        f"claude-api-mcp: cannot listen on 127.0.0.1:{port}: the port is already in use (another "
        "claude-api-mcp?). Stop that process or choose another --port (CLAUDE_API_MCP_PORT)\n"
    )
    assert "listening on" not in caplog.text


def test_an_address_of_another_machine_cannot_be_listened_on(capsys: pytest.CaptureFixture[str]) -> None:
    token = Secret("a-long-random-token-0123456789")
    code = serve(Settings(sandbox=True, transport=Transport.HTTP, host="192.0.2.1", port=free_port(), http_token=token))
    assert code == EXIT_CANNOT_LISTEN and "192.0.2.1 is not an address of this machine" in capsys.readouterr().err


def test_the_server_says_it_listens_only_once_the_port_takes_connections() -> None:
    port = free_port()
    args = ["--sandbox", "--transport", "http", "--port", str(port), "--log-level", "info"]
    proc = subprocess.Popen(server_command(args, lifetime=60), env=clean_env(), stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # a connection attempt right at the line: the socket is listening by then
            if "listening on" in line:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
        else:
            pytest.fail(f"the server exited with {proc.wait()} before saying it listens")
    finally:
        stop(proc)  # type: ignore[arg-type]
        proc.stderr.close()  # type: ignore[union-attr]


# --- doctor and the server agree -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["--sandbox", "--toolsets", "nope"], {}),
        (["--sandbox", "--tools", "nope"], {}),
        (["--sandbox", "--exclude-tools", "nope"], {}),
        ([], {}),  # no credentials
        (["--sandbox", "--transport", "http", "--host", "0.0.0.0"], {}),
        (["--sandbox"], {"CLAUDE_API_MCP_PROFILE": "root"}),
        (["--sandbox"], {"CLAUDE_API_MCP_PORT": "0"}),
    ],
)
def test_doctor_exits_with_the_servers_code_for_the_same_bad_configuration(
    argv: list[str], env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv, env=env) == EXIT_USAGE
    assert main(["doctor", *argv], env=env) == EXIT_USAGE


def test_doctor_and_the_server_agree_on_a_missing_audit_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--sandbox", "--profile", "admin", "--audit-log", str(tmp_path / "missing" / "audit.jsonl")]
    assert main(argv, env={}) == EXIT_USAGE == main(["doctor", *argv], env={})


def test_doctor_and_the_server_agree_on_a_taken_port(capsys: pytest.CaptureFixture[str]) -> None:
    with taken_port() as port:
        argv = ["--sandbox", "--transport", "http", "--port", str(port)]
        assert main(argv, env={}) == EXIT_CANNOT_LISTEN == main(["doctor", *argv], env={})
    assert f"127.0.0.1:{port}: the port is already in use" in capsys.readouterr().out


# --- the audit log's directory ----------------------------------------------------------------------------


def test_an_audit_log_in_a_missing_directory_is_refused_naming_it_and_nothing_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo" / "logs"
    assert main(["--sandbox", "--profile", "admin", "--audit-log", str(missing / "audit.jsonl")], env={}) == 2
    err = capsys.readouterr().err
    assert f"the directory {missing} does not exist; create it (mkdir -p {missing})" in err
    assert not (tmp_path / "typo").exists()


def test_an_audit_log_under_a_regular_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("")
    assert main(["--sandbox", "--profile", "admin", "--audit-log", str(blocker / "sub" / "audit.jsonl")], env={}) == 2
    err = capsys.readouterr().err
    assert f"{blocker} is a file, not a directory" in err and "File exists" not in err


def test_the_default_audit_directory_is_created_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = default_audit_log_path()
    audit.check_writable(path)
    assert path.exists() and stat.S_IMODE(path.parent.stat().st_mode) == 0o700


class RecordingEnv(dict[str, str]):
    """An environment that remembers which variables were looked up."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)


def test_every_variable_the_help_names_is_the_one_read() -> None:
    env = RecordingEnv()
    args = parser().parse_args([])
    settings_from(args, env)
    log_level(args, env)
    assert {env_var(a.dest) for a in option_actions(parser())} <= env.read


def test_the_listening_socket_says_tcp_so_answers_are_not_held_back_by_nagle() -> None:
    # asyncio turns on TCP_NODELAY only for accepted sockets whose proto is IPPROTO_TCP; a plain
    # socket(AF_INET, SOCK_STREAM) has proto 0, and each HTTP answer then waits for the client's delayed ACK.
    from claude_api_mcp.cli.serve import listen

    sock = listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
