"""Issue 10 #17: whatever shape the upstream answers with, every tool fails with a message the model can use.

Every registered tool is called with valid arguments against an upstream that answers garbage: a JSON list
or string where an object belongs, ``null``, fields of the wrong types, bytes that are not UTF-8, an HTML
error page, an error envelope that is not one. Each call either succeeds (lenient parsing) or returns a
``ToolError`` that says what went wrong, never a bare "Error executing tool X" nor traceback text; a
write's error says whether anything was sent. Bad local paths (a null byte, an over-long name) likewise.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.helpers import text_of
from tests.hostile import Upstream, connect
from tests.schema_args import build, overrides

pytestmark = pytest.mark.anyio

WRITES = {t.name for t in ALL_TOOLS if not t.read_only}
GARBAGE: dict[str, tuple[int, bytes, str]] = {
    "a JSON list": (200, b"[1, 2, 3]", "application/json"),
    "a JSON string": (200, b'"surprise"', "application/json"),
    "null": (200, b"null", "application/json"),
    "fields of the wrong types": (
        200,
        b'{"data": 7, "has_more": "yes", "id": [], "name": {}, "type": 5, "processing_status": ["ended"],'
        b' "next_page": 3, "content": "x", "usage": [], "size_bytes": "big", "downloadable": "maybe"}',
        "application/json",
    ),
    "bytes that are not UTF-8": (200, b"\xff\xfe\x00{\x9c", "application/json"),
    "an HTML error page": (500, b"<html><body>Bad gateway</body></html>", "text/html"),
    "an error envelope that is not one": (500, b'{"error": [1, {"message": 2}]}', "application/json"),
}
BARE = re.compile(r"^Error executing tool \w+:?\s*$")


async def test_every_tool_answers_every_garbage_shape_with_an_actionable_message(tmp_path: Path) -> None:
    current = ["null"]

    def garbage(request: httpx.Request) -> httpx.Response:
        status, body, kind = GARBAGE[current[0]]
        return httpx.Response(status, content=body, headers={"content-type": kind, "request-id": "req_garbage"})

    upstream = Upstream(garbage)
    special = overrides(tmp_path)
    failures: list[str] = []
    calls = errors = 0
    async with connect(upstream, tmp_path) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == {t.name for t in ALL_TOOLS}  # every tool, both keys, admin profile
        for case in GARBAGE:
            current[0] = case
            for name, listed in tools.items():
                result = await client.call_tool(name, args_for(name, listed.input_schema, special))
                calls += 1
                if not result.is_error:
                    continue
                errors += 1
                text = text_of(result)
                problem = _problem(text, write=name in WRITES, status=GARBAGE[case][0])
                if problem:
                    failures.append(f"{name} / {case}: {problem}: {text[:300]}")
    assert not failures, "\n".join(failures)
    assert calls == len(GARBAGE) * len(ALL_TOOLS) and errors > calls // 2  # the garbage really was hostile


def args_for(name: str, schema: dict[str, Any], special: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Valid arguments that reach the upstream: every scalar set (an update with nothing to change sends
    nothing), and a real report window."""
    args = special.get(name) or build(schema, {}, optional=True)
    args.pop("before_id", None)  # (after_id is set: both is a refusal before anything is sent)
    if "starting_at" in args:
        args = {**args, "starting_at": "2025-06-01", "ending_at": None}
    return args


def _problem(text: str, *, write: bool, status: int) -> str | None:
    if BARE.match(text):
        return "a bare error"
    if "Traceback" in text or 'File "' in text:
        return "traceback text"
    if len(text.split(":", 1)[-1].strip()) < 30:
        return "too short to act on"
    if write and status == 200 and " sent" not in text and "processed" not in text:
        return "a write that does not say whether anything was sent"
    return None


@pytest.mark.parametrize(
    ("case", "path"),
    [("a null byte", "/tmp/upload\x00.txt"), ("an over-long path", "/tmp/" + "x" * 5000 + ".txt")],
)
async def test_a_bad_local_path_is_an_actionable_error_and_nothing_is_sent(
    case: str, path: str, tmp_path: Path
) -> None:
    upstream = Upstream(lambda request: httpx.Response(200, json={}))
    async with connect(upstream, tmp_path) as client:
        results: dict[str, Any] = {
            "upload_file": await client.call_tool("upload_file", {"path": path}),
            "create_skill": await client.call_tool("create_skill", {"path": path}),
        }
    for name, result in results.items():
        text = text_of(result)
        assert result.is_error, f"{name} / {case}"
        assert _problem(text, write=True, status=200) is None, f"{name} / {case}: {text}"
    assert not [r for r in upstream.requests if r.method != "GET"], "a write went out"
