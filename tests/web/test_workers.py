"""``--workers N``: several processes on one port, metrics summed across them, JSON logs naming upstream ids."""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.server.request_state import InvalidRequestState
from mcp.types import ElicitResult

from claude_api_mcp.app.assemble import state_security
from claude_api_mcp.cli.flags import parser
from claude_api_mcp.cli.main import settings_from
from tests.listener_support import TOKEN
from tests.procs import http_server

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
PROD = "wrkspc_016bWHtP3fS2qHx6kwXoIIXG"


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def worker_processes(pid: int) -> list[int]:
    return [c for c in children(pid) if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


async def test_two_workers_serve_one_port_share_the_state_key_and_sum_their_metrics(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    args = ["--sandbox", "--profile", "admin", "--workers", "2", "--http-token-file", str(token_file)]
    args += ["--state-key", secrets.token_hex(32)]
    calls = 24

    async def confirm(context: Any, params: Any) -> ElicitResult:
        return ElicitResult(action="accept", content={"confirm": True})

    with http_server(args, tmp_path, timeout=120) as server:  # each worker imports everything afresh
        workers = worker_processes(server.proc.pid)
        for group in range(4):  # a fresh connection per group: the kernel spreads them over the workers
            async with httpx2.AsyncClient(headers={"authorization": f"Bearer {TOKEN}"}) as hc:
                transport = streamable_http_client(server.url, http_client=hc)
                async with Client(transport, mode="auto", elicitation_callback=confirm) as mcp:  # type: ignore[arg-type]
                    for _ in range(calls // 4):
                        assert not (await mcp.call_tool("get_workspace", {"workspace_id": PROD})).is_error
                    if group == 0:
                        archived = await mcp.call_tool("archive_workspace", {"workspace_id": PROD})
        async with httpx.AsyncClient() as http:
            page = await http.get(f"{server.base}/metrics", headers={"authorization": f"Bearer {TOKEN}"})
            anonymous = await http.get(f"{server.base}/metrics")
    assert len(workers) == 2
    assert not archived.is_error
    counted = re.search(r'^claude_api_mcp_tool_calls_total\{tool="get_workspace"\} (\S+)$', page.text, re.M)
    assert counted is not None and float(counted.group(1)) == calls
    assert anonymous.status_code == 401
    events = [json.loads(line) for line in server.stderr().splitlines() if line.startswith('{"time"')]
    gets = [e for e in events if e["event"] == "tool_call" and e["tool"] == "get_workspace"]
    assert len(gets) == calls and all(e["ok"] for e in gets)
    assert all(e["upstream"][0]["request_id"] and e["upstream"][0]["status"] == 200 for e in gets)
    assert TOKEN not in server.stderr()


def test_a_sigkilled_parent_leaves_no_secret_in_the_temp_dir(tmp_path: Path) -> None:
    import os
    import signal
    import time

    temp = tmp_path / "tmp"
    temp.mkdir()
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    state_key = secrets.token_hex(32)
    args = ["--sandbox", "--workers", "2", "--http-token-file", str(token_file), "--state-key", state_key]
    with http_server(args, tmp_path, timeout=120, env={"TMPDIR": str(temp)}) as server:
        workers = worker_processes(server.proc.pid)
        assert httpx.get(f"{server.base}/metrics", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
        os.kill(server.proc.pid, signal.SIGKILL)  # no atexit, no cleanup of any kind
        server.proc.wait(10)
        for pid in workers:  # orphans now; they would stop at their alarm, but not within this test
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
    left = [p for p in temp.rglob("*") if p.is_file()]
    for path in left:
        data = path.read_bytes()
        assert TOKEN.encode() not in data and state_key.encode() not in data, path
    assert not any(p.name.endswith(".pickle") for p in left)


def test_state_keys_rotate_first_seals_all_unseal() -> None:
    old, new = secrets.token_hex(32), secrets.token_hex(32)
    before = state_security(settings_from(parser().parse_args(["--state-key", old]), {}))
    during = state_security(settings_from(parser().parse_args(["--state-key", f"{new},{old}"]), {}))
    assert before is not None and during is not None
    sealed_by_old = before.codec.seal(b"confirmation")
    assert during.codec.unseal(sealed_by_old) == b"confirmation"  # a round trip begun before the rollout
    with pytest.raises(InvalidRequestState):  # a worker not yet given the new key cannot open its seals
        before.codec.unseal(during.codec.seal(b"x"))
    assert state_security(settings_from(parser().parse_args([]), {})) is None  # the SDK's per-process key


def test_a_short_state_key_is_refused_with_how_to_make_one() -> None:
    from claude_api_mcp.cli.main import ConfigError

    with pytest.raises(ConfigError, match="at least 32 characters"):
        settings_from(parser().parse_args(["--state-key", "short"]), {})
