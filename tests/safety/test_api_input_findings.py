"""Small input findings of issue 19 item 13: each bad value is refused with a clear sentence before anything
is sent (a media type with Unicode letters, a file name with a slash, a header value that is not ASCII)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_upstream import Upstream, connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio
CONTENT = "aGVsbG8="  # "hello"


def upload(file: dict[str, Any], op: str = "files.upload") -> dict[str, Any]:
    return {"operation": op, "arguments": {"file": file}, "dry_run": True}


@pytest.mark.parametrize("media", ["téxt/plain", "text/plаin", "text/pl\u0663in", "text/plain\u2028x"])
async def test_a_media_type_with_unicode_letters_is_refused(media: str) -> None:
    upstream = Upstream()
    async with connect(upstream) as client:
        text = await call_error(
            client, "write_api", upload({"filename": "a.txt", "content_base64": CONTENT, "media_type": media})
        )
        fine = await call_ok(
            client,
            "write_api",
            upload({"filename": "a.txt", "content_base64": CONTENT, "media_type": "application/vnd.ms-excel"}),
        )
    assert "is not a media type like text/plain" in text
    assert fine["dry_run"]["sent"] is False
    assert upstream.requests == []


@pytest.mark.parametrize("name", ["reports/q3.csv", "../q3.csv", "/etc/passwd", "a\\b.csv"])
async def test_a_file_name_with_a_slash_is_never_sent(name: str) -> None:
    upstream = Upstream()
    async with connect(upstream) as client:
        text = await call_error(client, "write_api", upload({"filename": name, "content_base64": CONTENT}))
        for dry_run in (False, True):
            call = {**upload({"filename": name, "content_base64": CONTENT}), "dry_run": dry_run}
            assert "plain name" in await call_error(client, "write_api", call)
    assert "plain name, without '/'" in text and repr(name) in text
    assert upstream.requests == []


async def test_a_skill_still_names_its_files_by_their_place_in_the_folder() -> None:
    upstream = Upstream()
    files = [{"filename": "my-skill/SKILL.md", "content_base64": CONTENT}]
    call = {"operation": "skills.create", "arguments": {"files": files}, "dry_run": True}
    async with connect(upstream) as client:
        planned = await call_ok(client, "write_api", call)
    assert [f["filename"] for f in planned["dry_run"]["body"]["files"]] == ["my-skill/SKILL.md"]


@pytest.mark.parametrize("value", ["wrkspc_é", "wrkspc_\u202eevil", "wrkspc_日本"])
async def test_a_header_argument_that_is_not_ascii_is_refused_clearly(value: str) -> None:
    upstream = Upstream()
    async with connect(upstream) as client:
        read = await call_error(
            client, "read_api", {"operation": "beta.agents.list", "arguments": {"workspace_id": value}}
        )
        write = await call_error(
            client,
            "write_api",
            {"operation": "beta.agents.archive", "arguments": {"agent_id": "agent_1", "workspace_id": value}},
        )
    for text in (read, write):
        assert "'workspace_id' must be ASCII (it is sent as an HTTP header)" in text
    assert upstream.requests == []
