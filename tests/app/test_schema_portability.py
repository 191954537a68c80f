"""Tool schemas are portable (issue 12): the MCP Inspector's ``--strict`` portability check finds nothing.

The fast tests hold every tool's input and output schema, in both profiles, to the Inspector's rules as
ported in ``tests/schema_lint.py``; the slow one runs the real Inspector CLI over stdio, so the port and
the tool it stands for cannot drift apart unnoticed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from tests.e2e.test_inspector import INSPECTOR
from tests.procs import REPO, clean_env, require_npx
from tests.schema_lint import lint


@pytest.mark.anyio
@pytest.mark.parametrize("profile", [Profile.ADMIN, Profile.READ_ONLY])
async def test_every_tool_schema_passes_the_inspectors_portability_rules(profile: Profile) -> None:
    async with Client(build_server(Settings(sandbox=True, profile=profile))) as client:
        tools = (await client.list_tools()).tools
    findings = [
        (tool.name, finding)
        for tool in tools
        for kind, schema in (("inputSchema", tool.input_schema), ("outputSchema", tool.output_schema))
        if schema is not None
        for finding in lint(schema, kind)
    ]
    assert findings == []


@pytest.mark.parametrize(
    ("schema", "rule"),
    [
        ({"type": "object", "properties": {"a": {"type": ["string", "null"]}}}, "type-union"),
        ({"type": "object", "properties": {"a": {}}}, "untyped-schema"),
        ({"type": "object", "properties": {"a": {"description": "anything"}}}, "untyped-schema"),
        ({"type": "array", "items": True}, "boolean-schema"),
        ({"$ref": "https://example.com/schema.json"}, "remote-ref"),
    ],
)
def test_the_rules_catch_what_the_inspector_flags(schema: dict[str, Any], rule: str) -> None:
    assert [f.rule for f in lint(schema, "inputSchema")] == [rule]


def test_what_the_rules_allow() -> None:
    portable = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "a": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "b": {"not": {}},
            "c": {"$ref": "#/$defs/C"},
        },
        "$defs": {"C": {"enum": [1, 2]}},
    }
    assert lint(portable, "outputSchema") == []


@pytest.mark.slow
@pytest.mark.e2e
def test_the_inspector_strict_check_reports_no_portability_finding() -> None:
    cmd = [require_npx(), "-y", INSPECTOR, "--cli", "--format", "json", "-q"]
    cmd += [
        sys.executable,
        "-m",
        "claude_api_mcp",
        "--sandbox",
        "--profile",
        "admin",
        "--method",
        "tools/list",
        "--strict",
    ]
    done = subprocess.run(cmd, cwd=REPO, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    envelope = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("{")))
    assert len(envelope["result"]["tools"]) >= 47
    assert "schemaFindings" not in envelope, envelope.get("schemaFindings")
    assert "portability" not in done.stderr.lower(), done.stderr[-2000:]
