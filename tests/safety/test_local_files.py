"""Attacks on the local disk through upload_file and create_skill: every one refused before anything is read or sent.

A prompt-injected model picks the path. It must not get ``/etc/passwd``, a key file, the server's own
environment through ``/proc/self/environ``, or even learn whether a file outside the allowed directories
exists.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest
from mcp.types import ListRootsResult, Root

from claude_api_mcp.cli.flags import parser
from claude_api_mcp.cli.main import ConfigError, settings_from
from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio
ERAS = [{}, {"mode": "legacy"}]
SECRET = b"ANTHROPIC_API_KEY=sk-ant-api03-do-not-send"
SKILL_MD = "---\nname: helper\ndescription: Helps.\n---\nHelp.\n"


@pytest.fixture
def disk(tmp_path: Path) -> dict[str, Path]:
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (allowed / "ok.txt").write_text("fine\n")
    (outside / "id_rsa").write_bytes(SECRET)
    return {"allowed": allowed, "outside": outside}


def sent(sandbox: Sandbox) -> list[Any]:
    return [r for r in sandbox.requests if r.method == "POST"]


def roots_of(*folders: Path) -> Any:
    async def list_roots(context: Any) -> ListRootsResult:
        return ListRootsResult(roots=[Root(uri=f.as_uri(), name=f.name) for f in folders])

    return list_roots


async def test_without_roots_or_allowed_dirs_paths_are_refused_but_base64_works(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path]
) -> None:
    async with connect() as client:
        refused = await call_error(client, "upload_file", {"path": str(disk["allowed"] / "ok.txt")})
        skill = await call_error(client, "create_skill", {"path": str(disk["allowed"])})
        inline = {"content_base64": base64.b64encode(b"hi").decode(), "filename": "hi.txt"}
        uploaded = await call_ok(client, "upload_file", inline)
    for text in (refused, skill):
        assert "Reading local files is off" in text and "--allow-files" in text and "CLAUDE_API_MCP_ALLOW_FILES" in text
    assert uploaded["filename"] == "hi.txt" and len(sent(sandbox)) == 1


@pytest.mark.parametrize("dry_run", [False, True])
async def test_files_outside_the_allowed_dirs_are_refused_with_no_existence_or_size_oracle(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path], dry_run: bool
) -> None:
    allowed, outside = disk["allowed"], disk["outside"]
    (allowed / "link").symlink_to(outside / "id_rsa")
    (allowed / "dirlink").symlink_to(outside)
    attempts = {
        "exists": str(outside / "id_rsa"),
        "missing": str(outside / "id_dsa"),
        "dotdot": f"{allowed}/../outside/id_rsa",
        "dotdot_missing": f"{allowed}/../outside/nothing",
        "link": str(allowed / "link"),
        "through_dir_link": str(allowed / "dirlink" / "id_rsa"),
        "etc": "/etc/passwd",
        "home": "~/.ssh/id_rsa",
    }
    async with connect(allow_files=(allowed,)) as client:
        texts = {
            name: await call_error(client, "upload_file", {"path": path, "dry_run": dry_run})
            for name, path in attempts.items()
        }
    # The same sentence whatever is (or is not) behind the path: only the path as given differs.
    shapes = {text.replace(repr(attempts[name]), "<path>") for name, text in texts.items()}
    assert len(shapes) == 1, shapes
    (shape,) = shapes
    assert "outside the directories this server may read" in shape and str(allowed) in shape
    assert "id_rsa" not in shape.replace(repr(attempts["exists"]), "") and "bytes" not in shape
    assert not sent(sandbox)


async def test_proc_sys_and_dev_stay_unreadable_even_when_the_client_declares_the_whole_disk(
    connect: Connect, sandbox: Sandbox
) -> None:
    async with connect(client_kwargs={"list_roots_callback": roots_of(Path("/"))}) as client:
        texts = [
            await call_error(client, "upload_file", {"path": path, "dry_run": True})
            for path in ("/proc/self/environ", "/sys/kernel/hostname", "/dev/zero", "/dev/stdin")
        ]
    assert all("outside the directories" in t for t in texts)
    assert not sandbox.requests


@pytest.mark.parametrize("era", ERAS, ids=["modern", "legacy"])
async def test_the_clients_declared_roots_allow_reading_inside_them_only(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path], era: dict[str, Any]
) -> None:
    kwargs = {"list_roots_callback": roots_of(disk["allowed"]), **era}
    async with connect(client_kwargs=kwargs) as client:
        uploaded = await call_ok(client, "upload_file", {"path": str(disk["allowed"] / "ok.txt")})
        refused = await call_error(client, "upload_file", {"path": str(disk["outside"] / "id_rsa")})
    assert uploaded["filename"] == "ok.txt" and uploaded["size_bytes"] == 5
    assert "outside the directories" in refused
    assert len(sent(sandbox)) == 1 and SECRET not in sent(sandbox)[0].body


async def test_relative_paths_nul_bytes_and_fifos_are_refused_without_hanging(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path]
) -> None:
    fifo = disk["allowed"] / "pipe"
    os.mkfifo(fifo)
    async with connect(allow_files=(disk["allowed"],)) as client:
        relative = await call_error(client, "upload_file", {"path": "ok.txt"})
        nul = await call_error(client, "upload_file", {"path": f"{disk['allowed']}/ok\x00.txt"})
        pipe = await call_error(client, "upload_file", {"path": str(fifo)})
    assert "absolute path" in relative and "NUL" in nul and "not a regular file" in pipe
    assert not sandbox.requests


@pytest.mark.parametrize(
    "mime",
    [
        "text/plain\r\nContent-Type: application/x-evil",
        'text/plain"; name="x',
        "text/plain; charset=utf-8",
        "text",
        "a b/c",
    ],
)
async def test_a_mime_type_that_could_inject_headers_is_refused(connect: Connect, sandbox: Sandbox, mime: str) -> None:
    args = {"content_base64": base64.b64encode(b"x").decode(), "filename": "x.txt", "mime_type": mime}
    async with connect() as client:
        text = await call_error(client, "upload_file", args)
        ok = await call_ok(client, "upload_file", {**args, "mime_type": "application/vnd.ms-excel+xml"})
    assert "is not a media type" in text and "Nothing was sent" in text
    assert ok["mime_type"] == "application/vnd.ms-excel+xml" and len(sent(sandbox)) == 1


def skill(folder: Path) -> Path:
    folder.mkdir()
    (folder / "SKILL.md").write_text(SKILL_MD)
    return folder


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/proc/self/environ", "leads outside"),
        ("outside/id_rsa", "leads outside"),
        ("outside", "leads outside"),
        ("/dev/zero", "leads outside"),
    ],
)
async def test_create_skill_refuses_links_that_leave_the_skill_folder(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path], target: str, expected: str
) -> None:
    folder = skill(disk["allowed"] / "helper")
    link_target = Path(target) if target.startswith("/") else disk["allowed"].parent / target
    (folder / "notes.md").symlink_to(link_target)
    async with connect(allow_files=(disk["allowed"],)) as client:
        dry = await call_error(client, "create_skill", {"path": str(folder), "dry_run": True})
        real = await call_error(client, "create_skill", {"path": str(folder)})
    assert expected in dry and expected in real and "'notes.md'" in real
    assert str(link_target) not in real  # where the link points is not disclosed
    assert not sent(sandbox)


async def test_create_skill_refuses_special_files_and_keeps_links_inside_the_folder(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path]
) -> None:
    folder = skill(disk["allowed"] / "helper")
    (folder / "scripts").mkdir()
    (folder / "scripts" / "run.py").write_text("print(1)\n")
    (folder / "run-link.py").symlink_to(folder / "scripts" / "run.py")
    (folder / "scripts-link").symlink_to(folder / "scripts")  # a loop-free alias, not walked twice
    async with connect(allow_files=(disk["allowed"],)) as client:
        plan = await call_ok(client, "create_skill", {"path": str(folder), "dry_run": True})
        os.mkfifo(folder / "pipe")
        fifo = await call_error(client, "create_skill", {"path": str(folder)})
    assert plan["dry_run"]["body"]["files[]"] == [
        f"helper/SKILL.md ({len(SKILL_MD)} bytes)",
        "helper/run-link.py (9 bytes)",
        "helper/scripts/run.py (9 bytes)",
    ]
    assert "device, FIFO or socket" in fifo and "'pipe'" in fifo
    assert not sent(sandbox)


async def test_a_skill_folder_outside_the_allowed_dirs_is_refused(
    connect: Connect, sandbox: Sandbox, disk: dict[str, Path]
) -> None:
    folder = skill(disk["outside"] / "helper")
    async with connect(allow_files=(disk["allowed"],)) as client:
        text = await call_error(client, "create_skill", {"path": str(folder), "dry_run": True})
    assert "outside the directories" in text and not sandbox.requests


def test_allow_files_comes_from_the_flag_or_the_environment_and_must_name_directories(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    flag = settings_from(parser().parse_args(["--allow-files", f"{tmp_path}/a,{tmp_path}/b"]), {})
    env = settings_from(parser().parse_args([]), {"CLAUDE_API_MCP_ALLOW_FILES": f"{tmp_path}/a"})
    assert flag.allow_files == (tmp_path / "a", tmp_path / "b") and env.allow_files == (tmp_path / "a",)
    for bad in (f"{tmp_path}/missing", "relative/dir", str(tmp_path / "a" / "..." / "x")):
        with pytest.raises(ConfigError, match="--allow-files"):
            settings_from(parser().parse_args(["--allow-files", bad]), {})
