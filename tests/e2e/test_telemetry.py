"""OpenTelemetry end to end: the server exports to a real OTLP/HTTP receiver (protobuf decoded with the protocol's
own types), on stdio and over HTTP with two workers; nothing secret reaches the export; and without OTEL_* the
telemetry SDK is never imported."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from claude_api_mcp.app import span_names, telemetry
from claude_api_mcp.core.scrub import KEY_REDACTED
from tests.otlp_receiver import Received, otlp_receiver
from tests.procs import REPO, clean_env, http_server

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
pytest.importorskip("opentelemetry.sdk", reason="needs the otel extra: pip install -e '.[test]'")

KEY = "sk-ant-admin01-OTELsecretKEYzq8Yx4Vb7Nm2Lp5Hd9Kw3Rt6"
EMAIL = "alice.private@example.com"
SERVER, CLIENT = 2, 3  # the protocol's SpanKind numbers
ORG = {"id": "org_01", "type": "organization", "name": "Acme"}


@contextmanager
def echoing_upstream() -> Iterator[str]:
    """An upstream (or a hostile proxy) that echoes the caller's key into an error and its request id."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            key = self.headers.get("x-api-key", "")
            if self.path.startswith("/v1/organizations/me"):
                status, body = 200, ORG
            else:
                status = 400
                body = {
                    "type": "error",
                    "error": {"type": "invalid_request_error", "message": f"bad {key} {self.path}"},
                }
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("request-id", f"req_{key}")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def otel_env(endpoint: str) -> dict[str, str]:
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_SERVICE_NAME": "claude-api-mcp-test",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": "300",
    }


def children(received: Received, parent_name: str) -> list[Any]:
    parents = [s for s in received.spans if s.name == parent_name and s.kind == SERVER]
    ids = {s.span_id for s in parents}
    return [s for s in received.spans if s.kind == CLIENT and s.parent_id in ids]


def assert_nothing_secret(received: Received) -> None:
    blob = b"".join(received.raw)
    for secret in (KEY, KEY[-12:], EMAIL, "email="):
        assert secret.encode() not in blob, f"{secret!r} reached the telemetry export"


async def test_stdio_exports_a_span_per_call_with_its_upstream_requests_and_no_secret() -> None:
    with otlp_receiver() as (endpoint, received), echoing_upstream() as upstream:
        env = clean_env({"ANTHROPIC_ADMIN_KEY": KEY, **otel_env(endpoint)})
        args = ["-m", "claude_api_mcp", "--profile", "admin", "--base-url", upstream]
        params = StdioServerParameters(command=sys.executable, args=args, env=env, cwd=str(REPO))
        async with Client(params) as client:
            org = await client.call_tool("get_organization", {})
            users = await client.call_tool("list_users", {"email": EMAIL})
        assert not org.is_error and users.is_error
        assert received.wait_for(lambda r: children(r, "tools/call list_users"), timeout=20), received.spans
        assert received.wait_for(lambda r: "mcp.server.operation.duration" in r.metrics, timeout=20)
    [upstream_span] = children(received, "tools/call list_users")
    assert upstream_span.name == "GET /v1/organizations/users"
    assert upstream_span.attributes["url.template"] == "/v1/organizations/users"
    assert upstream_span.attributes["http.response.status_code"] == 400
    assert upstream_span.attributes["http.response.header.request-id"] == ("req_" + KEY_REDACTED,)  # echoed key
    [org_span] = children(received, "tools/call get_organization")
    assert org_span.attributes["url.template"] == "/v1/organizations/me"
    tools = {p.get("gen_ai.tool.name") for p in received.metrics["mcp.server.operation.duration"]}
    assert {"get_organization", "list_users"} <= tools
    assert_nothing_secret(received)


async def test_http_with_two_workers_exports_from_the_workers(tmp_path: Path) -> None:
    with otlp_receiver() as (endpoint, received):
        args = ["--sandbox", "--profile", "admin", "--workers", "2"]
        with http_server(args, tmp_path, env=otel_env(endpoint), timeout=60) as server:
            async with Client(server.url) as client:
                cost = await client.call_tool("get_cost", {"starting_at": "2026-11-01", "ending_at": "2026-11-08"})
            assert not cost.is_error
            assert received.wait_for(lambda r: children(r, "tools/call get_cost"), timeout=20), received.spans
            parent_pid = server.proc.pid
    upstream = children(received, "tools/call get_cost")
    assert {s.name for s in upstream} == {"GET /v1/organizations/cost_report"}
    assert all(s.attributes["http.response.status_code"] == 200 for s in upstream)
    assert all(s.attributes["http.response.header.request-id"][0].startswith("req_") for s in upstream)
    assert parent_pid not in {s.attributes.get("process.pid") for s in received.spans}  # the workers export


def test_without_otel_variables_nothing_of_the_sdk_is_imported_and_nothing_connects() -> None:
    probe = (
        "import sys; from claude_api_mcp.cli.main import main; from claude_api_mcp.app import telemetry; "
        "from claude_api_mcp.app.assemble import build_server; from claude_api_mcp.core.config import Settings; "
        "telemetry.setup(); build_server(Settings(sandbox=True)); "
        "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry.sdk', 'opentelemetry.exporter'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], env=clean_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert not telemetry.configured({}) and telemetry.configured({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"})
    assert not telemetry.configured({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x", "OTEL_SDK_DISABLED": "true"})


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/v1/organizations/users/user_01ABCdef", "/v1/organizations/users/{user_id}"),
        (
            "/v1/organizations/workspaces/wrkspc_01/members/user_02",
            "/v1/organizations/workspaces/{workspace_id}/members/{user_id}",
        ),
        ("/v1/organizations/usage_report/messages?starting_at=x&email=a@b", "/v1/organizations/usage_report/messages"),
        ("/v1/unknown/Some-ID_123/thing", "/v1/unknown/{id}/thing"),
    ],
)
def test_spans_name_the_route_template_never_the_raw_path(path: str, template: str) -> None:
    assert span_names.route_template(path) == template
