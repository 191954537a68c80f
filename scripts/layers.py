"""lint-imports on the package under its installed import name: the layer contracts in pyproject.toml.

import-linter finds a package's modules under the package's own folder, and installed, claude_api_mcp.tools
lives in another folder (tools/) than claude_api_mcp (server/). So this checks the same tree that
scripts/typecheck.py lays out under .typecheck/, put first on the import path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from typecheck import ROOT, TREE, lay_out


def main() -> int:
    lay_out()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(TREE), os.environ.get("PYTHONPATH")]))}
    lint = Path(sys.executable).with_name("lint-imports")
    command = [str(lint)] if lint.exists() else [sys.executable, "-m", "importlinter.cli"]
    return subprocess.run([*command, "--no-cache", str(ROOT / "pyproject.toml"), *sys.argv[1:]], env=env).returncode


if __name__ == "__main__":
    raise SystemExit(main())
