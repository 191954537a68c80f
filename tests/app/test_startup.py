"""Start-up imports only what the configuration uses (the time itself is measured in bench/startup_split.py)."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.secret import Secret
build_server(Settings(admin_key=Secret("sk-ant-admin01-x")))
print(json.dumps(sorted(m for m in sys.modules if m.startswith("claude_api_mcp.sandbox"))))
"""


def test_a_server_on_the_real_api_never_imports_the_sandbox() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(done.stdout) == []
