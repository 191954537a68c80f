"""skills toolset, end to end through the in-memory MCP client against the sandbox's skills."""

from __future__ import annotations

from pathlib import Path

import pytest

from claude_api_mcp.safety import uploads
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.skills_state import SkillsState
from claude_api_mcp.tools import skills as _skills  # noqa: F401  (loads tools.skills)
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio

SKILL_MD = "---\nname: quarterly-report\ndescription: Builds the quarterly report from usage exports.\n---\n# Steps\n"


@pytest.fixture
def skill_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "quarterly-report"
    (folder / "scripts").mkdir(parents=True)
    (folder / "SKILL.md").write_text(SKILL_MD)
    (folder / "scripts" / "build.py").write_text("print('report')\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / ".DS_Store").write_bytes(b"\0")
    return folder


async def test_create_skill_uploads_the_folder_under_one_top_level_directory(
    connect: Connect, sandbox: Sandbox, skill_dir: Path
) -> None:
    async with connect(allow_files=(skill_dir.parent,)) as client:
        created = await call_ok(client, "create_skill", {"path": str(skill_dir), "display_name": "Quarterly report"})
        versions = await call_ok(client, "list_skill_versions", {"skill_id": created["id"]})
        fetched = await call_ok(client, "get_skill", {"skill_id": created["id"]})
    assert created["id"].startswith("skill_") and created["display_name"] == "Quarterly report"
    assert created["source"] == {"type": "custom"} and fetched == created
    (version,) = versions["data"]
    assert version["id"] == created["latest_version_id"] and version["skill_id"] == created["id"]
    assert version["name"] == "quarterly-report"
    assert version["description"] == "Builds the quarterly report from usage exports."
    stored = sandbox.area("skills", SkillsState).skills[created["id"]].files[version["id"]]
    assert set(stored) == {"quarterly-report/SKILL.md", "quarterly-report/scripts/build.py"}  # no hidden files
    sent = next(r for r in sandbox.requests if r.method == "POST")
    assert b'name="files[]"; filename="quarterly-report/SKILL.md"' in sent.body
    assert b'name="display_name"' in sent.body


async def test_without_display_name_the_name_comes_from_skill_md(connect: Connect, skill_dir: Path) -> None:
    async with connect(allow_files=(skill_dir.parent,)) as client:
        created = await call_ok(client, "create_skill", {"path": str(skill_dir)})
    assert created["display_name"] == "quarterly-report"


async def test_create_skill_dry_run_lists_the_files_and_sends_nothing(
    connect: Connect, sandbox: Sandbox, skill_dir: Path
) -> None:
    async with connect(allow_files=(skill_dir.parent,)) as client:
        plan = await call_ok(client, "create_skill", {"path": str(skill_dir), "dry_run": True})
    assert plan["dry_run"]["body"]["files[]"] == [
        f"quarterly-report/SKILL.md ({len(SKILL_MD)} bytes)",
        "quarterly-report/scripts/build.py (16 bytes)",
    ]
    assert not sandbox.requests


async def test_a_missing_folder_a_missing_skill_md_or_too_many_bytes_is_refused_before_sending(
    connect: Connect, sandbox: Sandbox, skill_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    async with connect(allow_files=(tmp_path,)) as client:
        missing = await call_error(client, "create_skill", {"path": str(tmp_path / "nope")})
        a_file = await call_error(client, "create_skill", {"path": str(skill_dir / "SKILL.md")})
        no_skill_md = await call_error(client, "create_skill", {"path": str(empty)})
        monkeypatch.setattr(uploads, "MAX_SKILL_BYTES", 50)
        too_big = await call_error(client, "create_skill", {"path": str(skill_dir)})
    assert "No directory at" in missing
    assert "not a directory" in a_file
    assert "no SKILL.md" in no_skill_md
    assert "limit" in too_big
    assert not sandbox.requests


async def test_list_skills_filters_by_source_and_pages_with_tokens(connect: Connect, skill_dir: Path) -> None:
    async with connect(allow_files=(skill_dir.parent,)) as client:
        await call_ok(client, "create_skill", {"path": str(skill_dir)})
        custom = await call_ok(client, "list_skills", {"source": "custom"})
        anthropic = await call_ok(client, "list_skills", {"source": "anthropic", "limit": 3})
        rest = await call_ok(client, "list_skills", {"source": "anthropic", "page": anthropic["next_page"]})
    assert [s["display_name"] for s in custom["data"]] == ["quarterly-report"]
    assert len(anthropic["data"]) == 3 and anthropic["has_more"] is True
    assert {s["id"] for s in anthropic["data"] + rest["data"]} == {"pptx", "xlsx", "docx", "pdf"}
    assert rest["has_more"] is False


async def test_delete_skill_removes_a_custom_skill_but_anthropic_skills_are_read_only(
    connect: Connect, skill_dir: Path
) -> None:
    async with connect(allow_files=(skill_dir.parent,)) as client:
        created = await call_ok(client, "create_skill", {"path": str(skill_dir)})
        gone = await call_ok(client, "delete_skill", {"skill_id": created["id"]})
        missing = await call_error(client, "get_skill", {"skill_id": created["id"]})
        refused = await call_error(client, "delete_skill", {"skill_id": "pdf"})
    assert gone == {"id": created["id"], "type": "skill_deleted"}
    assert "Not found" in missing and "list_skills" in missing
    assert "Permission denied" in refused
