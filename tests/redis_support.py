"""A private redis-server on a free loopback port, as the proxy tests start HAProxy (``.ci/run`` installs it)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.procs import free_port, stop


@contextlib.contextmanager
def redis_server(tmp_path: Path, port: int | None = None, password: str | None = None) -> Iterator[str]:
    """Yields the ``redis://`` URL of a fresh, empty, memory-only Redis (on ``port``, asking for ``password``,
    when given); stopped on exit."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run installs it)")
    port = port or free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    if password is not None:
        args += ["--requirepass", password]
    log = (tmp_path / f"redis-{port}.log").open("wb")
    proc = subprocess.Popen([*args, "--dir", str(tmp_path)], stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                pytest.fail(f"redis-server exited with {proc.returncode}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://:{password}@127.0.0.1:{port}/0" if password else f"redis://127.0.0.1:{port}/0"
    finally:
        stop(proc)
        log.close()
