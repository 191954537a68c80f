"""Serve the sandbox's API on a real loopback port with uvicorn.

For clients that cannot use the in-process transport: the official SDK, curl, other MCP servers and the
benchmarks, which point every server under test at the same upstream. The app checks headers like the API,
so any correctly prefixed key works (``sk-ant-admin…`` for /v1/organizations/*, ``sk-ant-…`` elsewhere).

    python -m claude_api_mcp.sandbox.serve --port 8766      # blocks; Ctrl-C stops it
    with serving() as upstream: upstream.base_url   # in process, on a background thread
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from claude_api_mcp.sandbox.core import Sandbox

log = logging.getLogger("claude_api_mcp.sandbox")
DEFAULT_PORT = 8766


@dataclass(frozen=True)
class Upstream:
    """A running sandbox API: where it listens and the state behind it."""

    host: str
    port: int
    sandbox: Sandbox

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket; port 0 picks a free one (read it back with ``getsockname()``)."""
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP, and
    # without it Nagle holds the body behind the headers until the client's delayed ACK, 40 ms per response.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _server(sandbox: Sandbox) -> uvicorn.Server:
    # No access log and no lifespan: the app has neither startup work nor anything worth a line per request,
    # and a log line per request would dominate the cost of serving it.
    config = uvicorn.Config(sandbox.app, log_level="warning", access_log=False, lifespan="off")
    return uvicorn.Server(config)


@contextmanager
def serving(host: str = "127.0.0.1", port: int = 0, sandbox: Sandbox | None = None) -> Iterator[Upstream]:
    """Serve ``sandbox`` (a fresh one by default) on a background thread for the duration of the block."""
    sandbox = sandbox or Sandbox()
    sock = bind(host, port)
    server = _server(sandbox)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="sandbox-upstream", daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the sandbox upstream failed to start")
            time.sleep(0.01)
        yield Upstream(host=host, port=sock.getsockname()[1], sandbox=sandbox)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def run(host: str = "127.0.0.1", port: int = DEFAULT_PORT, sandbox: Sandbox | None = None) -> int:
    """Serve in the foreground until interrupted."""
    sandbox = sandbox or Sandbox()
    sock = bind(host, port)
    log.warning("sandbox API on http://%s:%d (any sk-ant-admin… / sk-ant-… key)", host, sock.getsockname()[1])
    try:
        _server(sandbox).run(sockets=[sock])
    finally:
        sock.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m claude_api_mcp.sandbox.serve", description="Serve the sandbox API over HTTP."
    )
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port, 0 for any free one (default {DEFAULT_PORT})")
    args = p.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
    return run(args.host, args.port)


if __name__ == "__main__":
    raise SystemExit(main())
