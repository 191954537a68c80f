"""manifest.json: valid for the MCP Bundle CLI, in sync with the registry, and its user_config reaches Settings."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from claude_api_mcp import __version__
from claude_api_mcp.cli.flags import parser
from claude_api_mcp.cli.main import settings_from
from claude_api_mcp.core.config import ConfirmPolicy, Profile
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.procs import REPO, clean_env, require_npx

MANIFEST: dict[str, Any] = json.loads((REPO / "manifest.json").read_text(encoding="utf-8"))


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def resolved_settings(user_config: dict[str, Any]) -> Any:
    """mcp_config with defaults then user values substituted (as the host does), read by the real CLI code."""
    values = {k: v.get("default", "") for k, v in MANIFEST["user_config"].items()} | user_config

    def sub(text: str) -> str:
        text = text.replace("${__dirname}", "/bundle")
        return re.sub(
            r"\$\{user_config\.(\w+)\}",
            lambda m: (
                str(values[m.group(1)]).lower() if isinstance(values[m.group(1)], bool) else str(values[m.group(1)])
            ),
            text,
        )

    config = MANIFEST["server"]["mcp_config"]
    args = [sub(a) for a in config["args"]][1:]  # after the launcher
    env = {k: sub(v) for k, v in config["env"].items()}
    return settings_from(parser().parse_args(args), env)


@pytest.mark.e2e
def test_the_manifest_passes_mcpb_validate() -> None:
    cmd = [require_npx(), "-y", "@anthropic-ai/mcpb@2.1.2", "validate", "manifest.json"]
    done = subprocess.run(cmd, cwd=REPO, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "validation passes" in done.stdout


def test_the_manifest_lists_every_registered_tool_in_order() -> None:
    fix = "the manifest's tools differ from tools.registry.ALL_TOOLS: run python scripts/sync_docs.py"
    assert [t["name"] for t in MANIFEST["tools"]] == [t.name for t in ALL_TOOLS], fix
    assert [t["description"] for t in MANIFEST["tools"]] == [t.description for t in ALL_TOOLS], fix


def test_the_manifest_version_is_the_package_version() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert MANIFEST["version"] == __version__
    assert f'version = "{__version__}"' in pyproject


def test_both_keys_are_sensitive_and_neither_is_required_alone() -> None:
    config = MANIFEST["user_config"]
    for name in ("admin_key", "api_key"):
        assert config[name]["sensitive"] is True and config[name]["required"] is False
        assert "sandbox" in config[name]["description"]  # says what else is needed
    assert {"read-only", "admin"} <= set(re.findall(r"[a-z-]+", config["profile"]["description"]))
    assert config["profile"]["default"] == Profile.READ_ONLY.value


def test_the_defaults_give_a_read_only_server_that_asks_for_a_key() -> None:
    settings = resolved_settings({})
    assert settings.admin_key is None and settings.api_key is None and not settings.sandbox
    assert settings.profile is Profile.READ_ONLY and settings.toolsets is None and settings.workspaces is None


def test_user_config_values_reach_the_settings() -> None:
    settings = resolved_settings(
        {
            "admin_key": "sk-ant-admin01-abc",
            "api_key": "sk-ant-api03-def",
            "profile": "admin",
            "toolsets": "users,api_keys",
            "confirm": "always",
            "workspaces": "wrkspc_01a,wrkspc_01b",
            "sandbox": True,
        }
    )
    assert settings.admin_key is not None and settings.admin_key.reveal() == "sk-ant-admin01-abc"
    assert settings.api_key is not None and settings.api_key.reveal() == "sk-ant-api03-def"
    assert settings.profile is Profile.ADMIN and settings.confirm is ConfirmPolicy.ALWAYS
    assert settings.toolsets == {"users", "api_keys"} and settings.workspaces == {"wrkspc_01a", "wrkspc_01b"}
    assert settings.sandbox is True and settings.transport.value == "stdio"


def test_every_user_config_entry_is_used_by_mcp_config() -> None:
    used = set(re.findall(r"\$\{user_config\.(\w+)\}", json.dumps(MANIFEST["server"]["mcp_config"])))
    assert used == set(MANIFEST["user_config"])
    for entry in MANIFEST["user_config"].values():
        assert entry["title"] and entry["description"]


def test_the_bundle_launcher_is_what_mcp_config_runs() -> None:
    build = load_script("build_bundle")
    assert MANIFEST["server"]["entry_point"] == "main.py"
    assert MANIFEST["server"]["mcp_config"]["args"][0] == "${__dirname}/main.py"
    assert "from claude_api_mcp.cli.main import main" in build.LAUNCHER
    assert MANIFEST["server"]["mcp_config"]["env"]["PYTHONPATH"] == "${__dirname}/server/lib"


def test_the_bundle_launcher_refuses_another_python_clearly(tmp_path: Path) -> None:
    launcher = tmp_path / "main.py"
    launcher.write_text(load_script("build_bundle").LAUNCHER.format(major=3, minor=99, target="linux, test"))
    done = subprocess.run([sys.executable, str(launcher)], capture_output=True, text=True, timeout=60, env=clean_env())
    assert done.returncode == 1 and done.stdout == ""
    assert "built for Python 3.99 (linux, test)" in done.stderr and sys.executable in done.stderr


def test_sync_docs_notices_a_tool_missing_from_the_manifest(tmp_path: Path) -> None:
    sync = load_script("sync_docs")
    stale = json.loads((REPO / "manifest.json").read_text())
    stale["tools"] = stale["tools"][:-1]
    text = json.dumps(stale, indent=2, ensure_ascii=False) + "\n"
    assert sync.render_manifest(text) != text
    assert json.loads(sync.render_manifest(text))["tools"] == MANIFEST["tools"]
