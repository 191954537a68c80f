"""The typed tools' model-visible cost (name + description + input schema, bytes/4, as ``bench/context.py``
measures it) stays inside its share of issue 22's limits (7,000 admin / 4,000 read-only tokens for the whole
list), leaving room for the four generic ``api`` tools (~470 tokens)."""

from __future__ import annotations

import pytest
from mcp import Client

from bench.context import tokens, tool_list
from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.tools.registry import ALL_TOOLS

pytestmark = pytest.mark.anyio

TYPED_BUDGET = {Profile.ADMIN: 6_600, Profile.READ_ONLY: 3_700}  # issue 22: whole lists <= 7,000 / 4,000
GENERIC = {"search_api", "describe_api", "read_api", "write_api"}


@pytest.mark.parametrize("profile", list(TYPED_BUDGET))
async def test_the_typed_tools_fit_their_token_budget(profile: Profile) -> None:
    async with Client(build_server(Settings(sandbox=True, profile=profile))) as client:
        measured = await tool_list(client)
    typed = {name: size for name, size in measured.visible.items() if name not in GENERIC}
    assert set(typed) <= {t.name for t in ALL_TOOLS}
    assert tokens(sum(typed.values())) <= TYPED_BUDGET[profile]
