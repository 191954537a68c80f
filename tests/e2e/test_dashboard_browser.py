"""The report dashboard in a real browser: headless Chromium (Debian's ``chromium``, driven by Playwright with its
``executable_path``) plays the MCP Apps host. The host page loads the view in a sandboxed iframe of another
origin, served with the spec's restrictive default CSP, runs the handshake, and delivers real sandbox results.

Needs ``chromium`` (``apt-get install chromium``; ``.ci/run`` installs it) and the ``playwright`` package (the
test extra); skipped with that instruction otherwise. ``UPDATE_SCREENSHOTS=1`` rewrites docs/dashboard.png.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

from claude_api_mcp.tools import _dashboard as dashboard
from tests.conftest import Connect
from tests.helpers import text_of
from tests.paths import REPO

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The CSP a host MUST apply when a view's _meta.ui.csp names no domain (MCP Apps 2026-01-26, "Host Behavior").
STRICT_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; media-src 'self' data:; connect-src 'none'; frame-src 'none'; object-src 'none'"
)
HOST_PAGE = """<!DOCTYPE html><html><body><h1>test host</h1>
<iframe id="view" sandbox="allow-scripts" src="%s" width="680" height="760" style="border:0"></iframe>
<script>
window.LOG = []; window.RESULT = null; window.INPUT = null;
var frame = document.getElementById("view");
window.addEventListener("message", function (e) {
  if (e.source !== frame.contentWindow) return;
  var m = e.data; window.LOG.push(m);
  var reply = function (x) { frame.contentWindow.postMessage(x, "*"); };
  if (m.method === "ui/initialize") reply({jsonrpc: "2.0", id: m.id, result: {protocolVersion: "2026-01-26",
    hostInfo: {name: "test-host", version: "1"}, hostCapabilities: {}, hostContext: {theme: "light",
    displayMode: "inline", styles: {variables: {"--font-sans": "DejaVu Sans, sans-serif"}}}}});
  if (m.method === "ui/notifications/initialized") {
    reply({jsonrpc: "2.0", method: "ui/notifications/tool-input", params: {arguments: window.INPUT}});
    reply({jsonrpc: "2.0", method: "ui/notifications/tool-result", params: window.RESULT});
  }
});
</script></body></html>"""


class Pages(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[str, dict[str, str]]]] = {}

    def do_GET(self) -> None:
        body, headers = self.routes.get(self.path, ("not found", {}))
        self.send_response(200 if self.path in self.routes else 404)
        for name, value in {"content-type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def origins() -> Iterator[tuple[str, str, type[Pages]]]:
    """Two loopback origins: the host's (127.0.0.1) and the view's (localhost), on two ports."""
    pages = type("Routes", (Pages,), {"routes": {}})
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), pages) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{servers[0].server_port}", f"http://localhost:{servers[1].server_port}", pages
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


CASES = {
    "get_cost": ({"starting_at": "2026-11-01", "ending_at": "2026-11-29", "group_by": ["workspace_id"]}, ["total_usd"]),
    "get_usage": ({"starting_at": "2026-11-01", "ending_at": "2026-11-15", "group_by": ["model"]}, ["total_tokens"]),
    "get_claude_code_usage": ({"starting_at": "2026-11-01", "ending_at": "2026-11-08"}, ["sessions", "lines_added"]),
}


@pytest.mark.parametrize("tool", list(CASES))
async def test_a_host_draws_the_report_and_its_totals_match_the_answer(
    connect: Connect, origins: tuple[str, str, type[Pages]], tool: str
) -> None:
    if CHROMIUM is None:
        pytest.skip("needs Chromium: apt-get install chromium (.ci/run installs it)")
    playwright = pytest.importorskip("playwright.async_api", reason="needs playwright: pip install -e '.[test]'")
    arguments, total_keys = CASES[tool]
    apps = {"extensions": [advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})]}
    async with connect(client_kwargs=apps) as client:
        result = await client.call_tool(tool, arguments)
        [view] = (await client.read_resource(dashboard.URI)).contents
    assert not result.is_error, text_of(result)
    answer = json.loads(text_of(result))  # what the model reads
    host, view_origin, pages = origins
    pages.routes["/view"] = (view.text, {"content-security-policy": STRICT_CSP})  # type: ignore[union-attr]
    pages.routes["/host"] = (HOST_PAGE % f"{view_origin}/view", {})
    delivered = result.model_dump(mode="json", by_alias=True, exclude_none=True)

    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 720, "height": 800})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "request",
                lambda r: (
                    None if r.url.startswith(("http://127.0.0.1", "http://localhost")) else problems.append(r.url)
                ),
            )
            await page.goto(f"{host}/host")
            await page.evaluate("([r, a]) => { window.RESULT = r; window.INPUT = a; }", [delivered, arguments])
            frame = page.frame_locator("#view")
            # The view may have initialized before RESULT was set: the host answers again on a fresh handshake.
            await page.evaluate("document.getElementById('view').src = document.getElementById('view').src")
            await frame.locator("svg[data-chart] rect[data-series]").first.wait_for(timeout=15_000)
            shown = {key: await frame.locator(f"[data-total={key}]").inner_text() for key in total_keys}
            bars = await frame.locator("svg[data-chart] rect[data-series]").count()
            log = await page.evaluate("window.LOG.map(m => m.method || 'response')")
            if tool == "get_cost" and os.environ.get("UPDATE_SCREENSHOTS"):
                await page.locator("#view").screenshot(path=str(REPO / "docs" / "dashboard.png"))
        finally:
            await browser.close()

    assert log[:2] == ["ui/initialize", "ui/notifications/initialized"]
    totals = answer if tool == "get_cost" else answer["totals"]
    assert shown == {key: str(totals[key]) for key in total_keys}  # exactly as the text answer states them
    assert bars > 0
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p or "http" in p], problems


CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
