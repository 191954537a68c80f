"""The HTTP listener under attack: figures for issue 10 items 18–21 (docs/safety.md, "HTTP listener").

    python bench/listener.py                       # this checkout
    python bench/listener.py --repo /path/to/old   # the same attacks on another checkout, for before/after

Against ``python -m claude_api_mcp --transport http --sandbox`` (token from the environment), on loopback:

* slowloris: 1,000 connections each sending half a request's headers; how many are still open 15 s later;
* bodies: 32 concurrent requests announcing 31 MB bodies and sending them; the server's peak RSS;
* guesses: 2,000 wrong tokens, 32 at a time; how many were checked (401) rather than refused (429), and
  how long it took.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.procs import base_env, free_port, stop, wait_http

TOKEN = "bench-listener-token-0123456789abcdef"
MB = 1024 * 1024


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def slowloris(port: int, count: int = 1000, wait: float = 15.0) -> int:
    socks = []
    for _ in range(count):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ".encode())
            socks.append(s)
        except OSError:
            break
    time.sleep(wait)
    still_open = 0
    for s in socks:
        s.setblocking(False)
        still_open += is_open(s)
        s.close()
    return still_open


def is_open(s: socket.socket) -> bool:
    """Not closed by the server (a 408 followed by a close counts as closed)."""
    try:
        while data := s.recv(65536):
            del data
        return False  # end of stream: the server closed it
    except BlockingIOError:
        return True  # nothing more to read and not closed
    except OSError:
        return False


def bodies(port: int, pid: int, count: int = 32, size: int = 31 * MB) -> tuple[float, dict[int, int]]:
    peak = rss_mb(pid)
    statuses: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mb(pid))
            time.sleep(0.02)

    def send() -> None:
        headers = {
            "authorization": f"Bearer {TOKEN}",
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
        }
        try:
            r = httpx.post(f"http://127.0.0.1:{port}/mcp", content=b" " * size, headers=headers, timeout=120)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        except httpx.HTTPError:
            statuses[0] = statuses.get(0, 0) + 1

    watcher = threading.Thread(target=sample)
    watcher.start()
    senders = [threading.Thread(target=send) for _ in range(count)]
    for t in senders:
        t.start()
    for t in senders:
        t.join()
    done.set()
    watcher.join()
    return peak, statuses


async def guesses(port: int, count: int = 2000) -> tuple[int, int, float]:
    statuses: list[int] = []
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}

    async def worker(http: httpx.AsyncClient, numbers: range) -> None:
        for i in numbers:
            h = {
                "authorization": f"Bearer guess-{i:024d}",
                "content-type": "application/json",
                "accept": "application/json, text/event-stream",
            }
            statuses.append((await http.post(f"http://127.0.0.1:{port}/mcp", json=body, headers=h)).status_code)

    started = time.perf_counter()
    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http, anyio.create_task_group() as tg:
        for w in range(32):
            tg.start_soon(worker, http, range(w, count, 32))
    return statuses.count(401), statuses.count(429), time.perf_counter() - started


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--repo", default=str(Path(__file__).resolve().parent.parent))
    opts = args.parse_args()
    results = {}
    for attack in ("slowloris", "bodies", "guesses"):
        port = free_port()  # a fresh server per attack: one attack's aftermath does not skew the next
        env = base_env() | {"CLAUDE_API_MCP_HTTP_TOKEN": TOKEN, "CLAUDE_API_MCP_LOG_LEVEL": "WARNING"}
        cmd = [sys.executable, "-m", "claude_api_mcp", "--transport", "http", "--sandbox", "--port", str(port)]
        proc = subprocess.Popen(cmd, cwd=opts.repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_http(f"http://127.0.0.1:{port}/health", proc, timeout=120)
            if attack == "slowloris":
                results["slowloris: half-sent requests still open after 15 s (of 1,000)"] = slowloris(port)
            elif attack == "bodies":
                peak, statuses = bodies(port, proc.pid)
                results["bodies: server peak RSS MB (32 x 31 MB)"] = round(peak)
                results["bodies: answers"] = statuses
            else:
                checked, refused, seconds = anyio.run(guesses, port)
                results["guesses: tokens checked of 2,000"] = checked
                results["guesses: refused (429)"] = refused
                results["guesses: seconds"] = round(seconds, 1)
        finally:
            stop(proc)
    sys.stdout.write(json.dumps({"repo": opts.repo, **results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
