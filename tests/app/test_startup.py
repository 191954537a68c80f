"""Start-up imports only what the configuration uses (the time itself is measured in bench/startup_split.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.paths import REPO

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


def test_listing_the_tools_imports_no_tool_module_and_a_call_imports_only_its_own() -> None:
    probe = textwrap.dedent(
        """
        import json, sys, anyio
        from mcp import Client
        from claude_api_mcp.app.assemble import build_server
        from claude_api_mcp.core.config import Profile, Settings

        def loaded():
            return sorted(m for m in sys.modules if m.startswith("claude_api_mcp.tools."))

        async def main():
            async with Client(build_server(Settings(sandbox=True, profile=Profile.ADMIN))) as client:
                listed = len((await client.list_tools()).tools)
                before = loaded()
                await client.call_tool("list_users", {"limit": 1})
                print(json.dumps({"listed": listed, "before": before, "after": loaded()}))

        anyio.run(main)
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["listed"] == len(ALL_TOOLS)
    assert found["before"] == []
    assert "claude_api_mcp.tools.users" in found["after"]
    assert "claude_api_mcp.tools.batches" not in found["after"]  # another toolset's module stays unloaded
