"""Attacks on the HTTP listener (issue 10, items 18–21), each performed on loopback against the real server."""

from __future__ import annotations

import math
import time
from pathlib import Path

import anyio
import httpx
import pytest

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.cli.flags import parser
from claude_api_mcp.cli.main import ConfigError, settings_from
from claude_api_mcp.cli.serve import serve
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.web.http_app import MIN_TOKEN_LENGTH, bind_problem, http_app
from tests.listener_support import (
    INITIALIZE,
    MCP_HEADERS,
    TOKEN,
    raw_connect,
    read_until_closed,
    serving,
    settings,
)

pytestmark = pytest.mark.anyio
AUTH = {**MCP_HEADERS, "authorization": f"Bearer {TOKEN}"}
PING = {"jsonrpc": "2.0", "id": 2, "method": "ping"}


def session_of(opened: httpx.Response) -> dict[str, str]:
    return {**AUTH, "mcp-session-id": opened.headers["mcp-session-id"], "mcp-protocol-version": "2025-11-25"}


def app_for(**overrides: object) -> tuple[object, object]:
    conf = settings(**overrides)
    return http_app(build_server(conf, sandbox=Sandbox()), conf), conf


# --- 18: slowloris -----------------------------------------------------------------------------------------


def test_half_sent_requests_are_cut_off_at_the_header_deadline_and_the_server_still_answers() -> None:
    app, conf = app_for(header_timeout=1.0)
    with serving(app, conf) as url:  # type: ignore[arg-type]
        socks = [raw_connect(url) for _ in range(200)]
        for s in socks:
            s.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # headers never finished
        started = time.monotonic()
        outcomes = [read_until_closed(s, timeout=max(0.1, 4 - (time.monotonic() - started))) for s in socks]
        elapsed = time.monotonic() - started
        for s in socks:
            s.close()
        assert all(closed for _, closed in outcomes), "a half-sent request was still open after 4 s"
        assert all(data.startswith(b"HTTP/1.1 408") for data, _ in outcomes)
        assert elapsed < 4
        assert httpx.get(f"{url}/health").status_code == 200


def test_dribbling_one_byte_at_a_time_does_not_extend_the_deadline() -> None:
    app, conf = app_for(header_timeout=1.0)
    with serving(app, conf) as url:  # type: ignore[arg-type]
        s = raw_connect(url)
        started = time.monotonic()
        closed_after = None
        for byte in b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: aaaaaaaaaaaaaaaaaaaaaaaaaaaa":
            try:
                s.sendall(bytes([byte]))
            except OSError:
                closed_after = time.monotonic() - started
                break
            _, closed = read_until_closed(s, timeout=0.1)
            if closed:
                closed_after = time.monotonic() - started
                break
        s.close()
    assert closed_after is not None and closed_after < 2.0


def test_connections_beyond_the_cap_get_503_and_service_returns_when_they_go() -> None:
    app, conf = app_for(max_connections=20, header_timeout=1.0)
    with serving(app, conf) as url:  # type: ignore[arg-type]
        idle = [raw_connect(url) for _ in range(25)]
        time.sleep(0.2)
        crowded = httpx.get(f"{url}/health")
        for s in idle:
            read_until_closed(s, timeout=3)  # the header deadline frees them
            s.close()
        later = httpx.get(f"{url}/health")
    assert crowded.status_code == 503
    assert later.status_code == 200


# --- 19: session table ---------------------------------------------------------------------------------


