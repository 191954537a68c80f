"""HAProxy in front of several server processes, as the README's "Team deployment" section configures it."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from tests.procs import free_port, stop

# The README shows this file; tests/e2e/test_team_readme.py checks that the two stay the same.
HAPROXY_CONFIG = """\
global
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    timeout http-request 10s
    timeout http-keep-alive 30s
    option forwardfor

frontend mcp
    bind {bind}
    default_backend claude_api_mcp

backend claude_api_mcp
    balance roundrobin
    option httpchk GET /ready
    # The older protocol keeps a session in one worker: route each Mcp-Session-Id to the worker that
    # issued it. The 2026-07-28 protocol has no session and may land anywhere.
    stick-table type string len 64 size 100k expire 30m
    stick on req.hdr(mcp-session-id)
    stick store-response res.hdr(mcp-session-id)
    http-response set-header x-served-by %s
{servers}
"""


def haproxy_config(bind: str, backends: Sequence[str], *, sticky: bool = True) -> str:
    servers = "\n".join(f"    server w{i + 1} {addr} check" for i, addr in enumerate(backends))
    config = HAPROXY_CONFIG.format(bind=bind, servers=servers)
    if not sticky:  # the load-and-faults test: every request to any instance, as a careless proxy does
        config = "\n".join(line for line in config.splitlines() if "stick" not in line) + "\n"
    return config


@contextlib.contextmanager
def haproxy(backends: Sequence[str], tmp_path: Path, *, sticky: bool = True) -> Iterator[str]:
    """HAProxy on a free loopback port in front of ``backends`` (host:port); yields its base URL."""
    binary = shutil.which("haproxy")
    if binary is None:
        pytest.skip("haproxy is not installed (apt-get install haproxy; .ci/run installs it)")
    port = free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(f"127.0.0.1:{port}", backends, sticky=sticky))
    log = (tmp_path / "haproxy.log").open("wb")
    proc = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"haproxy exited with {proc.returncode}: {(tmp_path / 'haproxy.log').read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            assert time.monotonic() < deadline, "haproxy did not answer /health"
            time.sleep(0.1)
        yield base
    finally:
        stop(proc)
        log.close()
