"""Attacks on the local disk through write_api's file arguments: the same confinement and refusals as
upload_file, files streamed to the sandbox byte for byte, dry runs and questions that name a file by name
and size, never by content."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp.types import ElicitRequestParams, ElicitResult

from claude_api_mcp.core.config import ConfirmPolicy
from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok
from tests.safety.test_local_files import SECRET, SKILL_MD, roots_of

pytestmark = pytest.mark.anyio
PAYLOAD = bytes(range(256)) * 40 + b"\x00MARKER-q7Zx"  # binary, with NUL bytes: any re-encoding would show
NEVER = {"confirm": ConfirmPolicy.NEVER}


@pytest.fixture
def disk(tmp_path: Path) -> dict[str, Path]:
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (allowed / "data.bin").write_bytes(PAYLOAD)
    (outside / "id_rsa").write_bytes(SECRET)
    return {"allowed": allowed, "outside": outside}


def posts(sandbox: Sandbox) -> list[Any]:
    return [r for r in sandbox.requests if r.method == "POST"]


def upload(path: Any, **more: Any) -> dict[str, Any]:
    return {"operation": "files.upload", "arguments": {"file": path}, **more}


@pytest.mark.parametrize("dry_run", [False, True])
async def test_paths_outside_are_refused_with_upload_files_text_whether_or_not_they_exist(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path], dry_run: bool
) -> None:
    allowed, outside = disk["allowed"], disk["outside"]
    (allowed / "link").symlink_to(outside / "id_rsa")
    attempts = {
        "exists": str(outside / "id_rsa"),
        "missing": str(outside / "id_dsa"),
        "dotdot": f"{allowed}/../outside/id_rsa",
        "link": str(allowed / "link"),
        "etc": "/etc/passwd",
    }
    async with connect(allow_files=(allowed,), **NEVER) as client:
        generic = {
            name: await call_error(client, "write_api", upload({"path": path}, dry_run=dry_run))
            for name, path in attempts.items()
        }
        bare = await call_error(client, "write_api", upload(attempts["exists"], dry_run=dry_run))
        typed = await call_error(client, "upload_file", {"path": attempts["exists"], "dry_run": dry_run})
    shapes = {text.replace(repr(attempts[name]), "<path>") for name, text in generic.items()}
    assert len(shapes) == 1, shapes  # no existence oracle: one sentence, only the path as given differs
    same = {t.replace("write_api", "upload_file") for t in (bare, generic["exists"])}
    assert same == {typed}  # the very text upload_file gives, but for the tool's name
    assert "outside the directories this server may read" in typed and "bytes" not in typed
    assert not sandbox.requests


async def test_a_link_inside_an_allowed_dir_pointing_out_is_refused_and_the_target_is_not_named(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path]
) -> None:
    link = disk["allowed"] / "innocent.txt"
    link.symlink_to(disk["outside"] / "id_rsa")
    async with connect(allow_files=(disk["allowed"],), **NEVER) as client:
        text = await call_error(client, "write_api", upload({"path": str(link)}))
    assert "outside the directories" in text and "id_rsa" not in text
    assert not sandbox.requests


async def test_proc_self_environ_is_refused_even_when_the_client_declares_the_whole_disk(
    connect: Connect, sandbox: Sandbox
) -> None:
    kwargs = {"list_roots_callback": roots_of(Path("/"))}
    async with connect(client_kwargs=kwargs, **NEVER) as client:
        texts = [
            await call_error(client, "write_api", upload({"path": path}, dry_run=dry))
            for path in ("/proc/self/environ", "/dev/zero")
            for dry in (True, False)
        ]
    assert all("outside the directories" in t for t in texts), texts
    assert not sandbox.requests


async def test_without_roots_or_allowed_dirs_paths_are_refused_and_base64_still_works(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path]
) -> None:
    async with connect(**NEVER) as client:
        off = await call_error(client, "write_api", upload({"path": str(disk["allowed"] / "data.bin")}))
        inline = await call_ok(client, "write_api", upload({"filename": "hi.txt", "content_base64": "aGk="}))
    assert "Reading local files is off" in off and "--allow-files" in off
    assert inline["filename"] == "hi.txt" and len(posts(sandbox)) == 1


async def test_a_file_inside_an_allowed_dir_reaches_the_sandbox_byte_for_byte_as_multipart(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path]
) -> None:
    path = str(disk["allowed"] / "data.bin")
    async with connect(allow_files=(disk["allowed"],), **NEVER) as client:
        stored = await call_ok(client, "write_api", upload({"path": path, "filename": "renamed.bin"}))
        bare = await call_ok(client, "write_api", upload(path))
    [first, second] = posts(sandbox)
    assert first.content_type is not None and first.content_type.startswith("multipart/form-data")
    assert b'filename="renamed.bin"' in first.body and PAYLOAD in first.body
    assert b'filename="data.bin"' in second.body and PAYLOAD in second.body
    assert stored["size_bytes"] == bare["size_bytes"] == len(PAYLOAD)


@pytest.mark.parametrize("era", [{}, {"mode": "legacy"}], ids=["modern", "legacy"])
async def test_roots_declared_by_the_client_allow_a_path_and_nothing_else(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path], era: dict[str, Any]
) -> None:
    kwargs = {"list_roots_callback": roots_of(disk["allowed"]), **era}
    async with connect(client_kwargs=kwargs, **NEVER) as client:
        stored = await call_ok(client, "write_api", upload({"path": str(disk["allowed"] / "data.bin")}))
        refused = await call_error(client, "write_api", upload({"path": str(disk["outside"] / "id_rsa")}))
    assert stored["filename"] == "data.bin" and stored["size_bytes"] == len(PAYLOAD)
    assert "outside the directories" in refused
    [sent] = posts(sandbox)
    assert PAYLOAD in sent.body and SECRET not in sent.body


async def test_a_dry_run_shows_name_and_size_sends_nothing_and_the_audit_holds_no_content(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path], tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    path = str(disk["allowed"] / "data.bin")
    async with connect(allow_files=(disk["allowed"],), audit_log=log, **NEVER) as client:
        plan = await call_ok(client, "write_api", upload({"path": path}, dry_run=True))
        await call_ok(client, "write_api", upload({"path": path}))
    assert plan["dry_run"]["body"]["files"] == [{"field": "file", "filename": "data.bin", "bytes": len(PAYLOAD)}]
    assert plan["dry_run"]["sent"] is False
    assert len(posts(sandbox)) == 1
    audit = log.read_text()
    assert path in audit and "MARKER-q7Zx" not in audit and "\\u0000" not in audit
    assert {json.loads(line)["outcome"] for line in audit.splitlines()} >= {"dry_run", "succeeded"}


class Person:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        return ElicitResult(action="decline")


async def test_the_question_names_the_file_and_its_size_and_a_decline_sends_nothing(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path]
) -> None:
    person = Person()
    kwargs = {"elicitation_callback": person}
    path = str(disk["allowed"] / "data.bin")
    async with connect(allow_files=(disk["allowed"],), client_kwargs=kwargs) as client:
        text = await call_error(client, "write_api", upload({"path": path}))
        outside = await call_error(client, "write_api", upload({"path": str(disk["outside"] / "id_rsa")}))
    [question] = person.asked  # a path outside is refused before anyone is asked
    assert "files.upload" in question and 'filename="data.bin"' in question
    assert f"bytes={len(PAYLOAD)}" in question and "10.0 KB" in question, question
    assert "declined" in text and "outside the directories" in outside
    assert not posts(sandbox)


def skill(folder: Path) -> Path:
    folder.mkdir()
    (folder / "SKILL.md").write_text(SKILL_MD)
    (folder / "scripts").mkdir()
    (folder / "scripts" / "run.py").write_text("print(1)\n")
    return folder


async def test_a_skill_folder_is_walked_like_create_skill_and_its_escaping_links_refused(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path]
) -> None:
    folder = skill(disk["allowed"] / "helper")
    args = {"operation": "skills.create", "arguments": {"files": [{"path": str(folder)}], "display_name": "Helper"}}
    async with connect(allow_files=(disk["allowed"],), **NEVER) as client:
        plan = await call_ok(client, "write_api", {**args, "dry_run": True})
        created = await call_ok(client, "write_api", args)
        (folder / "notes.md").symlink_to(disk["outside"] / "id_rsa")
        escaping = await call_error(client, "write_api", args)
        os.remove(folder / "notes.md")
        os.mkfifo(folder / "pipe")
        fifo = await call_error(client, "write_api", args)
        single = await call_error(client, "write_api", upload({"path": str(folder)}))
    assert [(f["filename"], f["bytes"]) for f in plan["dry_run"]["body"]["files"]] == [
        ("helper/SKILL.md", len(SKILL_MD)),
        ("helper/scripts/run.py", 9),
    ]
    assert "Helper" in (created.get("display_title"), created.get("display_name")) and created["id"]
    [sent] = posts(sandbox)
    assert b'filename="helper/SKILL.md"' in sent.body and b"print(1)" in sent.body
    assert "leads outside" in escaping and "id_rsa" not in escaping
    assert "device, FIFO or socket" in fifo
    assert "is a folder" in single and "skills.create" in single


async def test_the_operations_size_limit_is_checked_before_sending(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path]
) -> None:
    big = disk["allowed"] / "big.md"
    with big.open("wb") as f:
        f.truncate(9 * 2**20)  # sparse: 9 MB on paper, over the skills limit of 8 MB
    args = {"operation": "skills.create", "arguments": {"files": [{"path": str(big), "filename": "s/SKILL.md"}]}}
    async with connect(allow_files=(disk["allowed"],), **NEVER) as client:
        text = await call_error(client, "write_api", args)
    assert "at most 8 MB" in text and not sandbox.requests


async def test_describe_api_shows_the_path_form_and_a_path_with_content_is_refused(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path]
) -> None:
    path = str(disk["allowed"] / "data.bin")
    async with connect(allow_files=(disk["allowed"],), **NEVER) as client:
        described = await call_ok(client, "describe_api", {"operation": "skills.create"})
        both = await call_error(client, "write_api", upload({"path": path, "content_base64": "aGk="}))
        number = await call_error(client, "write_api", upload({"path": 7}))
    assert described["arguments"]["properties"]["files"]["items"]["properties"]["path"] == {"type": "string"}
    assert "path or content_base64, not both" in both and "must be a string" in number
    assert not sandbox.requests
