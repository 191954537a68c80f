"""Several workers, no shared state beyond configuration.

* ``--workers N`` runs uvicorn's process manager. Each worker rebuilds the app from the parent's Settings,
  handed over in the environment the parent gives its workers (``SETTINGS_ENV``), never in a file: a
  parent killed with SIGKILL leaves no secret behind on disk. The environment of a process is readable
  only by its own user (``/proc/<pid>/environ`` is mode 0400), as for ``CLAUDE_API_MCP_HTTP_TOKEN``
  itself; a worker removes the variable as soon as it has read it, so nothing it starts inherits it.
* Each worker accepts on its own ``SO_REUSEPORT`` socket (``SpreadingWorkers``), so connections are
  spread over the workers by the kernel, not taken by whichever worker wakes first.
* The per-worker metrics files go to a private temp directory (mode 0700) that holds no secret and is
  removed when the parent exits.
"""

from __future__ import annotations

import atexit
import base64
import logging
import os
import pickle
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Any

from uvicorn.supervisors import Multiprocess

from claude_api_mcp.core.config import Settings

SETTINGS_ENV = "CLAUDE_API_MCP__WORKER_SETTINGS"  # internal: set by the parent for its workers only


def prepare_workers(settings: Settings) -> Path:
    """Put the Settings where workers find them (the environment) and make the metrics directory."""
    runtime = Path(tempfile.mkdtemp(prefix="claude-api-mcp-"))  # mode 0700
    atexit.register(shutil.rmtree, runtime, True)
    (runtime / "metrics").mkdir()
    packed = pickle.dumps((settings, logging.getLogger().level))
    os.environ[SETTINGS_ENV] = base64.b64encode(packed).decode("ascii")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(runtime / "metrics")  # read by workers at import
    return runtime


def worker_settings() -> tuple[Settings, int]:
    """The parent's Settings and log level (the parent keeps them for the workers that replace this one)."""
    packed = os.environ.pop(SETTINGS_ENV, None)
    if not packed:
        raise RuntimeError("this entry point is for workers started by `claude-api-mcp --workers N`")
    settings, level = pickle.loads(base64.b64decode(packed))  # set by our parent, readable by this user only
    if not isinstance(settings, Settings) or not isinstance(level, int):
        raise RuntimeError("the worker settings are not ours")
    return settings, level


def reuse_port_socket(host: str, port: int, *, listen: bool = False) -> socket.socket:
    """A socket in the port's SO_REUSEPORT group: the kernel spreads new connections evenly over the
    group's *listening* sockets (only processes of this user can join it). Left unlistened, it takes no
    connection until its worker has loaded the app and starts serving (asyncio calls ``listen``), so
    while a replacement starts the others take all the new connections instead of queueing a share."""
    address = host.strip("[]")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only when the listener says TCP
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((address, port))
        if listen:
            sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class SpreadingWorkers(Multiprocess):
    """uvicorn's process manager, but each worker accepts on its own SO_REUSEPORT socket.

    With one shared socket, whichever worker wakes first accepts, so one busy worker takes a client's
    whole keep-alive pool (measured: CPU 0 vs 99 ticks). With a socket each, the kernel hashes each new
    connection to one of them. uvicorn creates a worker as ``Process(config, self.sockets)`` (at start,
    on a crash, on SIGHUP), so ``sockets`` hands out a fresh socket every time it is read; the parent's
    copies are closed once the worker holds its own, so a dead worker's socket leaves the group with it
    (a socket nobody accepts on would swallow its share of connections).
    """

    def __init__(self, config: Any, first: socket.socket) -> None:
        self._first: socket.socket | None = first  # the socket serve() bound: the first worker's
        self._handed: list[socket.socket] = []
        self._address = first.getsockname()
        super().__init__(config, [])

    @property
    def sockets(self) -> list[socket.socket]:
        sock, self._first = self._first, None
        if sock is None:
            sock = reuse_port_socket(str(self._address[0]), int(self._address[1]))
        self._handed.append(sock)
        return [sock]

    @sockets.setter
    def sockets(self, _: list[socket.socket]) -> None:
        return None  # uvicorn's __init__ sets it; the property decides

    def keep_subprocess_alive(self) -> None:
        self._close_handed()  # every worker started so far holds its socket by now
        super().keep_subprocess_alive()

    def _close_handed(self) -> None:
        handed, self._handed = self._handed, []
        for sock in handed:
            sock.close()
