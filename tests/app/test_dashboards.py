"""Report dashboards as an MCP App: the view is linked and served, hosts with the extension get a series for
it, and clients without the extension get exactly what they got before."""

from __future__ import annotations

import json
import re

import pytest
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

from claude_api_mcp.core.config import Profile
from claude_api_mcp.tools import _dashboard as dashboard
from tests.conftest import Connect
from tests.helpers import text_of

pytestmark = pytest.mark.anyio

APPS = {"client_kwargs": {"extensions": [advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})]}}
REPORTS = {"get_cost", "get_usage", "get_claude_code_usage"}
COST = {"starting_at": "2026-11-01", "ending_at": "2026-11-15", "group_by": ["workspace_id"]}
USAGE = {"starting_at": "2026-11-01", "ending_at": "2026-11-08", "group_by": ["model"]}


async def test_the_report_tools_link_the_dashboard_and_no_other_tool_does(connect: Connect) -> None:
    async with connect(profile=Profile.ADMIN) as client:
        tools = (await client.list_tools()).tools
    linked = {t.name: (t.meta or {}).get("ui", {}).get("resourceUri") for t in tools}
    assert {n for n, uri in linked.items() if uri} == REPORTS
    assert {linked[n] for n in REPORTS} == {dashboard.URI}


async def test_the_view_is_served_as_an_mcp_app_that_asks_for_no_domain(connect: Connect) -> None:
    async with connect(profile=Profile.READ_ONLY) as client:
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        read = await client.read_resource(dashboard.URI)
    [content] = read.contents
    assert content.mime_type == "text/html;profile=mcp-app" and dashboard.URI in listed
    assert content.meta == {"ui": {"csp": {}, "prefersBorder": True}}  # the strict default: nothing from a network
    html = content.text  # type: ignore[union-attr]
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "a script, style or font from a network"
    assert not re.search(r"\beval\(|new Function|innerHTML|@import|url\(http", html)
    assert "ui/initialize" in html and "ui/notifications/initialized" in html and "ui/notifications/tool-result" in html


async def test_a_client_with_the_extension_gets_the_series_and_the_same_text(connect: Connect) -> None:
    async with connect(**APPS) as apps_client:
        with_apps = await apps_client.call_tool("get_cost", COST)
    async with connect() as plain_client:
        plain = await plain_client.call_tool("get_cost", COST)
    assert text_of(with_apps) == text_of(plain) and with_apps.structured_content == plain.structured_content
    assert dashboard.META_KEY not in (plain.meta or {})  # exactly today's result without the extension
    series = with_apps.meta[dashboard.META_KEY]  # type: ignore[index]
    assert [p["t"][:10] for p in series["points"]] == [f"2026-11-{d:02d}" for d in range(1, 15)]
    groups = plain.structured_content["groups"]  # type: ignore[index]
    assert len(series["labels"]) == len(groups)
    drawn = sum(v for p in series["points"] for v in p["v"].values())
    assert drawn == pytest.approx(float(plain.structured_content["total_usd"]), abs=1e-4)  # type: ignore[index]


async def test_usage_series_sum_to_the_total_tokens_the_text_states(connect: Connect) -> None:
    async with connect(**APPS) as client:
        result = await client.call_tool("get_usage", USAGE)
    answer = json.loads(text_of(result))
    series = result.meta[dashboard.META_KEY]  # type: ignore[index]
    assert sum(v for p in series["points"] for v in p["v"].values()) == answer["totals"]["total_tokens"]
    assert len(series["points"]) == 7


def test_more_groups_than_layers_fold_into_one_other_layer() -> None:
    buckets = [{"starting_at": "d1", "results": [{"model": f"m{i}", "amount": str(100 * (i + 1))} for i in range(12)]}]
    series = dashboard.series(buckets, ["model"], dashboard.cost_dollars)
    assert len(series["labels"]) == dashboard.MAX_SERIES and series["labels"][-1] == dashboard.OTHER
    assert sum(series["points"][0]["v"].values()) == pytest.approx(sum(i + 1 for i in range(12)))


async def test_the_model_visible_tool_list_does_not_grow(connect: Connect) -> None:
    async with connect(profile=Profile.ADMIN) as client:
        tools = (await client.list_tools()).tools
    for tool in tools:
        visible = json.dumps([tool.name, tool.description, tool.input_schema])
        assert "ui://" not in visible and "dashboard" not in visible
