"""Files (GA shapes): multipart upload, page-token list (newest first), metadata, download, delete."""

from __future__ import annotations

import mimetypes
import re

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from claude_api_mcp.sandbox.files_state import FilesState, StoredFile
from claude_api_mcp.sandbox.routes._common import sandbox
from claude_api_mcp.sandbox.wire import SandboxError, invalid, ok, page_by_token, q_list, require_multipart

MAX_FILE = 500 * 1024 * 1024
_BAD_NAME = re.compile(r'[<>:"|?*\\/\x00-\x1f\x7f]')


def state(request: Request) -> FilesState:
    files: FilesState = sandbox(request).area("files", FilesState)
    return files


def _stored(request: Request) -> StoredFile:
    file_id = request.path_params["file_id"]
    stored = state(request).files.get(file_id)
    if stored is None:
        raise SandboxError(404, "not_found_error", f"File {file_id!r} not found.")
    return stored


async def upload_file(request: Request) -> Response:
    require_multipart(request)
    async with request.form() as form:  # closes the parts' temporary files
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise invalid("file: Field required (a multipart file part named 'file')")
        content = await part.read()
        name = re.split(r"[\\/]", part.filename or "")[-1]  # the API keeps only the last path component
        mime = part.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        expires = form.get("expires_in_seconds")
    if len(content) > MAX_FILE:
        raise SandboxError(413, "request_too_large", "File exceeds the maximum size of 500 MB.")
    if not 1 <= len(name) <= 255 or _BAD_NAME.search(name):
        raise invalid('file: filename must be 1-255 characters without <>:"|?*\\/ or control characters')
    seconds = None
    if isinstance(expires, str):
        if not expires.isdigit() or not 3600 <= int(expires) <= 7_776_000:
            raise invalid("expires_in_seconds: Input should be between 3600 and 7776000")
        seconds = int(expires)
    return ok(state(request).add(name, mime, content, expires_in=seconds))


async def list_files(request: Request) -> Response:
    files = state(request)
    ids = q_list(request, "ids")
    if ids:
        if len(ids) > 100:
            raise invalid("ids[]: at most 100 ids")
        if "page" in request.query_params or "limit" in request.query_params:
            raise invalid("ids[] cannot be combined with page or limit")
        return ok({"data": [m for m in files.newest_first() if m["id"] in ids], "next_page": None})
    return ok(page_by_token(request, files.newest_first(), salt="files", has_more=False))


async def get_file(request: Request) -> Response:
    return ok(_stored(request).meta)


async def download_file(request: Request) -> Response:
    stored = _stored(request)
    if state(request).expired(stored):
        raise SandboxError(404, "not_found_error", "The file has expired.", "file_expired")
    if not stored.meta["downloadable"]:
        raise invalid(
            "This file cannot be downloaded: only files created by skills or code execution can.",
            "file_not_downloadable",
        )
    headers = {"content-disposition": f'attachment; filename="{stored.meta["filename"]}"'}
    return Response(stored.content, media_type=stored.meta["mime_type"], headers=headers)


async def delete_file(request: Request) -> Response:
    stored = _stored(request)
    del state(request).files[stored.meta["id"]]
    return ok({"id": stored.meta["id"], "type": "file_deleted"})


ROUTES: list[BaseRoute] = [
    Route("/v1/files", upload_file, methods=["POST"]),
    Route("/v1/files", list_files, methods=["GET"]),
    Route("/v1/files/{file_id}", get_file, methods=["GET"]),
    Route("/v1/files/{file_id}", delete_file, methods=["DELETE"]),
    Route("/v1/files/{file_id}/content", download_file, methods=["GET"]),
]
