"""README.md: the two commands first, CI running the same test command, generated tables current, examples valid."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from server.cli import parser
from tests.procs import REPO
from tests.test_manifest import load_script

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
    assert "README.md" not in stale, "README tables are out of date: run python scripts/sync_docs.py"


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
    lines = [line for lang, body in BLOCKS if lang == "sh" for line in commands(body)]
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
    missing = sorted({p for p in paths if not (REPO / p).exists()})
    assert missing == []
