"""Figures for a hostile upstream (issue 10 #12-#16): each attack against the server, measured.

    python -m bench.hostile              # this checkout
    python bench/hostile.py --scale 0.25 # smaller bodies (e.g. to measure an older checkout on PYTHONPATH)

Self-contained (no import from tests/) so it also runs against an older ``server`` package. For each attack:
the outcome the model reads, peak traced Python memory, the body bytes the upstream handed out, requests
it received, and seconds. Attacks that never end on their own are stopped after ``--give-up`` seconds.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import httpx
from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import ConfirmPolicy, Profile, Settings
from claude_api_mcp.core.secret import Secret

MiB = 1 << 20
ADMIN, API = "sk-ant-admin01-bench-" + "x" * 40, "sk-ant-api03-bench-" + "y" * 40
MESSAGE = {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}]}


class Upstream:
    def __init__(self, answer: Callable[[Upstream, httpx.Request], httpx.Response]) -> None:
        self.answer, self.requests, self.served = answer, 0, 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return self.answer(self, request)

    def body(self, chunks: Callable[[], Iterator[bytes]]) -> AsyncIterator[bytes]:
        async def gen() -> AsyncIterator[bytes]:
            for chunk in chunks():
                self.served += len(chunk)
                yield chunk
                await anyio.lowlevel.checkpoint()

        return gen()


def sse(data: dict[str, Any]) -> bytes:
    return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n".encode()


def start() -> bytes:
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [], "usage": {}}
    block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    return sse({"type": "message_start", "message": message}) + sse(block)


def endless(head: bytes, total: int) -> Iterator[bytes]:
    yield head
    for _ in range(total // MiB):
        yield b"a" * MiB


def deltas(text: str) -> Iterator[bytes]:
    yield start()
    while True:
        yield sse({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}})


def attacks(scale: float) -> dict[str, tuple[str, dict[str, Any], Callable[[Upstream, httpx.Request], httpx.Response]]]:
    gib = int(1024 * scale) * MiB
    squeeze = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(squeeze.compress(bytes(MiB)) for _ in range(int(128 * scale))) + squeeze.flush()
    batch = {"id": "msgbatch_01x", "type": "message_batch", "processing_status": "ended"}
    first_line = b'{"custom_id": "a", "result": {"type": "succeeded"}}\n{"custom_id": "b", "x": "'
    pages = {"data": [], "has_more": True, "first_id": None, "last_id": "user_09"}
    error = {"type": "error", "error": {"type": "api_error", "message": "try again"}}

    def results(u: Upstream, r: httpx.Request) -> httpx.Response:
        if r.url.path.endswith("/results"):
            return httpx.Response(200, content=u.body(lambda: endless(first_line, gib)))
        return httpx.Response(200, json=batch)

    return {
        f"JSON answer of {gib // MiB} MiB": (
            "get_organization",
            {},
            lambda u, r: httpx.Response(200, content=u.body(lambda: endless(b'{"name": "', gib))),
        ),
        f"gzip bomb ({int(128 * scale)} MiB from {len(bomb) // 1024} KiB)": (
            "get_organization",
            {},
            lambda u, r: httpx.Response(
                200, content=u.body(lambda: iter([bomb])), headers={"content-encoding": "gzip"}
            ),
        ),
        f"batch result line of {gib // MiB} MiB": ("get_batch_results", {"message_batch_id": "msgbatch_01x"}, results),
        f"unterminated SSE line of {gib // 4 // MiB} MiB": (
            "send_message",
            {**MESSAGE, "max_tokens": 1024},
            lambda u, r: httpx.Response(200, content=u.body(lambda: endless(start() + b'data: {"x": "', gib // 4))),
        ),
        "endless text deltas, max_tokens 16": (
            "send_message",
            {**MESSAGE, "max_tokens": 16},
            lambda u, r: httpx.Response(200, content=u.body(lambda: deltas("tok "))),
        ),
        "empty pages claiming has_more": (
            "list_users",
            {"all_pages": True},
            lambda u, r: httpx.Response(200, json=pages),
        ),
        "create answered 500 + x-should-retry: true": (
            "create_workspace",
            {"name": "once"},
            lambda u, r: httpx.Response(500, json=error, headers={"x-should-retry": "true"}),
        ),
    }


async def measure(tool: str, args: dict[str, Any], upstream: Upstream, give_up: float) -> dict[str, Any]:
    async def no_sleep(seconds: float) -> None:
        pass

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            admin_key=Secret(ADMIN),
            api_key=Secret(API),
            profile=Profile.ADMIN,
            confirm=ConfirmPolicy.NEVER,
            audit_log=Path(tmp) / "audit.jsonl",
        )
        server = build_server(settings, transport=httpx.MockTransport(upstream), sleep=no_sleep)
        async with Client(server) as client:
            tracemalloc.start()
            started = time.monotonic()
            outcome = f"still running after {give_up:g} s: stopped by the bench"
            with anyio.move_on_after(give_up):
                result = await client.call_tool(tool, args)
                text = "".join(getattr(b, "text", "") for b in result.content)
                outcome = ("error: " if result.is_error else "ok: ") + text.removeprefix(
                    f"Error executing tool {tool}: "
                )
            seconds = time.monotonic() - started
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return {
        "outcome": outcome[:110],
        "peak_mib": round(peak / MiB, 1),
        "served_mib": round(upstream.served / MiB, 1),
        "requests": upstream.requests,
        "seconds": round(seconds, 2),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="body sizes relative to 1 GiB")
    parser.add_argument("--give-up", type=float, default=60.0, help="stop an attack that never ends after this")
    parser.add_argument("--only", default="", help="run only the attacks whose name contains this")
    opts = parser.parse_args()
    print("| attack | outcome | peak MiB | served MiB | requests | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, (tool, args, answer) in attacks(opts.scale).items():
        if opts.only not in name:
            continue
        row = await measure(tool, args, Upstream(answer), opts.give_up)
        cells = [name, row["outcome"], row["peak_mib"], row["served_mib"], row["requests"], row["seconds"]]
        print("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |", flush=True)


if __name__ == "__main__":
    anyio.run(main)
