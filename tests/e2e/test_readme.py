"""README.md: the two commands first, CI running the same test command, generated tables current, examples valid,
and every shell command of it running, in order, on a clean copy (slow)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from claude_api_mcp.cli.flags import parser
from tests.e2e.test_manifest import load_script
from tests.procs import REPO, clean_env, free_port

README = (REPO / "README.md").read_text(encoding="utf-8")
CI = (REPO / ".ci" / "run").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, re.DOTALL)
INSTALL_AND_RUN = (
    "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/claude-api-mcp --sandbox --transport http"
)
INSTALL_AND_TEST = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"


def commands(block: str) -> list[str]:
    return [line for line in block.replace("\\\n", " ").splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_starts_with_the_two_commands() -> None:
    first_heading = README.index("\n## ")
    _, first_block = BLOCKS[0]
    assert README.index("```") < first_heading
    assert commands(first_block) == [INSTALL_AND_RUN, INSTALL_AND_TEST]


def test_ci_runs_the_readme_test_command_and_fails_when_no_test_ran() -> None:
    assert INSTALL_AND_TEST in CI.splitlines()
    assert '"$status" -eq 5' in CI and "exit 1" in CI


def test_the_generated_tables_are_current() -> None:
    stale = load_script("sync_docs").stale()
    assert "README.md" not in stale, "README tables are out of date: run .venv/bin/python scripts/sync_docs.py"


def test_every_flag_is_documented() -> None:
    for action in parser()._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag not in ("--help", "--version"):
                assert f"`{flag}" in README, flag


def desktop_entry(name: str) -> dict[str, Any]:
    """A server entry of a claude_desktop_config.json example in the README."""
    configs = [json.loads(body) for lang, body in BLOCKS if lang == "json"]
    [entry] = [c["mcpServers"][name] for c in configs if name in c["mcpServers"]]
    return dict(entry)


def test_the_desktop_config_is_valid_json_with_valid_flags() -> None:
    server = desktop_entry("claude-api")
    assert server["command"].endswith("/bin/claude-api-mcp")
    args = parser().parse_args(server["args"])
    assert args.profile == "read-only" and set(server["env"]) == {"ANTHROPIC_ADMIN_KEY", "ANTHROPIC_API_KEY"}


def test_every_server_command_line_in_the_readme_parses() -> None:
    lines = [line for lang, body in BLOCKS if lang == "sh" for line in commands(body) if "--help" not in line]
    server_lines = [line.split("claude-api-mcp", 1)[1] for line in lines if "/bin/claude-api-mcp" in line]
    server_lines += [line.split("claude-api-mcp doctor", 1)[1] for line in lines if "claude-api-mcp doctor" in line]
    assert len(server_lines) >= 5
    for rest in server_lines:
        args = shlex.split(rest.split("&&")[0].split("--method")[0], comments=True)
        parser().parse_args(args)  # exits (SystemExit) on an unknown flag or value


def test_local_links_and_named_files_exist() -> None:
    paths = re.findall(r"\]\((?!https?:|#)([^)]+)\)", README)
    paths += re.findall(r"(?<![\w/.])((?:examples|scripts|bench|docs)/[\w.-]+)", README)
    assert "docs/safety.md" in paths and "examples/openai_agents_stdio.py" in paths
    missing = sorted({p for p in paths if not (REPO / p.split("#")[0]).exists()})
    assert missing == []


# --- every shell command of the README, in order, on a clean copy ----------------------------------------

# Commands not run as written, each with the reason (keys: the command without its comment). A command
# that is in none of these tables runs as written and must exit 0; an entry that matches no command fails
# the test, so the tables cannot outlive the README.
SKIPPED = {
    "claude mcp add claude-api --env ANTHROPIC_ADMIN_KEY=sk-ant-admin01-... -- /abs/path/.venv/bin/claude-api-mcp": (
        "needs Claude Code installed and signed in, and changes its configuration; the key and path are placeholders"
    ),
    "claude mcp add claude-api-sandbox -- /abs/path/.venv/bin/claude-api-mcp --sandbox --profile admin": (
        "needs Claude Code installed and signed in, and changes its configuration; the path is a placeholder"
    ),
    'claude mcp add --transport http claude-api http://127.0.0.1:8765/mcp --header "Authorization: Bearer $TOKEN"': (
        "needs Claude Code installed and signed in, and changes its configuration"
    ),
    "claude mcp add claude-bedrock --env AWS_REGION=us-east-1 --env AWS_PROFILE=my-profile -- "
    "/abs/path/.venv/bin/claude-api-mcp --platform bedrock --profile admin": (
        "needs Claude Code installed and signed in; the profile and path are placeholders"
    ),
    "gcloud auth application-default login": "needs the Google Cloud CLI and a person signing in in a browser",
    "claude mcp add claude-vertex --env CLOUD_ML_REGION=global --env ANTHROPIC_VERTEX_PROJECT_ID=my-project -- "
    "/abs/path/.venv/bin/claude-api-mcp --platform vertex --profile admin": (
        "needs Claude Code installed and signed in; the project and path are placeholders"
    ),
    "claude mcp add claude-foundry --env ANTHROPIC_FOUNDRY_RESOURCE=my-resource --env ANTHROPIC_FOUNDRY_API_KEY=... "
    "-- /abs/path/.venv/bin/claude-api-mcp --platform foundry --profile admin": (
        "needs Claude Code installed and signed in; the resource, key and path are placeholders"
    ),
    ".venv/bin/claude-api-mcp --transport http --port 8801 --profile admin --oauth-issuer https://idp.example.com "
    "--oauth-audience https://mcp.example.com/mcp --allowed-hosts mcp.example.com --forwarded-allow-ips 127.0.0.1": (
        "a worker of a team deployment: needs real keys and the organization's identity provider; "
        "tests/e2e/test_team_readme.py runs this command line against a local issuer behind HAProxy"
    ),
    ".venv/bin/claude-api-mcp --transport http --port 8802 --profile admin --oauth-issuer https://idp.example.com "
    "--oauth-audience https://mcp.example.com/mcp --allowed-hosts mcp.example.com --forwarded-allow-ips 127.0.0.1": (
        "the second worker: as the first"
    ),
    ".venv/bin/python bench/run.py": (
        "three minutes of load on every core; the --quick run that follows runs the same program end to end"
    ),
}
# The test suite itself: this test is part of it. Its collection proves the command (the environment, the
# plugins, the markers); .ci/run runs the command as written.
REPLACED = {
    INSTALL_AND_TEST: INSTALL_AND_TEST + " --collect-only -q",
    "scripts/check": "scripts/check --collect-only -q",
}
# Long-running: started in the background, checked (/health answers), stopped when the README is done.
BACKGROUND = {INSTALL_AND_RUN}
# Commands that show a problem on purpose (no key is set here).
EXIT_CODES = {
    "CLAUDE_API_MCP_PROFILE=foo .venv/bin/claude-api-mcp": 2,
    ".venv/bin/claude-api-mcp doctor": 2,
    ".venv/bin/claude-api-mcp doctor --sandbox --transport http --host 0.0.0.0": 2,
    "AWS_REGION=us-east-1 .venv/bin/claude-api-mcp doctor --platform bedrock": 1,  # no AWS credentials here
    "CLOUD_ML_REGION=global ANTHROPIC_VERTEX_PROJECT_ID=my-project "
    ".venv/bin/claude-api-mcp doctor --platform vertex": 1,  # no Application Default Credentials here
}
NEEDS_NODE = ("npx ", "scripts/build_bundle.py")
README_PORT = "8765"  # the default port, replaced by a free one: the machine may be serving it already


def without_comment(line: str) -> str:
    """``line`` up to a shell comment: a # that starts a word outside quotes."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].strip()
    return line.strip()