async def test_one_client_cannot_fill_the_session_table_and_ready_tells_the_truth() -> None:
    app, conf = app_for(max_sessions_per_client=4, max_sessions=5)
    with serving(app, conf) as url:  # type: ignore[arg-type]
        async with httpx.AsyncClient() as http:
            flood = [await http.post(f"{url}/mcp", json=INITIALIZE, headers=AUTH) for _ in range(100)]
            ready_before = await http.get(f"{url}/ready")
            oldest = await http.post(f"{url}/mcp", json=PING, headers=session_of(flood[0]))
            newest = await http.post(f"{url}/mcp", json=PING, headers=session_of(flood[-1]))
        other_address = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(transport=other_address) as other:
            newcomer = await other.post(f"{url}/mcp", json=INITIALIZE, headers=AUTH)
            ready_full = await other.get(f"{url}/ready")
            health = await other.get(f"{url}/health")
    # Never locked out: each new session ended the client's least recently used idle one, so it holds 4.
    assert [r.status_code for r in flood] == [200] * 100
    assert ready_before.status_code == 200 and ready_before.json()["sessions"] == {"open": 4, "max": 5}
    assert oldest.status_code == 404 and newest.status_code == 200
    assert newcomer.status_code == 200 and "mcp-session-id" in newcomer.headers
    assert ready_full.status_code == 503 and ready_full.json()["status"] == "not ready"
    assert ready_full.json()["sessions"]["open"] == 5
    assert health.status_code == 200  # liveness: the process is fine, it is only full


async def test_idle_sessions_expire_and_free_their_slot_and_delete_frees_one_at_once() -> None:
    app, conf = app_for(max_sessions_per_client=2, session_idle_timeout=1.0)
    with serving(app, conf) as url:  # type: ignore[arg-type]
        async with httpx.AsyncClient() as http:
            first = [await http.post(f"{url}/mcp", json=INITIALIZE, headers=AUTH) for _ in range(2)]
            sid = first[0].headers["mcp-session-id"]
            deleted = await http.delete(f"{url}/mcp", headers={**AUTH, "mcp-session-id": sid})
            after_delete = await http.post(f"{url}/mcp", json=INITIALIZE, headers=AUTH)
            kept = await http.post(f"{url}/mcp", json=PING, headers=session_of(first[1]))  # nothing evicted
            await anyio.sleep(1.6)
            after_idle = [(await http.post(f"{url}/mcp", json=INITIALIZE, headers=AUTH)).status_code for _ in range(2)]
            stale = await http.post(f"{url}/mcp", json=PING, headers=session_of(after_delete))
    assert [r.status_code for r in first] == [200, 200]
    assert deleted.status_code < 300 and after_delete.status_code == 200 and kept.status_code == 200
    assert after_idle == [200, 200]
    assert stale.status_code == 404


async def test_ready_says_so_when_the_upstream_cannot_be_reached() -> None:
    conf = settings(sandbox=False, base_url="http://127.0.0.1:9", admin_key=Secret("sk-ant-admin01-unreachable"))
    with serving(http_app(build_server(conf), conf), conf) as url:
        async with httpx.AsyncClient() as http:
            ready = await http.get(f"{url}/ready")
            health = await http.get(f"{url}/health")
    assert ready.status_code == 503 and ready.json()["upstream"].startswith("unreachable")
    assert health.status_code == 200


# --- 20: headers before the body, bounded bodies in flight ---------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ("Content-Type: text/plain\r\nAuthorization: Bearer " + TOKEN, b"400"),  # no CORS preflight for this
        ("Content-Type: application/json\r\nOrigin: http://evil.example\r\nAuthorization: Bearer " + TOKEN, b"403"),
        ("Content-Type: application/json\r\nAuthorization: Bearer wrong-token-00000000000", b"401"),
        ("Content-Type: application/json\r\nAuthorization: Bearer " + TOKEN, b"413"),
    ],
)
def test_a_huge_body_is_refused_from_its_headers_without_being_read(headers: str, status: bytes) -> None:
    app, conf = app_for()
    with serving(app, conf) as url:  # type: ignore[arg-type]
        s = raw_connect(url)
        s.sendall(f"POST /mcp HTTP/1.1\r\nHost: {url[7:]}\r\n{headers}\r\nContent-Length: 33554433\r\n\r\n".encode())
        s.sendall(b"{" * 1024)  # 1 KB of the announced 32 MB: the answer must not wait for the rest
        started = time.monotonic()
        s.settimeout(3)
        answer = s.recv(4096)
        s.close()
    assert answer.split(b" ")[1] == status
    assert time.monotonic() - started < 2


