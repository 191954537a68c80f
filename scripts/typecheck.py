"""mypy --strict on the package under its installed import name.

The repository keeps server/ and tools/; installed, they are claude_api_mcp and claude_api_mcp.tools
(pyproject.toml's package-dir). mypy does not follow the editable install's import hook, so this lays
the same tree out as links under .typecheck/ and checks that, with the configuration in pyproject.toml.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / ".typecheck"
LAYOUT = {"claude_api_mcp": ROOT / "server", "claude_api_mcp/tools": ROOT / "tools"}


def lay_out() -> Path:
    shutil.rmtree(TREE, ignore_errors=True)
    for dest, source in LAYOUT.items():
        for path in source.rglob("*.py"):
            link = TREE / dest / path.relative_to(source)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)
    return TREE / "claude_api_mcp"


def main() -> int:
    package = lay_out()
    done = subprocess.run([sys.executable, "-m", "mypy", *sys.argv[1:], str(package.relative_to(ROOT))], cwd=ROOT)
    return done.returncode


if __name__ == "__main__":
    os.environ.setdefault("MYPY_FORCE_COLOR", "0")
    raise SystemExit(main())
