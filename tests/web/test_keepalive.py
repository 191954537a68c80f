"""Kept-alive connections: bounded so pools rebalance over workers, and answered (not reset) on shutdown."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import uvicorn

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.web.http_app import http_app, uvicorn_config
from claude_api_mcp.web.listener import DRAIN_S, MAX_REQUESTS_PER_CONNECTION
from tests.listener_support import read_until_closed, serving, settings


def test_a_kept_alive_connection_is_closed_cleanly_after_its_request_bound() -> None:
    conf = settings()
    app = http_app(build_server(conf, sandbox=Sandbox()), conf)
    with serving(app, conf) as url, httpx.Client(limits=httpx.Limits(max_connections=1)) as http:
        answers = [http.get(f"{url}/health") for _ in range(2 * MAX_REQUESTS_PER_CONNECTION + 10)]
    closing = [i + 1 for i, r in enumerate(answers) if r.headers.get("connection") == "close"]
    assert all(r.status_code == 200 for r in answers)  # the client reconnected, nothing failed
    assert closing == [MAX_REQUESTS_PER_CONNECTION, 2 * MAX_REQUESTS_PER_CONNECTION]


def test_a_request_on_a_kept_alive_connection_during_shutdown_gets_503_and_connection_close() -> None:
    conf = settings()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(http_app(build_server(conf, sandbox=Sandbox()), conf), conf))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    request = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    kept = socket.create_connection(("127.0.0.1", port), timeout=5)
    kept.sendall(request)
    first = b""
    while b'{"status":"ok"}' not in first:
        first += kept.recv(65536)
    server.should_exit = True  # SIGTERM does the same
    time.sleep(0.3)  # uvicorn has begun its shutdown: this connection is idle and kept alive
    kept.sendall(request)  # a client that reused its pooled connection at that moment
    late, closed = read_until_closed(kept, timeout=5)
    kept.close()
    thread.join(15)
    listener.close()
    assert first.startswith(b"HTTP/1.1 200")
    assert late.startswith(b"HTTP/1.1 503"), late  # not a reset: the client knows the request did not run
    head = late.split(b"\r\n\r\n")[0].lower()
    assert b"connection: close" in head and b"retry-after: 1" in head
    assert closed
    assert not thread.is_alive() and DRAIN_S < 5