def test_bodies_held_at_once_are_bounded_and_slow_bodies_time_out() -> None:
    mb = 1024 * 1024
    app, conf = app_for(max_body_in_flight=3 * mb, max_request_body_size=2 * mb, body_timeout=3.0)
    with serving(app, conf) as url:  # type: ignore[arg-type]
        socks = []
        answers = []
        for _ in range(5):
            s = raw_connect(url)
            s.sendall(
                f"POST /mcp HTTP/1.1\r\nHost: {url[7:]}\r\nContent-Type: application/json\r\n".encode()
                + f"Authorization: Bearer {TOKEN}\r\nAccept: application/json, text/event-stream\r\n".encode()
                + f"Content-Length: {int(1.5 * mb)}\r\n\r\n".encode()
            )
            s.sendall(b" " * (mb // 2))  # a third of the body, then nothing
            socks.append(s)
            time.sleep(0.1)
        for s in socks:
            data, _ = read_until_closed(s, timeout=6)
            answers.append(data.split(b" ")[1] if data else b"")
            s.close()
    assert sorted(answers) == [b"408", b"408", b"503", b"503", b"503"]


# --- 21: tokens ------------------------------------------------------------------------------------------


def test_a_short_token_off_loopback_refuses_to_start_and_names_the_minimum(capsys: pytest.CaptureFixture[str]) -> None:
    short = settings(host="0.0.0.0", http_token=Secret("x" * (MIN_TOKEN_LENGTH - 1)))
    assert serve(short) == 2
    assert f"at least {MIN_TOKEN_LENGTH}" in capsys.readouterr().err
    assert bind_problem(settings(host="0.0.0.0", http_token=Secret("x" * MIN_TOKEN_LENGTH))) is None
    assert bind_problem(settings(host="127.0.0.1", http_token=Secret("x"))) is None  # loopback: a warning only


def test_doctor_fails_a_short_token_off_loopback() -> None:
    import io

    from claude_api_mcp.cli.doctor import run_doctor

    out = io.StringIO()
    code = run_doctor(settings(host="0.0.0.0", http_token=Secret("x")), sandbox=Sandbox(), out=out)
    assert code == 2 and f"at least {MIN_TOKEN_LENGTH}" in out.getvalue()  # the server would refuse to start: 2


@pytest.mark.slow
async def test_repeated_wrong_guesses_are_slowed_per_client_and_the_right_token_waits_too() -> None:
    app, conf = app_for()
    statuses: list[int] = []
    with serving(app, conf) as url:  # type: ignore[arg-type]
        limits = httpx.Limits(max_connections=32)
        async with httpx.AsyncClient(limits=limits) as http:

            async def guess(numbers: range) -> None:
                for i in numbers:
                    wrong = {**MCP_HEADERS, "authorization": f"Bearer guess-{i:020d}"}
                    statuses.append((await http.post(f"{url}/mcp", json=INITIALIZE, headers=wrong)).status_code)

            started = time.monotonic()
            async with anyio.create_task_group() as tg:  # 2,000 guesses, 32 at a time
                for worker in range(32):
                    tg.start_soon(guess, range(worker, 2000, 32))
            elapsed = time.monotonic() - started
            right = await http.post(f"{url}/mcp", json=INITIALIZE, headers=AUTH)
        async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address="127.0.0.2")) as other:
            elsewhere = await other.post(f"{url}/mcp", json=INITIALIZE, headers=AUTH)
    assert len(statuses) == 2000
    checked = statuses.count(401)
    # the allowed failures, then one more check per doubling wait (1 s, 2 s, 4 s, ...) that ran out
    assert checked <= conf.auth_failures_allowed + math.ceil(math.log2(elapsed + 1)) + 1  # type: ignore[attr-defined]
    assert statuses.count(429) == 2000 - checked
    assert right.status_code == 429 and int(right.headers["retry-after"]) >= 1
    assert elsewhere.status_code == 200


