"""The thread-free stdio transport (``server/cli/stdio_pipes.py``): over pipes it serves on the event loop and
still keeps stray output off the wire; a stdin that is not a pipe gets the SDK's own transport."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from tests.procs import REPO, clean_env

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

# A server whose tool writes to fd 1 and to sys.stdout, served by serve_stdio; it reports which transport ran.
NOISY = r"""
import os, sys, anyio
from mcp.server import MCPServer
from claude_api_mcp.cli import stdio_pipes

server = MCPServer("noisy")

@server.tool()
def shout(text: str) -> str:
    os.write(1, b"stray bytes on fd 1\n")
    print("a stray print")
    return text.upper()

streams = stdio_pipes.pipe_streams
def reporting():
    cm = streams()
    class Wrap:
        async def __aenter__(self):
            got = await cm.__aenter__()
            print("transport:", "pipes" if got else "threads", file=sys.stderr, flush=True)
            return got
        async def __aexit__(self, *exc):
            return await cm.__aexit__(*exc)
    return Wrap()
stdio_pipes.pipe_streams = reporting
anyio.run(stdio_pipes.serve_stdio, server)
"""


async def test_stray_output_never_reaches_the_wire_and_long_lines_pass(tmp_path: Path) -> None:
    script = tmp_path / "noisy.py"
    script.write_text(NOISY)
    params = StdioServerParameters(command=sys.executable, args=[str(script)], env=clean_env(), cwd=str(REPO))
    long_text = "x" * 3_000_000  # one 3 MB request line and answer, past any default pipe or reader buffer
    async with Client(params) as client:  # a line of stray output on the wire would break this session
        result = await client.call_tool("shout", {"text": "hi"})
        big = await client.call_tool("shout", {"text": long_text})
    assert not result.is_error and result.content[0].text == "HI"  # type: ignore[union-attr]
    assert not big.is_error and big.content[0].text == long_text.upper()  # type: ignore[union-attr]


def test_pipes_are_served_on_the_event_loop_and_a_file_stdin_through_the_sdk(tmp_path: Path) -> None:
    script = tmp_path / "noisy.py"
    script.write_text(NOISY)
    lines = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "shout", "arguments": {"text": "ok"}}},
    ]  # fmt: skip
    requests = "".join(json.dumps(line) + "\n" for line in lines)
    cmd = [sys.executable, str(script)]
    with subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env(), cwd=REPO
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        proc.stdin.write(requests)
        proc.stdin.flush()
        wire = [proc.stdout.readline(), proc.stdout.readline()]  # kept open until both answers are in
        proc.stdin.close()
        wire += proc.stdout.readlines()
        err = proc.stderr.read()
    answers = [json.loads(line) for line in wire if line]  # every line on the wire is JSON-RPC
    assert "transport: pipes" in err, err[-2000:]
    assert answers[1]["result"]["content"][0]["text"] == "OK", wire
    assert "a stray print" in err  # diverted to stderr, never the wire

    as_file = tmp_path / "requests.jsonl"  # a regular file cannot be read on the event loop: the SDK's way
    as_file.write_text(requests)
    with as_file.open() as stdin:
        done = subprocess.run(cmd, stdin=stdin, capture_output=True, text=True, env=clean_env(), cwd=REPO, timeout=120)
    assert "transport: threads" in done.stderr, done.stderr[-2000:]
    first = json.loads(done.stdout.splitlines()[0])
    assert first["id"] == 1 and "result" in first and "stray" not in done.stdout
