"""Where start-up time goes: the MCP SDK's import versus what this project adds on top of it.

    .venv/bin/python bench/startup_split.py [--runs 7] [--repo OTHER_CHECKOUT]

Each run is a fresh interpreter that times, in order: importing the SDK and the libraries it brings (mcp's
server, pydantic, httpx, anyio); importing this project's modules (configuration, HTTP client, the tool
registry); building the server (every listed tool's input and output schema, for both keys and the admin
profile: listed from the tool index computed at build time); constructing the sandbox; and, moved out of the
start-up, building one tool on its first call (importing its module, its argument model and wrappers). On
stdio the HTTP stack is not imported by us; the line says whether the SDK itself imported it. Prints medians
in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
import anyio, httpx, pydantic, mcp.server, mcp.server.mcpserver, mcp.types
t1 = time.perf_counter()
import claude_api_mcp.cli.main, claude_api_mcp.cli.serve, claude_api_mcp.app.assemble
t2 = time.perf_counter()
from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.secret import Secret
server = build_server(Settings(admin_key=Secret("sk-ant-admin01-x"), api_key=Secret("sk-ant-api03-x"),
                              profile=Profile.ADMIN))
t3 = time.perf_counter()
from claude_api_mcp.sandbox import Sandbox
Sandbox()
t4 = time.perf_counter()
server._tool_manager.get_tool("list_users").built()
t5 = time.perf_counter()
print(json.dumps({"sdk_import": t1 - t0, "ours_import": t2 - t1, "build_server": t3 - t2, "sandbox": t4 - t3,
                  "first_call_build": t5 - t4, "uvicorn_imported_by_sdk": "uvicorn" in sys.modules}))
"""


def measure(runs: int, repo: Path = REPO) -> dict[str, float]:
    """Each part's median in milliseconds over ``runs`` fresh interpreters, and our share of the start-up."""
    found = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", PROBE], cwd=repo, capture_output=True, text=True, check=True)
        found.append(json.loads(done.stdout))
    med = {
        k: statistics.median(r[k] for r in found) * 1000
        for k in ("sdk_import", "ours_import", "build_server", "sandbox", "first_call_build")
    }
    ours = med["ours_import"] + med["build_server"]
    return med | {"ours": ours, "ours_share": ours / (ours + med["sdk_import"])}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python bench/startup_split.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--repo", type=Path, default=REPO, help="the checkout to measure (default: this one)")
    args = p.parse_args(argv)
    med = measure(args.runs, args.repo)
    ours = med["ours"]
    lines = [
        "| Start-up part | ms (median) |",
        "| --- | ---: |",
        f"| MCP SDK and its libraries (import) | {med['sdk_import']:.0f} |",
        f"| ours: modules (import) | {med['ours_import']:.0f} |",
        f"| ours: build the server (51 tools listed from the index, admin, both keys) | {med['build_server']:.0f} |",
        f"| ours: the sandbox (only with --sandbox) | {med['sandbox']:.0f} |",
        f"| ours in all, without the sandbox | {ours:.0f} ({med['ours_share']:.0%} of the start-up) |",
        f"| not in the start-up: list_users's first call builds it | {med['first_call_build']:.0f} |",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
