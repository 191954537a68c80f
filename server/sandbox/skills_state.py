"""Simulated Skills (GA shapes): Anthropic's skills seeded, custom skills created from uploaded folders.

An upload is checked like the API checks it: every ``files[]`` part under one top-level folder, with
SKILL.md at that folder's root. A version's ``name`` and ``description`` come from SKILL.md's front matter
(the name falls back to the folder's name). Custom version ids are epoch-microsecond strings; Anthropic's
are dates, as in the docs.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from claude_api_mcp.sandbox.wire import invalid, rfc3339

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.state import SandboxState as Sandbox

MAX_UPLOAD = 8 * 1024 * 1024
_ALPHABET = string.ascii_letters + string.digits
_ANTHROPIC = [
    ("pptx", "PowerPoint", "Create and edit PowerPoint presentations."),
    ("xlsx", "Excel", "Create and analyze Excel spreadsheets with formulas and charts."),
    ("docx", "Word", "Create and edit Word documents with tracked changes."),
    ("pdf", "PDF", "Extract text and tables from PDFs, fill forms, merge and split."),
]


@dataclass
class SkillRecord:
    skill: dict[str, Any]
    versions: list[dict[str, Any]] = field(default_factory=list)  # newest first
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)  # version id → path → content


class SkillsState:
    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self._rng = random.Random(17)
        self.skills: dict[str, SkillRecord] = {}
        seeded = box.clock() - timedelta(days=60)
        for skill_id, name, description in _ANTHROPIC:
            record = self._new(skill_id, name, "anthropic", seeded)
            self._add_version(record, "20251013", skill_id, description, seeded, {})

    def _new(self, skill_id: str, display_name: str, source: str, when: datetime) -> SkillRecord:
        skill = {
            "id": skill_id,
            "type": "skill",
            "display_name": display_name,
            "latest_version_id": "",
            "source": {"type": source},
            "created_at": rfc3339(when),
            "updated_at": rfc3339(when),
        }
        record = SkillRecord(skill)
        self.skills[skill_id] = record
        return record

    def _add_version(
        self, record: SkillRecord, version_id: str, name: str, description: str, when: datetime, files: dict[str, bytes]
    ) -> dict[str, Any]:
        version = {
            "id": version_id,
            "type": "skill_version",
            "skill_id": record.skill["id"],
            "name": name,
            "description": description,
            "created_at": rfc3339(when),
        }
        record.versions.insert(0, version)
        record.files[version_id] = files
        record.skill["latest_version_id"] = version_id
        record.skill["updated_at"] = rfc3339(when)
        return version

    def create(self, files: dict[str, bytes], display_name: str | None) -> dict[str, Any]:
        top, skill_md = check_upload(files)
        front = front_matter(skill_md)
        name = front.get("name") or top
        now = self.box.clock()
        skill_id = "skill_01" + "".join(self._rng.choice(_ALPHABET) for _ in range(22))
        record = self._new(skill_id, display_name or name, "custom", now)
        version_id = str(int(now.timestamp() * 1_000_000))
        self._add_version(record, version_id, name, front.get("description", ""), now, files)
        return record.skill

    def newest_first(self, source: str | None) -> list[dict[str, Any]]:
        records = [r for r in self.skills.values() if source is None or r.skill["source"]["type"] == source]
        ordered = sorted(enumerate(records), key=lambda p: (p[1].skill["created_at"], p[0]), reverse=True)
        return [record.skill for _, record in ordered]


def check_upload(files: dict[str, bytes]) -> tuple[str, str]:
    """The top-level folder and SKILL.md's text, or the API's 400."""
    if not files:
        raise invalid("files: at least one file is required")
    if sum(len(c) for c in files.values()) > MAX_UPLOAD:
        raise invalid("files: the total upload size must be under 8 MB")
    tops = {path.split("/", 1)[0] for path in files}
    if len(tops) != 1 or any("/" not in path for path in files):
        raise invalid("files: all files must be in the same top-level directory")
    top = tops.pop()
    skill_md = files.get(f"{top}/SKILL.md")
    if skill_md is None:
        raise invalid("files: SKILL.md must be at the root of the top-level directory")
    try:
        return top, skill_md.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("SKILL.md must be UTF-8 text") from None


def front_matter(text: str) -> dict[str, str]:
    """``key: value`` lines between the leading ``---`` fences (the simple YAML SKILL.md uses)."""
    match = re.match(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", text, re.DOTALL)
    if not match:
        return {}
    fields: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            fields[key.strip()] = value.strip().strip("\"'")
    return fields
