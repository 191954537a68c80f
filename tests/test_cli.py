"""Flags and environment → Settings, and what startup refuses or reports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from server.cli import ConfigError, main, parser, settings_from
from server.config import ConfirmPolicy, Profile, Transport


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
        [sys.executable, "-m", "server"], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # stdout belongs to the protocol
    assert "toolset users left out: ANTHROPIC_ADMIN_KEY is not set" in done.stderr
    assert "sk-ant-api03-x" not in done.stderr
