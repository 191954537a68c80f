"""The MCP Inspector CLI (the real npm package) against the server over stdio and over streamable HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_readme import desktop_entry
from tests.procs import REPO, clean_env, http_server, require_npx

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

INSPECTOR = "@modelcontextprotocol/inspector@2.12.0"
TOKEN = "inspector-test-token-0123456789abcdef"
SERVER = [sys.executable, "-m", "claude_api_mcp"]


def inspector(*args: str, expect_code: int = 0) -> dict[str, Any]:
    """Run ``inspector --cli --format json``; return the JSON it printed (a result on stdout, else an error)."""
    cmd = [require_npx(), "-y", INSPECTOR, "--cli", "--format", "json", "-q", *args]
    done = subprocess.run(cmd, cwd=REPO, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == expect_code, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    printed = [line for line in (done.stdout + "\n" + done.stderr).splitlines() if line.startswith("{")]
    result: dict[str, Any] = json.loads(printed[0])
    return result


def test_inspector_lists_tools_over_stdio() -> None:
    listed = inspector(*SERVER, "--sandbox", "--method", "tools/list")
    tools = {t["name"]: t for t in listed["result"]["tools"]}
    assert "list_users" in tools and "update_user" not in tools
    assert tools["list_users"]["annotations"]["readOnlyHint"] is True
    assert "outputSchema" in tools["list_users"]


def test_inspector_calls_a_tool_over_stdio_with_settings_from_the_environment() -> None:
    called = inspector(
        "-e",
        "CLAUDE_API_MCP_SANDBOX=1",
        *SERVER,
        "--method",
        "tools/call",
        "--tool-name",
        "list_users",
        "--tool-args-json",
        '{"limit": 2, "roles": ["developer"]}',
    )
    result = called["result"]
    assert result["isError"] is False
    assert [u["role"] for u in result["structuredContent"]["data"]] == ["developer", "developer"]


def test_inspector_sees_a_tool_error_as_an_error_result() -> None:
    called = inspector(
        *SERVER,
        "--sandbox",
        "--method",
        "tools/call",
        "--tool-name",
        "get_user",
        "--tool-args-json",
        '{"user_id": "user_01nobody"}',
        expect_code=5,  # the Inspector's exit code for an isError result
    )
    text = called["result"]["content"][0]["text"]
    assert called["result"]["isError"] is True and "list_users" in text


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_inspector_lists_and_calls_tools_over_http_with_the_bearer_token(tmp_path: Path, era: str) -> None:
    auth = ["--header", f"Authorization: Bearer {TOKEN}", "--protocol-era", era]
    with http_server(["--sandbox", "--http-token", TOKEN], tmp_path) as server:
        listed = inspector(server.url, *auth, "--method", "tools/list")
        called = inspector(
            server.url, *auth, "--method", "tools/call", "--tool-name", "get_organization", "--tool-args-json", "{}"
        )
        refused = inspector(server.url, "--stored-auth-only", "--method", "tools/list", expect_code=3)
    assert "get_organization" in {t["name"] for t in listed["result"]["tools"]}
    assert called["result"]["isError"] is False
    assert called["result"]["structuredContent"]["type"] == "organization"
    assert refused["error"]["code"] == "auth_required"  # no token: the server answered 401


def test_the_readme_desktop_entry_for_http_reaches_the_server_through_mcp_remote(tmp_path: Path) -> None:
    entry = desktop_entry("claude-api-http")
    entry["args"] = [a.replace("http://127.0.0.1:8765/mcp", "{url}") for a in entry["args"]]
    entry["env"] = {k: v.replace("<your token>", TOKEN) for k, v in entry["env"].items()}
    with http_server(["--sandbox", "--http-token", TOKEN], tmp_path) as server:
        entry["args"] = [a.replace("{url}", server.url) for a in entry["args"]]
        config = tmp_path / "claude_desktop_config.json"
        config.write_text(json.dumps({"mcpServers": {"claude-api-http": entry}}))
        called = inspector(
            "--config",
            str(config),
            "--server",
            "claude-api-http",
            "--method",
            "tools/call",
            "--tool-name",
            "get_organization",
        )
    assert called["result"]["structuredContent"]["type"] == "organization"


def test_inspector_sets_the_log_level_and_reads_a_resource_template_over_stdio() -> None:
    """logging/setLevel through the Inspector (its CLI has no completion/complete method: the Python client
    tests cover completions, tests/app/test_completions.py)."""
    assert inspector(*SERVER, "--sandbox", "--method", "logging/setLevel", "--log-level", "debug") == {"result": {}}
    listed = inspector(*SERVER, "--sandbox", "--method", "resources/templates/list")
    templates = {t["uriTemplate"] for t in listed["result"]["resourceTemplates"]}
    assert "claude-api://operations/{operation_id}" in templates
    read = inspector(
        *SERVER, "--sandbox", "--method", "resources/read", "--uri", "claude-api://operations/beta.agents.list"
    )
    assert json.loads(read["result"]["contents"][0]["text"])["operation"] == "beta.agents.list"


def test_inspector_sets_the_log_level_over_http(tmp_path: Path) -> None:
    auth = ["--header", f"Authorization: Bearer {TOKEN}", "--protocol-era", "legacy"]
    with http_server(["--sandbox", "--http-token", TOKEN], tmp_path) as server:
        answered = inspector(server.url, *auth, "--method", "logging/setLevel", "--log-level", "warning")
    assert answered == {"result": {}}
