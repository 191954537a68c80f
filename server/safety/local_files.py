"""Which local files the upload tools may read, and opening them without following anything out of bounds.

A path argument comes from a model, which may be prompt-injected: ``/etc/shadow``, ``~/.ssh/id_rsa`` or a
link to ``/proc/self/environ`` must never leave the machine. So a path is readable only when its real path
(every symlink resolved) lies inside

* a root the MCP client declares (the protocol's ``roots`` capability, asked for with a ``ListRoots``
  resolver so it works on both protocol eras), or
* a directory the operator allows with ``--allow-files DIR,...`` / ``CLAUDE_API_MCP_ALLOW_FILES``,

and never under ``/proc``, ``/sys`` or ``/dev``, whatever is allowed. A path outside gets the same refusal,
which names the path as given (never its resolved target), whether or not it exists: no existence or size
oracle, dry runs included.

A tool that reads paths takes a ``roots: ClientRoots`` parameter (filled by the SDK, never by the model;
``path_arg`` names the argument whose presence makes the roots worth asking for) and calls
``resolve_readable(ctx, path, roots)``; ``open_regular`` then opens the result without following a final
symlink or blocking on a FIFO, and refuses anything but a regular file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO, Annotated, Any
from urllib.parse import unquote, urlparse

from mcp.server.mcpserver import Context, ListRoots, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ListRootsResult

from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.safety.deps import settings

NEVER_READ = (Path("/proc"), Path("/sys"), Path("/dev"))  # kernel and device views: environ, memory, devices
MAX_PATH = 4096
HOW_TO_ALLOW = (
    "To allow a directory, start the server with --allow-files DIR (or CLAUDE_API_MCP_ALLOW_FILES=DIR), "
    "or use a client that declares roots"
)


async def ask_roots(ctx: Context[Any, Any], path: str | None = None) -> ListRoots | None:
    """Resolver: ask for the client's roots only when a path was given and the client declared roots."""
    caps = ctx.client_capabilities
    if path is None or caps is None or caps.roots is None:
        return None
    return ListRoots()


# Resolver-filled: the SDK keeps it out of the input schema, so no model can claim roots of its own.
ClientRoots = Annotated[ListRootsResult | None, Resolve(ask_roots)]


def root_dirs(roots: ListRootsResult | None) -> list[Path]:
    """The local directories among the client's roots (``file://`` URIs only), real paths."""
    out: list[Path] = []
    for root in roots.roots if roots is not None else []:
        uri = urlparse(str(root.uri))
        if uri.scheme != "file" or uri.netloc not in ("", "localhost"):
            continue
        local = unquote(uri.path)
        if os.path.isabs(local) and "\x00" not in local:
            out.append(Path(os.path.realpath(local)))
    return out


def allowed_dirs(ctx: Ctx, roots: ListRootsResult | None) -> list[Path]:
    """Client roots first, then the operator's directories; duplicates dropped."""
    found = root_dirs(roots) + [Path(os.path.realpath(d)) for d in settings(ctx).allow_files]
    return list(dict.fromkeys(found))


def inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def forbidden(real: Path) -> bool:
    return any(inside(real, never) for never in NEVER_READ)


def resolve_readable(ctx: Ctx, path: str, roots: ListRootsResult | None) -> Path:
    """The real path behind ``path`` if this server may read it; a ToolError (nothing read) otherwise."""
    dirs = allowed_dirs(ctx, roots)
    if not dirs:
        raise ToolError(
            "Reading local files is off: this client declared no roots and the operator allowed no directory. "
            f"{HOW_TO_ALLOW}. Nothing was read or sent."
        )
    if not path or len(path) > MAX_PATH or "\x00" in path:
        raise ToolError(f"The path is empty, longer than {MAX_PATH} characters or holds a NUL byte; nothing was read.")
    expanded = os.path.expanduser(path)
    if not os.path.isabs(expanded):
        raise ToolError(f"Give an absolute path (inside {_shown(dirs)}), not {path!r}; nothing was read.")
    real = Path(os.path.realpath(expanded))
    if forbidden(real) or not any(inside(real, d) for d in dirs):
        raise ToolError(
            f"{path!r} is outside the directories this server may read ({_shown(dirs)}). Nothing was read or "
            f"sent. Move the file into one of them. {HOW_TO_ALLOW}."
        )
    return real


def _shown(dirs: list[Path]) -> str:
    return ", ".join(str(d) for d in dirs[:5]) + (f" and {len(dirs) - 5} more" if len(dirs) > 5 else "")


def open_regular(real: Path, shown: str) -> tuple[IO[bytes], int]:
    """``real`` opened for reading with its size: no final symlink followed, no FIFO blocked on, regular only."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except FileNotFoundError:
        raise ToolError(f"No file at {shown!r} (paths are read on the machine running this server).") from None
    except IsADirectoryError:
        raise ToolError(f"{shown!r} is not a regular file.") from None
    except PermissionError:
        raise ToolError(f"{shown!r} is not readable by this server.") from None
    except OSError as exc:  # a link swapped in after the check (ELOOP), a name too long, ...
        raise ToolError(f"{shown!r} cannot be opened: {exc.strerror or exc}.") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ToolError(f"{shown!r} is not a regular file (a directory, device, FIFO or socket).")
    return os.fdopen(fd, "rb"), info.st_size
