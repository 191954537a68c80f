"""The Claude Desktop bundle, end to end: pack it, unpack it, resolve mcp_config with the host's own code
(@anthropic-ai/mcpb's getMcpConfigForManifest), and launch it with the system Python and a clean environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from tests.helpers import call_ok
from tests.procs import REPO, npm_package, require_npx, run

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.e2e]

MCPB = "@anthropic-ai/mcpb@2.1.2"
MAX_BUNDLE_BYTES = 40 * 1024 * 1024

RESOLVE = """
import { readFileSync } from "node:fs";
import { getMcpConfigForManifest } from "@anthropic-ai/mcpb";
const [dir, userConfig] = [process.argv[2], JSON.parse(process.argv[3])];
const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, "utf8"));
const home = process.env.HOME ?? "/nonexistent";
const config = await getMcpConfigForManifest({
  manifest, extensionPath: dir, userConfig, pathSeparator: "/",
  systemDirs: {
    HOME: home, DESKTOP: `${home}/Desktop`, DOCUMENTS: `${home}/Documents`, DOWNLOADS: `${home}/Downloads`,
  },
});
process.stdout.write(JSON.stringify(config ?? null));
"""


def system_python() -> Path:
    """The Python a user's host would find: the OS's, not this test's virtual environment."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if Path(candidate).exists():
            return Path(candidate)
    return Path(sys.executable)


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundle for the system Python, then unpack it as the host does."""
    require_npx()
    prefix = npm_package(MCPB)
    mcpb = prefix / "node_modules" / ".bin" / "mcpb"
    python = system_python()
    version = run([str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], timeout=30).stdout.strip()
    work = tmp_path_factory.mktemp("bundle")
    bundle = work / "claude-api-mcp.mcpb"
    build = [sys.executable, str(REPO / "scripts" / "build_bundle.py"), "--out", str(bundle)]
    run([*build, "--python-version", version, "--mcpb", str(mcpb)], timeout=900)
    size = bundle.stat().st_size
    assert 0 < size < MAX_BUNDLE_BYTES, f"bundle is {size} bytes"
    run([str(mcpb), "unpack", str(bundle), str(work / "unpacked")], timeout=120)
    return work / "unpacked"


def resolve(unpacked: Path, user_config: dict[str, Any]) -> dict[str, Any]:
    prefix = npm_package(MCPB)
    script = prefix / "resolve.mjs"  # inside the prefix, so node finds the package
    script.write_text(RESOLVE)
    out = run(["node", str(script), str(unpacked), json.dumps(user_config)], timeout=60).stdout
    config: dict[str, Any] = json.loads(out)
    assert config is not None, "the host would not configure the server"
    assert "${" not in json.dumps(config), f"unresolved variables: {config}"
    return config


def host_path() -> str:
    """The host's PATH, reduced to where the system Python lives (never this test's virtual environment)."""
    return os.pathsep.join(dict.fromkeys([str(system_python().parent), "/usr/bin", "/bin"]))


def launch(config: dict[str, Any]) -> tuple[str, list[str], dict[str, str]]:
    env = {**config["env"], "PATH": host_path()}
    command = shutil.which(config["command"], path=env["PATH"])
    assert command is not None, f"{config['command']} is not on the host PATH {env['PATH']}"
    return command, config["args"], env


def test_the_bundle_imports_only_its_own_files_on_the_system_python(unpacked: Path) -> None:
    command, _, env = launch(resolve(unpacked, {"sandbox": True}))
    probe = (
        "import mcp, pydantic_core, claude_api_mcp as own; print(mcp.__file__, pydantic_core.__file__, own.__file__)"
    )
    # cwd = the bundle folder: "-c" puts it first on sys.path, as running main.py does.
    where = run([command, "-c", probe], timeout=60, env=env, cwd=unpacked).stdout.split()
    assert len(where) == 3
    assert all(Path(p).resolve().is_relative_to(unpacked.resolve()) for p in where), where


async def test_the_bundle_lists_and_calls_tools_over_stdio_on_the_sandbox(unpacked: Path) -> None:
    config = resolve(unpacked, {"sandbox": True, "profile": "admin"})
    assert config["env"]["ANTHROPIC_ADMIN_KEY"] == "" and config["env"]["CLAUDE_API_MCP_SANDBOX"] == "true"
    command, args, env = launch(config)
    params = StdioServerParameters(command=command, args=args, env=env, cwd=str(unpacked.parent))
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        org = await call_ok(client, "get_organization")
        users = await call_ok(client, "list_users", {"limit": 2})
    assert {"get_organization", "update_user", "archive_workspace"} <= names  # profile admin came through
    assert org["type"] == "organization" and len(users["data"]) == 2


def test_the_bundle_without_a_key_or_the_sandbox_says_what_to_set(unpacked: Path) -> None:
    command, args, env = launch(resolve(unpacked, {}))
    done = subprocess.run(
        [command, *args], env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 2
    assert "ANTHROPIC_ADMIN_KEY" in done.stderr and "--sandbox" in done.stderr
    assert done.stdout == ""


def test_user_config_reaches_the_server_environment(unpacked: Path) -> None:
    config = resolve(
        unpacked,
        {"admin_key": "sk-ant-admin01-x", "profile": "admin", "confirm": "always", "workspaces": "wrkspc_01a"},
    )
    env = config["env"]
    assert env["ANTHROPIC_ADMIN_KEY"] == "sk-ant-admin01-x" and env["CLAUDE_API_MCP_PROFILE"] == "admin"
    assert env["CLAUDE_API_MCP_CONFIRM"] == "always" and env["CLAUDE_API_MCP_WORKSPACES"] == "wrkspc_01a"
    assert env["CLAUDE_API_MCP_SANDBOX"] == "false" and env["PYTHONPATH"] == f"{unpacked}/server/lib"
    assert config["args"][0] == f"{unpacked}/main.py"