async def test_behind_a_named_proxy_the_backoff_counts_each_forwarded_client() -> None:
    app, conf = app_for(forwarded_allow_ips=("127.0.0.1",))
    with serving(app, conf) as url:  # type: ignore[arg-type]
        async with httpx.AsyncClient() as http:
            attacker = {
                **MCP_HEADERS,
                "x-forwarded-for": "203.0.113.7",
                "authorization": "Bearer wrong-guess-000000000",
            }
            guesses = [
                (await http.post(f"{url}/mcp", json=INITIALIZE, headers=attacker)).status_code for _ in range(20)
            ]
            colleague = await http.post(
                f"{url}/mcp", json=INITIALIZE, headers={**AUTH, "x-forwarded-for": "198.51.100.2"}
            )
    assert guesses.count(401) == conf.auth_failures_allowed and guesses.count(429) == 20 - conf.auth_failures_allowed  # type: ignore[attr-defined]
    assert colleague.status_code == 200


async def test_without_named_proxies_a_rotating_forwarded_for_does_not_escape_the_backoff() -> None:
    app, conf = app_for()  # no --forwarded-allow-ips: even loopback is not trusted to name the client
    with serving(app, conf) as url:  # type: ignore[arg-type]
        async with httpx.AsyncClient() as http:
            statuses = []
            for i in range(20):
                rotating = {**MCP_HEADERS, "x-forwarded-for": f"203.0.113.{i}", "authorization": "Bearer wrong-0000000"}
                statuses.append((await http.post(f"{url}/mcp", json=INITIALIZE, headers=rotating)).status_code)
    assert statuses.count(401) == conf.auth_failures_allowed  # type: ignore[attr-defined]
    assert statuses.count(429) == 20 - conf.auth_failures_allowed  # type: ignore[attr-defined]


def test_forwarded_allow_ips_takes_addresses_and_networks_and_refuses_a_wildcard() -> None:
    parsed = settings_from(parser().parse_args(["--forwarded-allow-ips", "127.0.0.1, 10.0.0.0/8"]), {})
    assert parsed.forwarded_allow_ips == ("127.0.0.1", "10.0.0.0/8")
    assert settings_from(parser().parse_args([]), {}).forwarded_allow_ips == ()
    with pytest.raises(ConfigError, match="proxies' addresses"):
        settings_from(parser().parse_args(["--forwarded-allow-ips", "*"]), {})


def test_the_token_is_read_from_a_file_or_the_environment_never_both(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    from_file = settings_from(parser().parse_args(["--http-token-file", str(token_file)]), {})
    assert from_file.http_token == Secret(TOKEN)
    from_env = settings_from(parser().parse_args([]), {"CLAUDE_API_MCP_HTTP_TOKEN_FILE": str(token_file)})
    assert from_env.http_token == Secret(TOKEN)
    with pytest.raises(ConfigError, match="not both"):
        settings_from(parser().parse_args(["--http-token-file", str(token_file)]), {"CLAUDE_API_MCP_HTTP_TOKEN": TOKEN})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ConfigError, match="empty"):
        settings_from(parser().parse_args(["--http-token-file", str(tmp_path / "empty")]), {})
    with pytest.raises(ConfigError, match="cannot read"):
        settings_from(parser().parse_args(["--http-token-file", str(tmp_path / "missing")]), {})


def test_a_server_started_with_a_token_file_keeps_the_token_out_of_its_command_line(tmp_path: Path) -> None:
    from tests.procs import http_server

    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    with http_server(["--sandbox", "--http-token-file", str(token_file)], tmp_path) as server:
        cmdline = Path(f"/proc/{server.proc.pid}/cmdline").read_bytes()
        denied = httpx.post(server.url, json=INITIALIZE, headers=MCP_HEADERS)
        allowed = httpx.post(server.url, json=INITIALIZE, headers=AUTH)
    assert TOKEN.encode() not in cmdline
    assert denied.status_code == 401 and allowed.status_code == 200
