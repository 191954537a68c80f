"""Skills (GA shapes): multipart create, page-token lists of skills and versions, get, delete."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.skills_state import SkillRecord, SkillsState
from claude_api_mcp.sandbox.wire import SandboxError, invalid, ok, page_by_token, require_multipart

SOURCES = ("custom", "anthropic")


def state(request: Request) -> SkillsState:
    skills: SkillsState = sandbox(request).area("skills", SkillsState)
    return skills


def _record(request: Request) -> SkillRecord:
    skill_id = request.path_params["skill_id"]
    record = state(request).skills.get(skill_id)
    if record is None:
        raise SandboxError(404, "not_found_error", f"Skill {skill_id!r} not found.")
    return record


async def create_skill(request: Request) -> Response:
    require_multipart(request)
    files: dict[str, bytes] = {}
    async with request.form() as form:  # closes the parts' temporary files
        for part in form.getlist("files[]"):
            if not isinstance(part, UploadFile) or not part.filename:
                raise invalid("files[]: each part must be a file with a filename (its path in the skill)")
            if part.filename in files:
                raise invalid(f"files[]: duplicate path {part.filename!r}")
            files[part.filename] = await part.read()
        display_name = form.get("display_name")
    if display_name is not None and (not isinstance(display_name, str) or len(display_name) > 255):
        raise invalid("display_name: at most 255 characters")
    return ok(state(request).create(files, display_name or None))


async def list_skills(request: Request) -> Response:
    source = request.query_params.get("source")
    if source is not None and source not in SOURCES:
        raise invalid(f"source: Input should be one of {list(SOURCES)}")
    return ok(page_by_token(request, state(request).newest_first(source), salt="skills", has_more=False))


async def get_skill(request: Request) -> Response:
    return ok(_record(request).skill)


async def list_versions(request: Request) -> Response:
    record = _record(request)
    return ok(page_by_token(request, record.versions, salt=f"versions:{record.skill['id']}", has_more=False))


async def delete_skill(request: Request) -> Response:
    record = _record(request)
    if record.skill["source"]["type"] != "custom":
        raise SandboxError(403, "permission_error", "Anthropic skills are read-only and cannot be deleted.")
    del state(request).skills[record.skill["id"]]
    return ok({"id": record.skill["id"], "type": "skill_deleted"})


ROUTES: list[BaseRoute] = [
    Route("/v1/skills", create_skill, methods=["POST"]),
    Route("/v1/skills", list_skills, methods=["GET"]),
    Route("/v1/skills/{skill_id}", get_skill, methods=["GET"]),
    Route("/v1/skills/{skill_id}", delete_skill, methods=["DELETE"]),
    Route("/v1/skills/{skill_id}/versions", list_versions, methods=["GET"]),
]
