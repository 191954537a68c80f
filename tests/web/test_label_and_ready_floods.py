"""Two floods an anonymous or badly behaved client could cause (issue 19 items 9 and 11): one metrics time
series per made-up tool name, and one upstream request per unauthenticated ``GET /ready``."""

from __future__ import annotations

import re

import anyio
import httpx
import pytest
from mcp import Client
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.web import metrics
from tests.listener_support import serving, settings

pytestmark = pytest.mark.anyio
SERIES = re.compile(r'^claude_api_mcp_tool_calls_total\{tool="([^"]*)"\}', re.M)


async def test_made_up_tool_names_count_as_one_label_value() -> None:
    server = build_server(Settings(sandbox=True), sandbox=Sandbox(), instruments=metrics.PROMETHEUS)
    before = set(SERIES.findall(metrics.render().decode()))
    async with Client(server) as client:
        for n in range(500):
            await client.call_tool(f"bogus_tool_{n}_{'x' * (n % 70)}", {})
        await client.call_tool("list_models", {})
    page = metrics.render().decode()
    after = set(SERIES.findall(page))
    assert after - before <= {"unknown", "list_models"} and "unknown" in after
    assert not any(name.startswith("bogus") for name in after)
    unknown = re.search(r'^claude_api_mcp_tool_calls_total\{tool="unknown"\} (\S+)', page, re.M)
    assert unknown is not None and float(unknown[1]) >= 500


class CountingUpstream:
    def __init__(self) -> None:
        self.hits = 0

    def app(self) -> Starlette:
        async def models(_: Request) -> Response:
            self.hits += 1
            await anyio.sleep(0.05)  # a slow upstream: the burst arrives while the first probe is in flight
            return JSONResponse({"data": [], "has_more": False})

        return Starlette(routes=[Route("/v1/models", models)])


async def test_a_burst_of_anonymous_ready_checks_reaches_the_upstream_once() -> None:
    from claude_api_mcp.web.http_app import http_app

    upstream = CountingUpstream()
    with serving(upstream.app(), settings()) as base:
        conf = settings(sandbox=False, base_url=base, admin_key=Secret("sk-ant-admin01-ready-flood"))
        with serving(http_app(build_server(conf), conf), conf) as url:
            codes: list[int] = []
            async with httpx.AsyncClient(limits=httpx.Limits(max_connections=20)) as http:

                async def hit() -> None:
                    codes.append((await http.get(f"{url}/ready")).status_code)

                async with anyio.create_task_group() as tg:
                    for _ in range(100):
                        tg.start_soon(hit)
    assert codes == [200] * 100
    assert upstream.hits == 1
