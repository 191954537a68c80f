"""files toolset: the Files API (upload, list, metadata, download, delete)."""

from __future__ import annotations

import base64
import binascii
import functools
import json
from typing import Annotated, Any

import anyio
import httpx
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import BlobResourceContents, CallToolResult, EmbeddedResource, ListRootsResult, TextContent
from pydantic import BaseModel, Field

from claude_api_mcp.client.bodies import body_chunks
from claude_api_mcp.client.models import ApiObject, TokenPage
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety.deps import api, settings
from claude_api_mcp.safety.local_files import ClientRoots
from claude_api_mcp.safety.prepared import Part, Prepared, confirmed
from claude_api_mcp.safety.uploads import check_mime, guess_mime, local_file, sanitize_filename
from claude_api_mcp.safety.writes import DeletedResult, Writable, write
from claude_api_mcp.tools._args import AllPages, DryRun, Limit, PageToken, id_arg
from claude_api_mcp.tools._lists import list_token
from claude_api_mcp.tools._ops import op

LIST, GET, UPLOAD = op("files.list"), op("files.retrieve_metadata"), op("files.upload")
CONTENT = op("files.download")
DELETE = op("files.delete")
KEY = KeyKind.API
NOT_FOUND = "Call list_files to find valid file ids."
MAX_UPLOAD = 500 * 1024 * 1024  # the API's per-file limit
MAX_DOWNLOAD = 5 * 1024 * 1024  # what a tool result can reasonably carry
FileId = Annotated[str, id_arg("file_")]
_TEXT_TYPES = ("application/json", "application/xml", "application/javascript", "application/x-yaml", "application/csv")


class FileMeta(ApiObject):
    id: str | None = None
    type: str | None = None
    filename: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None
    created_at: str | None = None
    downloadable: bool | None = None
    expires_at: str | None = None


class FileResult(FileMeta, Writable):
    pass


class FileDownload(BaseModel):
    id: str
    filename: str | None = None
    mime_type: str | None = None
    size_bytes: int
    returned_as: str = Field(description="text: the content is the text block; resource: an embedded blob.")


def _path(file_id: str) -> str:
    return GET.path(file_id=file_id)


@tool("files", KEY, title="Upload file", op="files.upload")
async def upload_file(
    ctx: Ctx,
    path: Annotated[
        str | None,
        Field(description="Absolute local path, inside the client's roots or allowed dirs."),
    ] = None,
    content_base64: Annotated[str | None, Field(description="Base64 content; needs filename.")] = None,
    filename: Annotated[str | None, Field(description="Defaults to the path's name.")] = None,
    mime_type: Annotated[str | None, Field(description="Defaults to a guess from the name.")] = None,
    expires_in_seconds: Annotated[
        int | None, Field(ge=3600, le=7_776_000, description="Delete after (1h-90d).")
    ] = None,
    dry_run: DryRun = False,
    roots: ClientRoots = None,
) -> FileResult:
    """Upload a file (max 500 MB) for use in messages by file_id. Give path, or content_base64 with filename."""
    if (agreed := confirmed()) is not None:  # the bytes the person confirmed: the disk is not read again
        return await write(ctx, agreed, FileResult, dry_run=dry_run)
    if (path is None) == (content_base64 is None):
        raise ToolError("Give exactly one of path or content_base64.")
    if mime_type is not None:
        check_mime(mime_type)
    if path is not None:
        content, base = await anyio.to_thread.run_sync(functools.partial(read_file, ctx, path, roots))
        name = sanitize_filename(filename or base)
    else:
        if not filename:
            raise ToolError("filename is required with content_base64.")
        name = sanitize_filename(filename)
        content, _ = _decode(content_base64 or "")
    return await write(ctx, _upload(name, content, mime_type, expires_in_seconds), FileResult, dry_run=dry_run)


def read_file(ctx: Ctx, path: str, roots: ListRootsResult | None) -> tuple[bytes, str]:
    """The file's bytes (read once, before any question) and its base name."""
    handle, _, base = local_file(ctx, path, roots, limit=MAX_UPLOAD)
    with handle:
        content = handle.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise ToolError(f"{base} grew past the {MAX_UPLOAD // 2**20} MB limit while it was read.")
    return content, base


def _upload(name: str, content: bytes, mime_type: str | None, expires_in_seconds: int | None) -> Prepared:
    mime = mime_type or guess_mime(name)
    shown: dict[str, Any] = {"file": {"filename": name, "size_bytes": len(content), "mime_type": mime}}
    form = {"expires_in_seconds": str(expires_in_seconds)} if expires_in_seconds is not None else None
    shown.update(form or {})
    parts = (Part("file", name, content, mime),)
    return UPLOAD.prepared(KEY, parts=parts, form=form, shown=shown)


def _decode(data: str) -> tuple[bytes, int]:
    compact = "".join(data.split())
    estimate = len(compact) * 3 // 4 - compact[-2:].count("=")
    if estimate > MAX_UPLOAD:
        raise ToolError(f"The content is {estimate / 2**20:.0f} MB; the API's limit is 500 MB per file.")
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ToolError("content_base64 is not valid base64.") from None
    return raw, len(raw)


