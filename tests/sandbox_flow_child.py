"""Run as a child process by tests/sandbox/test_sandbox_generic_no_sdk.py: a sandbox request flow through the MCP tools.

``python tests/sandbox_flow_child.py [--no-sdk]`` builds the server with the sandbox (admin profile), reads
and writes a few operations only the generic simulator serves, and prints one JSON object: each answer
by operation id, the ``anthropic*`` modules the flow loaded, and whether the SDK is importable.
``--no-sdk`` first makes the official SDK unimportable, as on a plain install without the test extra.
"""

from __future__ import annotations

import sys

if "--no-sdk" in sys.argv:
    sys.modules["anthropic"] = None  # type: ignore[assignment]  # `import anthropic[.x]` now raises ImportError

import importlib.util
import json
from typing import Any

import anyio
from mcp import Client
from mcp.types import ElicitRequestParams, ElicitResult

import claude_api_mcp.cli.main  # noqa: F401  # the console script's module: what `claude-api-mcp --sandbox` loads first
from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings

AGENT_MODEL = "claude-sonnet-5-5"


async def _accept(context: Any, params: ElicitRequestParams) -> ElicitResult:
    return ElicitResult(action="accept", content={"confirm": True})


async def _call(client: Client, tool: str, op: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, {"operation": op, "arguments": arguments})
    text = "".join(getattr(block, "text", "") for block in result.content)
    if result.is_error or result.structured_content is None:
        raise SystemExit(f"{tool} {op} failed: {text[:500]}")
    answer = dict(result.structured_content)
    for ours in ("dry_run", "confirmation"):  # write_api's own fields, never set on a confirmed call
        if answer.get(ours) is None:
            answer.pop(ours, None)
    return answer


async def flow() -> dict[str, Any]:
    server = build_server(Settings(sandbox=True, profile=Profile.ADMIN))
    answers: dict[str, Any] = {}
    async with Client(server, elicitation_callback=_accept) as client:
        answers["organization.rbac_groups.list"] = await _call(client, "read_api", "organization.rbac_groups.list", {})
        agent = {"name": "Triage", "model": AGENT_MODEL}
        made = answers["beta.agents.create"] = await _call(client, "write_api", "beta.agents.create", agent)
        answers["beta.agents.retrieve"] = await _call(
            client, "read_api", "beta.agents.retrieve", {"agent_id": made["id"]}
        )
        answers["beta.agents.list"] = await _call(client, "read_api", "beta.agents.list", {})
        account = {"name": "nightly-export"}
        answers["organization.service_accounts.create"] = await _call(
            client, "write_api", "organization.service_accounts.create", account
        )
    loaded = sorted(
        name for name, module in sys.modules.items() if module is not None and name.split(".")[0] == "anthropic"
    )
    importable = importlib.util.find_spec("anthropic") is not None  # None under the --no-sdk shim; imports nothing
    return {
        "answers": answers,
        "anthropic_modules": loaded,
        "sdk_importable": importable,
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(anyio.run(flow)) + "\n")
