"""skills toolset: Agent Skills (list, inspect, create from a local folder, delete)."""

from __future__ import annotations

import functools
from enum import Enum
from typing import Annotated, Any

import anyio
from pydantic import Field

from claude_api_mcp.client.models import ApiObject, TokenPage
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety import uploads
from claude_api_mcp.safety.deps import api
from claude_api_mcp.safety.local_files import ClientRoots
from claude_api_mcp.safety.prepared import Part, confirmed
from claude_api_mcp.safety.uploads import guess_mime, local_dir, read_skill_folder
from claude_api_mcp.safety.writes import DeletedResult, Writable, write
from claude_api_mcp.tools._args import AllPages, DryRun, Limit, PageToken
from claude_api_mcp.tools._lists import list_token
from claude_api_mcp.tools._ops import op

LIST, GET, CREATE = op("skills.list"), op("skills.retrieve"), op("skills.create")
VERSIONS = op("skills.versions.list")
DELETE = op("skills.delete")
KEY = KeyKind.API
NOT_FOUND = "Call list_skills to find valid skill ids."
SkillId = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$", description="Skill id (skill_… or pdf…).")
]


class Source(str, Enum):
    custom = "custom"
    anthropic = "anthropic"


class Skill(ApiObject):
    id: str | None = None
    type: str | None = None
    display_name: str | None = None
    latest_version_id: str | None = None
    source: dict[str, Any] | None = None
    created_at: str | None = None
    updated_at: str | None = None


class SkillResult(Skill, Writable):
    pass


class SkillVersion(ApiObject):
    id: str | None = None
    type: str | None = None
    skill_id: str | None = None
    name: str | None = None
    description: str | None = None
    created_at: str | None = None


def _path(skill_id: str) -> str:
    return GET.path(skill_id=skill_id)


@tool("skills", KEY, title="List skills", read_only=True, op="skills.list")
async def list_skills(
    ctx: Ctx,
    limit: Limit = 20,
    page: PageToken = None,
    all_pages: AllPages = False,
    source: Annotated[Source | None, Field(description="custom (yours) or anthropic.")] = None,
) -> TokenPage[Skill]:
    """List Agent Skills: custom and Anthropic's."""
    params = {"source": source}
    return await list_token(
        ctx, LIST.path(), Skill, key=KEY, limit=limit, page=page, all_pages=all_pages, params=params
    )


@tool("skills", KEY, title="Get skill", read_only=True, not_found_hint=NOT_FOUND, op="skills.retrieve")
async def get_skill(ctx: Ctx, skill_id: SkillId) -> Skill:
    """Get one skill."""
    return Skill.model_validate(await api(ctx, KEY).request("GET", _path(skill_id), key=KEY))


@tool("skills", KEY, title="List skill versions", read_only=True, not_found_hint=NOT_FOUND, op="skills.versions.list")
async def list_skill_versions(
    ctx: Ctx, skill_id: SkillId, limit: Limit = 20, page: PageToken = None, all_pages: AllPages = False
) -> TokenPage[SkillVersion]:
    """List a skill's versions, newest first."""
    return await list_token(
        ctx, VERSIONS.path(skill_id=skill_id), SkillVersion, key=KEY, limit=limit, page=page, all_pages=all_pages
    )


@tool("skills", KEY, title="Create skill", op="skills.create")
async def create_skill(
    ctx: Ctx,
    path: Annotated[str, Field(min_length=1, description="Absolute local folder path, inside allowed dirs.")],
    display_name: Annotated[str | None, Field(max_length=255, description="Defaults to SKILL.md's name.")] = None,
    dry_run: DryRun = False,
    roots: ClientRoots = None,
) -> SkillResult:
    """Create a custom skill from a local folder with SKILL.md at its root (max 8 MB)."""
    if (agreed := confirmed()) is not None:  # the files the person confirmed: the folder is not read again
        return await write(ctx, agreed, SkillResult, dry_run=dry_run)
    folder = local_dir(ctx, path, roots)
    parts = await anyio.to_thread.run_sync(functools.partial(read_skill_folder, folder, limit=uploads.MAX_SKILL_BYTES))
    files = tuple(Part("files[]", name, content, guess_mime(name)) for name, content in parts)
    shown = {
        "files[]": [f"{name} ({len(content)} bytes)" for name, content in parts],
        "display_name": display_name,
    }
    data = {"display_name": display_name} if display_name else None
    req = CREATE.prepared(KEY, parts=files, form=data, shown=shown)
    return await write(ctx, req, SkillResult, dry_run=dry_run)


@tool(
    "skills", KEY, title="Delete skill", destructive=True, idempotent=True, not_found_hint=NOT_FOUND, op="skills.delete"
)
async def delete_skill(ctx: Ctx, skill_id: SkillId, dry_run: DryRun = False) -> DeletedResult:
    """Delete a custom skill; requests that use it stop working."""
    req = DELETE.prepared(KEY, idempotent=True, current=GET, skill_id=skill_id)
    return await write(ctx, req, DeletedResult, dry_run=dry_run)


TOOLS: list[ToolDef] = [list_skills, get_skill, list_skill_versions, create_skill, delete_skill]
