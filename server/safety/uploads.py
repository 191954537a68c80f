"""Local files for multipart uploads (files and skills): paths confined, names sanitized, types checked, sizes bounded.

Which paths may be read at all is ``server/safety/local_files.py``'s decision.

Every check runs before anything is sent. The bytes are read once into the prepared request
(``server/safety/prepared.py``) before the person is asked, so what they confirm is what is uploaded.
"""

from __future__ import annotations

import mimetypes
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import IO

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ListRootsResult

from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.safety.local_files import forbidden, inside, open_regular, resolve_readable

_FORBIDDEN = re.compile(r'[<>:"|?*\\/\x00-\x1f\x7f]')
MAX_NAME = 255
SKIPPED = ("__pycache__", "node_modules")  # build leftovers, never part of a skill

MAX_SKILL_BYTES = 8 * 1024 * 1024  # the API's limit on one skill upload (read through the module: tests lower it)


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


MIME_TOKEN = re.compile(  # RFC 6838 section 4.2: type-name "/" subtype-name, nothing else (no parameters)
    r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$"
)


def check_mime(value: str) -> str:
    """A media type as RFC 6838 spells it; CR/LF, quotes, ``;`` parameters and spaces never reach a header."""
    if not MIME_TOKEN.fullmatch(value):
        raise ToolError(
            f"mime_type {value[:80]!r} is not a media type like text/csv or application/pdf "
            "(type/subtype, letters, digits and !#$&^_.+- only, no parameters). Nothing was sent."
        )
    return value


def local_file(ctx: Ctx, path: str, roots: ListRootsResult | None, *, limit: int) -> tuple[IO[bytes], int, str]:
    """An open regular file inside the readable directories, its size and base name; a clear error otherwise.

    The caller closes the handle. The size is the descriptor's, so a file swapped after the check is still
    the one measured and sent.
    """
    real = resolve_readable(ctx, path, roots)
    handle, size = open_regular(real, path)
    if size > limit:
        handle.close()
        raise ToolError(f"{real.name} is {size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB.")
    return handle, size, real.name


def local_dir(ctx: Ctx, path: str, roots: ListRootsResult | None) -> Path:
    real = resolve_readable(ctx, path, roots)
    if not real.exists():
        raise ToolError(f"No directory at {path!r} (paths are read on the machine running this server).")
    if not real.is_dir():
        raise ToolError(f"{path!r} is not a directory; give the skill's folder (holding SKILL.md).")
    return real


def read_skill_folder(folder: Path, *, limit: int) -> list[tuple[str, bytes]]:
    """Every file under ``folder`` as (``<folder name>/<relative path>``, bytes); hidden files are left out.

    Links are followed only while they stay inside the folder (a link to ``/proc/self/environ`` or
    ``~/.ssh`` refuses the whole upload); devices, FIFOs and sockets refuse it too. Bytes are counted as
    read, not from ``stat``, which says 0 for files that are not what they seem.
    """
    if not (folder / "SKILL.md").is_file():
        raise ToolError(f"{str(folder)!r} has no SKILL.md at its root; a skill folder needs one.")
    out: list[tuple[str, bytes]] = []
    budget = limit
    for root, dirs, names in os.walk(folder):  # never descends into linked directories
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED)
        for name in sorted(names) + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            entry = Path(root) / name
            if name.startswith("."):
                continue
            relative = entry.relative_to(folder).as_posix()
            real = _inside_folder(entry, folder, relative)
            if real.is_dir():  # a link to a folder inside the skill: its files are uploaded from there
                continue
            handle, _ = open_regular(real, relative)
            with handle:
                content = handle.read(budget + 1)
            budget -= len(content)
            if budget < 0:
                raise ToolError(
                    f"{folder.name} holds more than {limit // 2**20} MB of files; the API's limit is "
                    f"{limit // 2**20} MB per skill upload."
                )
            out.append((f"{folder.name}/{relative}", content))
    return out


def _inside_folder(entry: Path, folder: Path, relative: str) -> Path:
    """``entry``'s real path, refused when a link leads out of the skill folder or it is a special file."""
    real = Path(os.path.realpath(entry))
    if not inside(real, folder) or forbidden(real):
        raise ToolError(
            f"{relative!r} in the skill folder is a link that leads outside it; nothing was read or sent. "
            "Copy the file into the folder instead."
        )
    try:
        mode = os.stat(real).st_mode
    except OSError as exc:  # a dangling link, or one swapped out under us
        raise ToolError(f"{relative!r} in the skill folder cannot be read: {exc.strerror or exc}.") from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise ToolError(f"{relative!r} in the skill folder is a device, FIFO or socket; nothing was read or sent.")
    return real
