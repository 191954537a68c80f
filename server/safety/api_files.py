"""Local paths in write_api's file arguments, read under exactly upload_file's and create_skill's confinement.

A file argument is ``{"filename", "content_base64"}`` (inline) or a local path: ``{"path": ...}`` (with an
optional ``filename``/``media_type``) or the path string alone. Which paths may be read is
``server/safety/local_files.py``'s decision (``resolve_readable``, ``open_regular``): the same checks and the same
refusal texts as upload_file, so write_api is no second door to the disk. A folder is accepted where the
operation takes a skill's files (``skills.create``, ``skills.versions.create``) and is walked by
create_skill's ``read_skill_folder`` (links kept inside the folder, special files refused).

Files are read once, into the prepared request (``server/safety/prepared.py``), before the person is asked:
what they confirm is what is uploaded, even if the file changes meanwhile. Each operation's size limit (the
API's, per request) is checked while reading, before anything is sent.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context, ListRoots, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ListRootsResult

from claude_api_mcp.client.catalog import Operation, load_catalog
from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.safety.local_files import open_regular, resolve_readable
from claude_api_mcp.safety.uploads import guess_mime, read_skill_folder, sanitize_filename

_MB = 2**20
LIMITS = {"/v1/skills": 8 * _MB, "/v1/skills/{skill_id}/versions": 8 * _MB}  # the API's, per upload request
DEFAULT_LIMIT = 500 * _MB  # the Files API's per-file limit, the largest the API takes
FOLDER_OPERATIONS = frozenset(LIMITS)  # a skill's folder: its files are named <folder>/<relative path>


@dataclass(frozen=True)
class LocalPart:
    """A file part read from the local disk (never built from a model's argument: JSON holds no such type)."""

    filename: str
    content: bytes
    size: int
    media: str
    path: str  # as the model gave it, for the question and the dry run


# RFC 6838 restricted names, ASCII only (``\w`` would let any Unicode letter into a part's header).
_MEDIA_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MEDIA_TYPE = re.compile(f"{_MEDIA_NAME}/{_MEDIA_NAME}")


def part_name(name: str, raw: Any, op_path: str) -> str:
    """A part's file name; skill uploads (``FOLDER_OPERATIONS``) name files by their place in the folder
    (my-skill/SKILL.md), every other upload takes a plain name: a ``/`` is refused, never sent."""
    text = str(raw or "upload.bin")
    if op_path not in FOLDER_OPERATIONS and ("/" in text or "\\" in text):
        raise ToolError(f"Argument {name!r}: filename {text[:80]!r} must be a plain name, without '/' or '\\'.")
    segments = [seg for seg in text.split("/") if seg not in ("", ".")]
    if ".." in segments or not segments:
        raise ToolError(f"Argument {name!r}: filename must be a relative name without '..'.")
    return "/".join(sanitize_filename(seg) for seg in segments)


def part_media(name: str, raw: Any, filename: str | None = None) -> str:
    """The part's media type: the one given (checked: it lands in a header), else a guess from the name."""
    media = str(raw or (guess_mime(filename) if filename else "application/octet-stream"))
    if not _MEDIA_TYPE.fullmatch(media):
        raise ToolError(f"Argument {name!r}: media_type {media[:60]!r} is not a media type like text/plain.")
    return media


def path_of(value: Any) -> str | None:
    """The local path a file argument names, or None for an inline one."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and "path" in value:
        if "content_base64" in value:
            raise ToolError("A file argument takes path or content_base64, not both.")
        if not isinstance(value["path"], str):
            raise ToolError("A file argument's path must be a string (an absolute path).")
        return value["path"]
    return None


def _file_values(op: Operation, arguments: Mapping[str, Any]) -> list[Any]:
    out: list[Any] = []
    for name, where in op.locations.items():
        if where == "file" and name in arguments:
            value = arguments[name]
            out.extend(value if isinstance(value, list) else [value])
    return out


async def ask_api_roots(
    ctx: Context[Any, Any], operation: str | None = None, arguments: dict[str, Any] | None = None
) -> ListRoots | None:
    """Resolver: the client's roots, asked for only when a file argument names a local path."""
    caps = ctx.client_capabilities
    op = load_catalog().get(operation or "")
    if caps is None or caps.roots is None or op is None or not isinstance(arguments, dict):
        return None
    if not any(isinstance(v, str) or (isinstance(v, Mapping) and "path" in v) for v in _file_values(op, arguments)):
        return None
    return ListRoots()


# Resolver-filled like upload_file's roots: the SDK keeps it out of the input schema.
ApiRoots = Annotated[ListRootsResult | None, Resolve(ask_api_roots)]


def has_local(op: Operation, arguments: Mapping[str, Any]) -> bool:
    return any(path_of(v) is not None for v in _file_values(op, arguments))


def open_local(ctx: Ctx, op: Operation, arguments: Mapping[str, Any], roots: ListRootsResult | None) -> dict[str, Any]:
    """``arguments`` with every local path replaced by its ``LocalPart``(s), their bytes read.

    Blocking (it touches the disk): run it in a worker thread.
    """
    limit = LIMITS.get(op.path, DEFAULT_LIMIT)
    budget = limit
    out = dict(arguments)
    for name, where in op.locations.items():
        if where != "file" or name not in arguments:
            continue
        value = arguments[name]
        many = isinstance(value, list)
        parts: list[Any] = []
        for item in value if many else [value]:
            path = path_of(item)
            if path is None:
                parts.append(item)
                continue
            real = resolve_readable(ctx, path, roots)
            given = item if isinstance(item, Mapping) else {}
            if real.is_dir() and many and op.path in FOLDER_OPERATIONS:
                for filename, content in read_skill_folder(real, limit=budget):
                    budget -= len(content)
                    parts.append(LocalPart(filename, content, len(content), guess_mime(filename), path))
                continue
            if real.is_dir():
                raise ToolError(
                    f"Argument {name!r}: {path!r} is a folder; {op.id} takes files (a folder only for "
                    "skills.create and skills.versions.create)."
                )
            handle, size = open_regular(real, path)
            with handle:  # read to the budget, not the size stat gave: a growing file cannot slip past it
                content = handle.read(budget + 1) if size <= budget else b""
            if size > budget or len(content) > budget:
                size = max(size, len(content))
                raise ToolError(
                    f"{real.name} is {size / _MB:.1f} MB; {op.id} takes at most {limit / _MB:.0f} MB per request."
                )
            budget -= len(content)
            filename = part_name(name, given.get("filename") or real.name, op.path)
            media = part_media(name, given.get("media_type"), filename)
            parts.append(LocalPart(filename, content, len(content), media, path))
        out[name] = parts if many else parts[0]
    return out


async def read_local(ctx: Ctx, op: Operation, args: dict[str, Any], roots: ListRootsResult | None) -> dict[str, Any]:
    """``args`` with local paths read (``open_local``) off the event loop: it is disk I/O."""
    if not has_local(op, args):
        return args
    return await anyio.to_thread.run_sync(functools.partial(open_local, ctx, op, args, roots))
