"""files toolset, end to end through the in-memory MCP client against the sandbox's file storage."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from mcp.types import EmbeddedResource

from claude_api_mcp import tools
from claude_api_mcp.safety.uploads import sanitize_filename
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.files_state import FilesState
from claude_api_mcp.tools import files as _files  # noqa: F401  (loads tools.files)
from tests.conftest import Connect
from tests.helpers import call_error, call_ok, text_of

pytestmark = pytest.mark.anyio


def uploads(sandbox: Sandbox) -> list[Any]:
    return [r for r in sandbox.requests if r.method == "POST" and r.path == "/v1/files"]


def files(sandbox: Sandbox) -> FilesState:
    state: FilesState = sandbox.area("files", FilesState)
    return state


async def test_upload_from_a_path_sends_one_multipart_file_part(
    connect: Connect, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = tmp_path / "report.csv"
    source.write_bytes(b"a,b\n1,2\n")
    async with connect(allow_files=(tmp_path,)) as client:
        uploaded = await call_ok(client, "upload_file", {"path": str(source)})
        fetched = await call_ok(client, "get_file", {"file_id": uploaded["id"]})
    assert uploaded["id"].startswith("file_") and uploaded["filename"] == "report.csv"
    assert uploaded["size_bytes"] == 8 and uploaded["mime_type"] == "text/csv" and uploaded["downloadable"] is False
    assert fetched == uploaded
    (sent,) = uploads(sandbox)
    assert sent.content_type.startswith("multipart/form-data")
    assert b'name="file"; filename="report.csv"' in sent.body and b"a,b\n1,2\n" in sent.body
    assert files(sandbox).files[uploaded["id"]].content == b"a,b\n1,2\n"


async def test_upload_from_base64_sanitizes_the_filename_and_keeps_the_mime_type(
    connect: Connect, sandbox: Sandbox
) -> None:
    data = base64.b64encode(b"\x89PNG fake").decode()
    args = {"content_base64": data, "filename": "C:\\tmp\\my:chart?.png", "mime_type": "image/png"}
    async with connect() as client:
        uploaded = await call_ok(client, "upload_file", args)
    assert uploaded["filename"] == "my_chart_.png" and uploaded["mime_type"] == "image/png"
    assert files(sandbox).files[uploaded["id"]].content == b"\x89PNG fake"


def test_filenames_follow_the_api_rules() -> None:
    assert sanitize_filename("../../etc/passwd") == "passwd"
    assert sanitize_filename('a<b>c"d|e*f.txt') == "a_b_c_d_e_f.txt"
    assert sanitize_filename("tab\there\x07.md") == "tab_here_.md"
    long = sanitize_filename("x" * 300 + ".json")
    assert len(long) == 255 and long.endswith(".json")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, "exactly one of path or content_base64"),
        ({"path": "/a", "content_base64": "eA=="}, "exactly one of path or content_base64"),
        ({"content_base64": "eA=="}, "filename is required"),
        ({"content_base64": "not base64!", "filename": "x.bin"}, "not valid base64"),
        ({"path": "/definitely/not/here.pdf"}, "Reading local files is off"),
        ({"content_base64": "eA==", "filename": "///"}, "no usable characters"),
    ],
)
async def test_bad_uploads_are_refused_before_anything_is_sent(
    connect: Connect, sandbox: Sandbox, args: dict[str, Any], expected: str
) -> None:
    async with connect() as client:
        text = await call_error(client, "upload_file", args)
    assert expected in text
    assert not sandbox.requests


async def test_a_directory_or_a_file_over_the_limit_is_refused_before_sending(
    connect: Connect, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"0" * 2048)
    monkeypatch.setattr(tools.files, "MAX_UPLOAD", 1024)
    async with connect(allow_files=(tmp_path,)) as client:
        folder = await call_error(client, "upload_file", {"path": str(tmp_path)})
        too_big = await call_error(client, "upload_file", {"path": str(big)})
        too_big_b64 = await call_error(
            client, "upload_file", {"content_base64": base64.b64encode(b"0" * 2048).decode(), "filename": "b.bin"}
        )
    assert "not a regular file" in folder
    assert "the limit is" in too_big and "500 MB" in too_big_b64
    assert not sandbox.requests


async def test_upload_dry_run_describes_the_file_and_sends_nothing(
    connect: Connect, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = tmp_path / "notes.md"
    source.write_text("# Notes\n")
    async with connect(allow_files=(tmp_path,)) as client:
        plan = await call_ok(client, "upload_file", {"path": str(source), "dry_run": True})
    assert plan["dry_run"]["body"] == {"file": {"filename": "notes.md", "size_bytes": 8, "mime_type": "text/markdown"}}
    assert not sandbox.requests


async def test_list_files_pages_with_tokens_newest_first(connect: Connect, sandbox: Sandbox) -> None:
    for i in range(3):
        files(sandbox).add(f"f{i}.txt", "text/plain", b"x")
    async with connect() as client:
        first = await call_ok(client, "list_files", {"limit": 2})
        rest = await call_ok(client, "list_files", {"limit": 2, "page": first["next_page"]})
        everything = await call_ok(client, "list_files", {"all_pages": True})
    assert [f["filename"] for f in first["data"]] == ["f2.txt", "f1.txt"] and first["has_more"] is True
    assert first["next_page"].startswith("page_")
    assert [f["filename"] for f in rest["data"]] == ["f0.txt", "chart.png"]
    assert len(everything["data"]) == 5 and everything["has_more"] is False and everything["next_page"] is None


async def test_download_returns_small_text_as_text(connect: Connect, sandbox: Sandbox) -> None:
    meta = files(sandbox).add("out.json", "application/json", b'{"ok": true}', downloadable=True)
    async with connect() as client:
        result = await client.call_tool("download_file", {"file_id": meta["id"]})
    assert not result.is_error and result.structured_content is not None
    assert result.structured_content["returned_as"] == "text" and result.structured_content["size_bytes"] == 12
    assert result.content[-1].text == '{"ok": true}'  # type: ignore[union-attr]


async def test_download_returns_binary_content_as_an_embedded_resource(connect: Connect, sandbox: Sandbox) -> None:
    payload = bytes(range(256))
    meta = files(sandbox).add("blob.bin", "application/octet-stream", payload, downloadable=True)
    async with connect() as client:
        result = await client.call_tool("download_file", {"file_id": meta["id"]})
    assert result.structured_content and result.structured_content["returned_as"] == "resource"
    resource = result.content[-1]
    assert isinstance(resource, EmbeddedResource)
    assert resource.resource.mime_type == "application/octet-stream"
    assert base64.b64decode(resource.resource.blob) == payload  # type: ignore[union-attr]
    assert str(resource.resource.uri).endswith(f"/v1/files/{meta['id']}/content")


async def test_download_refuses_uploaded_files_without_fetching_content(connect: Connect, sandbox: Sandbox) -> None:
    meta = files(sandbox).add("mine.txt", "text/plain", b"hello")
    async with connect() as client:
        text = await call_error(client, "download_file", {"file_id": meta["id"]})
    assert "cannot be downloaded" in text and "uploads" in text
    assert not [r for r in sandbox.requests if r.path.endswith("/content")]


async def test_download_refuses_files_over_the_cap_even_when_the_size_was_understated(
    connect: Connect, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tools.files, "MAX_DOWNLOAD", 1000)
    honest = files(sandbox).add("big.csv", "text/csv", b"x" * 5000, downloadable=True)
    lying = files(sandbox).add("lies.csv", "text/csv", b"y" * 5000, downloadable=True)
    lying["size_bytes"] = 10
    async with connect() as client:
        by_metadata = await call_error(client, "download_file", {"file_id": honest["id"]})
        while_streaming = await call_error(client, "download_file", {"file_id": lying["id"]})
    assert "download_file returns at most" in by_metadata
    assert "download_file returns at most" in while_streaming
    assert [r.path for r in sandbox.requests if r.path.endswith("/content")] == [f"/v1/files/{lying['id']}/content"]


async def test_delete_file_returns_the_deletion_object_and_get_then_fails(connect: Connect, sandbox: Sandbox) -> None:
    meta = files(sandbox).add("old.txt", "text/plain", b"bye")
    async with connect() as client:
        gone = await call_ok(client, "delete_file", {"file_id": meta["id"]})
        text = await call_error(client, "get_file", {"file_id": meta["id"]})
    assert gone == {"id": meta["id"], "type": "file_deleted"}
    assert "Not found" in text and "list_files" in text


async def test_file_ids_must_carry_the_file_prefix(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        text = await call_error(client, "get_file", {"file_id": "msgbatch_01abc"})
    assert "file_" in text and not sandbox.requests


async def test_text_results_name_what_was_downloaded(connect: Connect, sandbox: Sandbox) -> None:
    meta = files(sandbox).add("a.txt", "text/plain", b"hello", downloadable=True)
    async with connect() as client:
        result = await client.call_tool("download_file", {"file_id": meta["id"]})
    assert '"filename": "a.txt"' in text_of(result) and text_of(result).endswith("hello")
