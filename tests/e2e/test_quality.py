"""What CI checks besides behaviour: formatting, lint and strict types (run here so the README's one test
command covers them)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.paths import REPO

ROOT = REPO


@pytest.mark.parametrize(
    "command",
    [["ruff", "format", "--check", "."], ["ruff", "check", "."], ["scripts/typecheck.py"]],
    ids=["ruff-format", "ruff-lint", "mypy-strict"],
)
def test_the_tree_passes(command: list[str]) -> None:
    args = command if command[0].endswith(".py") else ["-m", *command]
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
