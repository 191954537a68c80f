"""claude-api-mcp from pydantic-ai, over stdio: list the tools and call one, no model needed.

    python3 -m venv .venv-pydantic-ai && .venv-pydantic-ai/bin/pip install 'pydantic-ai-slim[mcp]==2.68.0' .
    .venv-pydantic-ai/bin/python examples/pydantic_ai_stdio.py   # the sandbox: no key needed

pydantic-ai 2.x connects through ``MCPToolset`` with a fastmcp transport (``MCPServerStdio`` was removed).
For a real organization drop --sandbox and put ANTHROPIC_ADMIN_KEY (and/or ANTHROPIC_API_KEY) in ``env``.
To let a model use the tools: ``Agent(model, toolsets=[toolset])``.
"""

from __future__ import annotations

import asyncio
import json
import sys

from fastmcp.client.transports import StdioTransport
from pydantic_ai.mcp import MCPToolset


async def main() -> None:
    toolset = MCPToolset(StdioTransport(command=sys.executable, args=["-m", "claude_api_mcp", "--sandbox"]))
    async with toolset:
        tools = await toolset.list_tools()
        print(f"{len(tools)} tools: {', '.join(t.name for t in tools)}")
        users = await toolset.direct_call_tool("list_users", {"limit": 3})
        print("first users:", json.dumps([u["email"] for u in users["data"]]))
        org = await toolset.direct_call_tool("get_organization", {})
        print("organization:", org["name"])


if __name__ == "__main__":
    asyncio.run(main())