def shell_commands() -> list[str]:
    """Every command of the README's sh blocks, in order, continuation lines joined, comments dropped."""
    return [without_comment(line) for lang, body in BLOCKS if lang == "sh" for line in commands(body)]


def test_the_tables_of_exceptions_name_readme_commands() -> None:
    listed = set(shell_commands())
    stale = (set(SKIPPED) | set(REPLACED) | BACKGROUND | set(EXIT_CODES)) - listed
    assert stale == set()


def clean_copy(tmp_path: Path) -> Path:
    """The tracked files of this working tree, as a fresh clone would have them (with uncommitted edits)."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(
            "not a git checkout: run the tests in a `git clone` of the repository "
            "(the clean copy is made from its tracked files)"
        )
    copy = tmp_path / "claude-api-mcp"
    for name in listed.decode().split("\0"):
        if name and (REPO / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)  # so tools honour .gitignore, as in a clone
    return copy


def newcomer_env(port: int) -> dict[str, str]:
    """This environment without keys, settings of ours or an active virtual environment."""
    env = clean_env({"CLAUDE_API_MCP_PORT": str(port), "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    active = env.pop("VIRTUAL_ENV", None)
    ours = {str(Path(sys.prefix) / "bin")} | ({str(Path(active) / "bin")} if active else set())
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p not in ours)
    return env


@pytest.mark.slow
@pytest.mark.e2e
def test_every_command_of_the_readme_runs_in_order_on_a_clean_copy() -> None:
    # A directory of its own, not tmp_path: pytest prunes old tmp_path roots when other sessions start, and
    # this test runs for minutes.
    with tempfile.TemporaryDirectory(prefix="claude-api-mcp-readme-", ignore_cleanup_errors=True) as tmp:
        run_the_readme(clean_copy(Path(tmp)))


def run_the_readme(copy: Path) -> None:
    port = free_port()
    env = newcomer_env(port)
    background: list[subprocess.Popen[bytes]] = []
    done: list[str] = []
    skipped: dict[str, str] = {}
    try:
        for command in shell_commands():
            if command in SKIPPED or command in done:
                skipped[command] = SKIPPED.get(command, "ran above, unchanged")
                continue
            if any(mark in command for mark in NEEDS_NODE) and shutil.which("npx") is None:
                skipped[command] = "npx is not installed (Node.js)"
                continue
            line = REPLACED.get(command, command).replace(README_PORT, str(port))
            if command in BACKGROUND:
                background.append(start_and_check(line, copy, env, port))
            else:
                result = subprocess.run(["bash", "-c", line], cwd=copy, env=env, capture_output=True, timeout=1200)
                expected = EXIT_CODES.get(command, 0)
                assert result.returncode == expected, (
                    f"{line}\nexited with {result.returncode}, expected {expected}\n"
                    f"--- stdout\n{result.stdout.decode(errors='replace')[-3000:]}\n"
                    f"--- stderr\n{result.stderr.decode(errors='replace')[-3000:]}"
                )
            done.append(command)
    finally:
        for proc in background:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    assert len(done) >= 10, (done, skipped)


def start_and_check(line: str, cwd: Path, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """Run a server command in the background (bounded by `timeout`); return once its /health answers."""
    log = cwd / f"background-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["timeout", "1800", "bash", "-c", line], cwd=cwd, env=env, stdout=out, stderr=out, start_new_session=True
        )
    deadline = time.monotonic() + 900  # the install comes first
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{line}\nexited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                assert f"listening on http://127.0.0.1:{port}/mcp" in log.read_text()
                return proc
        time.sleep(1)
    os.killpg(proc.pid, signal.SIGTERM)
    pytest.fail(f"{line}\ndid not answer /health in 900 s:\n{log.read_text(errors='replace')[-3000:]}")