@tool("files", KEY, title="List files", read_only=True, op="files.list")
async def list_files(
    ctx: Ctx,
    limit: Limit = 20,
    page: PageToken = None,
    all_pages: AllPages = False,
    ids: Annotated[list[FileId] | None, Field(max_length=100, description="Only these; one page.")] = None,
) -> TokenPage[FileMeta]:
    """List uploaded and generated files, newest first."""
    if ids and (page or all_pages):
        raise ToolError("ids returns one page: give ids, or page/all_pages, not both.")
    if ids:  # the API takes ids alone: one page, no limit or page token
        raw = await api(ctx, KEY).request(LIST.method, LIST.path(), key=KEY, params={"ids": list(dict.fromkeys(ids))})
        data = [FileMeta.model_validate(item) for item in raw.get("data") or []]
        return TokenPage[FileMeta](data=data, has_more=False, next_page=None)
    return await list_token(ctx, LIST.path(), FileMeta, key=KEY, limit=limit, page=page, all_pages=all_pages)


@tool("files", KEY, title="Get file metadata", read_only=True, not_found_hint=NOT_FOUND, op="files.retrieve_metadata")
async def get_file(ctx: Ctx, file_id: FileId) -> FileMeta:
    """Get a file's metadata (name, type, size, downloadable)."""
    return FileMeta.model_validate(await api(ctx, KEY).request("GET", _path(file_id), key=KEY))


@tool("files", KEY, title="Download file", read_only=True, not_found_hint=NOT_FOUND, op="files.download")
async def download_file(ctx: Ctx, file_id: FileId) -> Annotated[CallToolResult, FileDownload]:
    """Download a file made by skills or code execution (not uploads). Max 5 MB."""
    client = api(ctx, KEY)
    meta = FileMeta.model_validate(await client.request("GET", _path(file_id), key=KEY))
    if meta.downloadable is False:
        raise ToolError(
            f"{meta.filename or file_id} cannot be downloaded: the API only serves files created by skills or "
            "code execution, not uploads."
        )
    if (meta.size_bytes or 0) > MAX_DOWNLOAD:
        raise ToolError(_too_big(meta, meta.size_bytes or 0))
    data = await _fetch(client, file_id, meta)
    mime = meta.mime_type or "application/octet-stream"
    text = _as_text(data, mime, settings(ctx).output_char_budget)
    info = FileDownload(
        id=file_id,
        filename=meta.filename,
        mime_type=mime,
        size_bytes=len(data),
        returned_as="text" if text is not None else "resource",
    ).model_dump(mode="json")
    header = TextContent(type="text", text=json.dumps(info))
    if text is not None:
        return CallToolResult(content=[header, TextContent(type="text", text=text)], structured_content=info)
    uri = f"{settings(ctx).base_url.rstrip('/')}{CONTENT.path(file_id=file_id)}"
    blob = BlobResourceContents(uri=uri, mime_type=mime, blob=base64.b64encode(data).decode())
    return CallToolResult(content=[header, EmbeddedResource(type="resource", resource=blob)], structured_content=info)


async def _fetch(client: Any, file_id: str, meta: FileMeta) -> bytes:
    """The content, refused once it passes the cap (the metadata's size may be missing or stale)."""
    chunks: list[bytes] = []
    received = 0
    async with client.stream(CONTENT.method, CONTENT.path(file_id=file_id), key=KEY) as response:
        try:
            async for chunk in body_chunks(response, 2**63, what="file"):  # inflated in bounded steps
                received += len(chunk)
                if received > MAX_DOWNLOAD:
                    raise ToolError(_too_big(meta, received))
                chunks.append(chunk)
        except httpx.HTTPError as exc:
            request_id = response.headers.get("request-id")
            raise ApiError(message=type(exc).__name__, network="stream_cut", request_id=request_id) from exc
    return b"".join(chunks)


def _too_big(meta: FileMeta, size: int) -> str:
    return (
        f"{meta.filename or meta.id} is {size / 2**20:.1f} MB or more; download_file returns at most "
        f"{MAX_DOWNLOAD / 2**20:g} MB. Fetch it with the API or the Console instead."
    )


def _as_text(data: bytes, mime: str, cap: int) -> str | None:
    textual = mime.startswith("text/") or mime in _TEXT_TYPES or mime.endswith(("+json", "+xml"))
    if not textual and mime != "application/octet-stream":
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(text) > cap or (not textual and "\x00" in text):
        return None
    return text


@tool("files", KEY, title="Delete file", destructive=True, idempotent=True, not_found_hint=NOT_FOUND, op="files.delete")
async def delete_file(ctx: Ctx, file_id: FileId, dry_run: DryRun = False) -> DeletedResult:
    """Delete a file; messages that reference it stop working."""
    req = DELETE.prepared(KEY, idempotent=True, current=GET, file_id=file_id)
    return await write(ctx, req, DeletedResult, dry_run=dry_run)


TOOLS: list[ToolDef] = [upload_file, list_files, get_file, download_file, delete_file]
