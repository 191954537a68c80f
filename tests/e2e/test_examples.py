"""The agent-framework examples, each run in its own virtual environment with the framework and this project.

The environments are cached (tests/procs.py: cache_dir) and rebuilt when pyproject.toml or the pins change;
the project is installed editable, so the code under test is always this checkout's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.procs import REPO, cached_venv, clean_env, run, venv_python

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

EXAMPLES = {
    # example script -> the framework it needs, pinned to the version it was written against
    "openai_agents_stdio.py": ["openai-agents==0.24.0"],
    "pydantic_ai_stdio.py": ["pydantic-ai-slim[mcp]==2.68.0"],
}


@pytest.mark.parametrize("script", sorted(EXAMPLES))
def test_the_example_lists_and_calls_tools_over_stdio(script: str, tmp_path: Path) -> None:
    venv = cached_venv(script.removesuffix(".py"), EXAMPLES[script])
    # Run from elsewhere: the example must reach the server through the installed package, not the cwd.
    done = run([str(venv_python(venv)), str(REPO / "examples" / script)], timeout=300, cwd=tmp_path, env=clean_env())
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    tools = next(line for line in done.stdout.splitlines() if " tools: " in line)
    assert "list_users" in tools and "update_user" not in tools  # the sandbox's read-only default
    assert len(json.loads(lines["first users"])) == 3
    assert lines["organization"] == "Acme Robotics (sandbox)"
