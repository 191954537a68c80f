"""claude-api-mcp from the OpenAI Agents SDK, over stdio: list the tools and call one, no model needed.

    python3 -m venv .venv-openai-agents && .venv-openai-agents/bin/pip install openai-agents==0.24.0 .
    .venv-openai-agents/bin/python examples/openai_agents_stdio.py   # the sandbox: no key needed

For a real organization drop --sandbox and put ANTHROPIC_ADMIN_KEY (and/or ANTHROPIC_API_KEY) in ``env``.
To let a model use the tools, pass the same server to an agent:
``Agent(name="admin", instructions="...", mcp_servers=[server])`` and ``await Runner.run(agent, "...")``.
"""

from __future__ import annotations

import asyncio
import json
import sys

from agents.mcp import MCPServerStdio, MCPServerStdioParams


async def main() -> None:
    params: MCPServerStdioParams = {"command": sys.executable, "args": ["-m", "claude_api_mcp", "--sandbox"]}
    async with MCPServerStdio(name="claude-api", params=params, cache_tools_list=True) as server:
        tools = await server.list_tools()
        print(f"{len(tools)} tools: {', '.join(t.name for t in tools)}")
        result = await server.call_tool("list_users", {"limit": 3})
        if result.is_error:
            raise SystemExit(f"list_users failed: {result.content}")
        users = result.structured_content or {}
        print("first users:", json.dumps([u["email"] for u in users["data"]]))
        org = await server.call_tool("get_organization", {})
        print("organization:", (org.structured_content or {})["name"])


if __name__ == "__main__":
    asyncio.run(main())
