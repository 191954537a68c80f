"""No id argument can reach another endpoint: dot segments, slashes and percent-encodings are refused unsent.

``get_model`` with ``..`` once sent ``GET /v1`` (httpx normalizes dot segments). This loops over every
tool and every ``*_id`` argument, so ids added later are attacked too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.tools._args import check_path_id
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests import schema_args
from tests.conftest import Connect
from tests.helpers import text_of

pytestmark = pytest.mark.anyio

ATTACKS = [
    ".",
    "..",
    "...",
    "a/b",
    "../v1/organizations/users",
    "%2e%2e",
    "..%2F",
    "%2E",
    "x?limit=1",
    "x#y",
    "a\\b",
    "",
]
QUERY_CURSORS = {"after_id", "before_id"}  # sent as query values, percent-encoded: not path segments


def id_params(schema: dict[str, Any]) -> list[str]:
    props = schema.get("properties") or {}
    return [n for n, p in props.items() if n.endswith("_id") and n not in QUERY_CURSORS and "string" in str(p)]


async def test_every_id_argument_refuses_dot_segments_and_separators_before_sending(
    connect: Connect, sandbox: Sandbox, tmp_path: Path
) -> None:
    attacked: list[str] = []
    async with connect(allow_files=(tmp_path,)) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        assert set(listed) >= {t.name for t in ALL_TOOLS}  # every tool is attacked, none is skipped unseen
        ids = await schema_args.seed_ids(client, sandbox, tmp_path)
        for tool in ALL_TOOLS:
            schema = listed[tool.name].input_schema
            dry = {"dry_run": True} if "dry_run" in schema["properties"] else {}
            valid = {**schema_args.build(schema, ids), **dry}
            for name in id_params(schema):
                baseline = await client.call_tool(tool.name, valid)  # the attack, not the rest, is what fails
                assert "validation error" not in text_of(baseline).lower(), (tool.name, text_of(baseline))
                before = len(sandbox.requests)
                for bad in ATTACKS:
                    result = await client.call_tool(tool.name, {**valid, name: bad})
                    assert result.is_error, f"{tool.name}({name}={bad!r}) was accepted"
                    assert name in text_of(result)
                sent = list(sandbox.requests)[before:]
                assert not sent, (tool.name, name, [(r.method, r.path) for r in sent])
                attacked.append(f"{tool.name}.{name}")
    assert {"get_model.model_id", "get_skill.skill_id", "delete_file.file_id", "cancel_batch.message_batch_id"} <= set(
        attacked
    )


async def test_get_model_dot_segments_never_reach_the_models_list_or_the_api_root(
    connect: Connect, sandbox: Sandbox
) -> None:
    async with connect() as client:
        for bad in (".", ".."):
            result = await client.call_tool("get_model", {"model_id": bad})
            assert result.is_error and "cannot be '.' or '..'" in text_of(result)
        ok = await client.call_tool("get_model", {"model_id": "claude-sonnet-4-5"})
    assert not ok.is_error and [r.path for r in sandbox.requests] == ["/v1/models/claude-sonnet-4-5"]


def test_the_check_is_reusable_for_ids_outside_typed_arguments() -> None:
    assert check_path_id("claude-3.5@2024", "model_id") == "claude-3.5@2024"
    for bad in ATTACKS:
        with pytest.raises(ToolError, match=r"skill_id: .*Nothing was sent"):
            check_path_id(bad, "skill_id")
