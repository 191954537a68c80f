"""Local files for multipart uploads (files and skills): paths checked, names sanitized, sizes bounded.

Every check runs before anything is sent, and files are handed to httpx as open file objects, which it
streams in 64 KB chunks (rewinding them if a retry resends the request) instead of reading them whole.
"""

from __future__ import annotations

import mimetypes
import os
import re
import unicodedata
from pathlib import Path

from mcp.server.mcpserver.exceptions import ToolError

_FORBIDDEN = re.compile(r'[<>:"|?*\\/\x00-\x1f\x7f]')
MAX_NAME = 255


def sanitize_filename(name: str) -> str:
    """The API's rules: the last path component, none of ``<>:"|?*\\/`` or control characters, 1–255 chars."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join("_" if unicodedata.category(c) == "Cc" else c for c in base)
    base = _FORBIDDEN.sub("_", base).strip().strip(".")
    if not base:
        raise ToolError(f"The file name {name!r} has no usable characters; give a filename.")
    if len(base) > MAX_NAME:
        _, dot, ext = base.rpartition(".")
        keep = ext if dot and len(ext) < 20 else ""
        base = base[: MAX_NAME - len(keep) - (1 if keep else 0)] + (f".{keep}" if keep else "")
    return base


def guess_mime(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def local_file(path: str, *, limit: int, what: str = "file") -> tuple[Path, int]:
    """A readable regular file under ``limit`` bytes, with its size; a clear error otherwise."""
    resolved = Path(os.path.expanduser(path)).resolve()
    if not resolved.exists():
        raise ToolError(f"No {what} at {str(resolved)!r} (paths are read on the machine running this server).")
    if not resolved.is_file():
        raise ToolError(f"{str(resolved)!r} is not a regular file.")
    size = resolved.stat().st_size
    if size > limit:
        raise ToolError(f"{resolved.name} is {size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB.")
    if not os.access(resolved, os.R_OK):
        raise ToolError(f"{str(resolved)!r} is not readable by this server.")
    return resolved, size


def local_dir(path: str) -> Path:
    resolved = Path(os.path.expanduser(path)).resolve()
    if not resolved.exists():
        raise ToolError(f"No directory at {str(resolved)!r} (paths are read on the machine running this server).")
    if not resolved.is_dir():
        raise ToolError(f"{str(resolved)!r} is not a directory; give the skill's folder (holding SKILL.md).")
    return resolved
