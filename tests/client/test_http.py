"""The HTTP layer: headers, query encoding, error envelope → ApiError → model-facing text, and the retry policy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from claude_api_mcp.client.http import USER_AGENT, AnthropicAPI, encode_query, make_client
from claude_api_mcp.client.responses import parse_retry_after
from claude_api_mcp.core.config import KeyKind, Settings
from claude_api_mcp.core.errors import ApiError, describe
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import SANDBOX_ADMIN_KEY, Fault, Sandbox
from tests.helpers import Sleeps

pytestmark = pytest.mark.anyio

USERS = "/v1/organizations/users"


@pytest.fixture
async def api(sandbox: Sandbox, sleeps: Sleeps) -> AsyncIterator[AnthropicAPI]:
    settings = Settings(admin_key=Secret(SANDBOX_ADMIN_KEY), sandbox=True)
    async with make_client(settings, sandbox.transport()) as client:
        yield AnthropicAPI(client, settings, sleep=sleeps)


def test_query_arrays_are_bracketed_and_repeated_and_none_is_dropped() -> None:
    assert encode_query({"group_by": ["model", "workspace_id"], "x": None, "flag": True, "n": 3}) == [
        ("group_by[]", "model"),
        ("group_by[]", "workspace_id"),
        ("flag", "true"),
        ("n", "3"),
    ]


async def test_every_call_carries_key_version_and_user_agent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    settings = Settings(admin_key=Secret("sk-ant-admin01-x"), api_key=Secret("sk-ant-api03-y"))
    async with make_client(settings, httpx.MockTransport(handler)) as client:
        api = AnthropicAPI(client, settings)
        await api.request("GET", "/v1/organizations/me", key=KeyKind.ADMIN)
        await api.request("POST", "/v1/messages/count_tokens", key=KeyKind.API, json_body={"a": 1})
    admin, core = seen
    assert admin.headers["x-api-key"] == "sk-ant-admin01-x" and core.headers["x-api-key"] == "sk-ant-api03-y"
    assert admin.headers["anthropic-version"] == "2023-06-01"
    assert admin.headers["user-agent"] == USER_AGENT and USER_AGENT.startswith("claude-api-mcp/")
    assert core.headers["content-type"] == "application/json"
    assert str(admin.url) == "https://api.anthropic.com/v1/organizations/me"


async def test_the_error_envelope_becomes_an_api_error_with_request_id(api: AnthropicAPI) -> None:
    with pytest.raises(ApiError) as caught:
        await api.request("GET", f"{USERS}/user_01missing", key=KeyKind.ADMIN)
    err = caught.value
    assert (err.status, err.type) == (404, "not_found_error")
    assert err.request_id and err.request_id.startswith("req_")


async def test_429_with_retry_after_is_retried_after_that_wait(
    api: AnthropicAPI, sandbox: Sandbox, sleeps: Sleeps
) -> None:
    sandbox.inject(
        Fault(
            "status",
            match="GET /v1/organizations/users",
            status=429,
            error_type="rate_limit_error",
            headers={"retry-after": "7"},
        )
    )
    page = await api.request("GET", USERS, key=KeyKind.ADMIN)
    assert page["data"] and sleeps == [7.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 529])
async def test_server_errors_on_reads_are_retried_with_backoff(
    api: AnthropicAPI, sandbox: Sandbox, sleeps: Sleeps, status: int
) -> None:
    sandbox.inject(Fault("status", match="GET", status=status, times=2))
    page = await api.request("GET", USERS, key=KeyKind.ADMIN)
    assert page["data"] and len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0  # jittered exponential backoff


async def test_an_html_502_from_a_proxy_gives_a_clear_error_once_retries_are_spent(
    api: AnthropicAPI, sandbox: Sandbox
) -> None:
    sandbox.inject(Fault("html", match="GET", status=502, times=10))
    with pytest.raises(ApiError) as caught:
        await api.request("GET", USERS, key=KeyKind.ADMIN)
    err = caught.value
    assert err.status == 502 and err.type == "non_json_response"
    assert "non-JSON body (text/html)" in err.message and "proxy" in err.message
    assert "The API failed (HTTP 502)" in describe(err, key=KeyKind.ADMIN)


async def test_a_refused_connection_is_retried_even_for_creates(api: AnthropicAPI, sandbox: Sandbox) -> None:
    user_id = next(u for u, v in sandbox.org.users.items() if v["role"] == "developer")
    sandbox.inject(Fault("connect", match="POST"))
    user = await api.request("POST", f"{USERS}/{user_id}", key=KeyKind.ADMIN, json_body={"role": "user"})
    assert user["role"] == "user"
    assert sum(r.method == "POST" for r in sandbox.requests) == 1  # the refused attempt never reached the API


async def test_creates_are_not_retried_on_500_nor_after_a_read_timeout(
    api: AnthropicAPI, sandbox: Sandbox, sleeps: Sleeps
) -> None:
    user_id = next(u for u, v in sandbox.org.users.items() if v["role"] == "developer")
    sandbox.inject(Fault("status", match="POST", status=500))
    with pytest.raises(ApiError) as caught:
        await api.request("POST", f"{USERS}/{user_id}", key=KeyKind.ADMIN, json_body={"role": "user"})
    assert caught.value.status == 500 and sleeps == []

    sandbox.inject(Fault("read_timeout", match="POST"))
    posts_before = sum(r.method == "POST" for r in sandbox.requests)
    with pytest.raises(ApiError) as caught:
        await api.request("POST", f"{USERS}/{user_id}", key=KeyKind.ADMIN, json_body={"role": "user"})
    assert caught.value.network == "read_timeout" and sleeps == []
    assert sum(r.method == "POST" for r in sandbox.requests) == posts_before + 1  # processed once, not re-sent
    assert "may still have been processed" in describe(caught.value, key=KeyKind.ADMIN)


async def test_idempotent_writes_are_retried_after_a_reset(api: AnthropicAPI, sandbox: Sandbox) -> None:
    user_id = next(u for u, v in sandbox.org.users.items() if v["role"] == "developer")
    sandbox.inject(Fault("reset", match="POST"))
    user = await api.request(
        "POST", f"{USERS}/{user_id}", key=KeyKind.ADMIN, json_body={"role": "user"}, idempotent=True
    )
    assert user["role"] == "user"


async def test_a_long_retry_after_is_reported_not_slept_through(
    api: AnthropicAPI, sandbox: Sandbox, sleeps: Sleeps
) -> None:
    sandbox.inject(
        Fault("status", match="GET", status=429, error_type="rate_limit_error", headers={"retry-after": "120"})
    )
    with pytest.raises(ApiError) as caught:
        await api.request("GET", USERS, key=KeyKind.ADMIN)
    assert sleeps == [] and caught.value.retry_after == 120
    assert "Rate limited" in describe(caught.value, key=KeyKind.ADMIN) and "retry after 120 s" in describe(
        caught.value, key=KeyKind.ADMIN
    )


async def test_a_spend_limit_429_is_never_retried(api: AnthropicAPI, sandbox: Sandbox, sleeps: Sleeps) -> None:
    sandbox.inject(
        Fault(
            "status", match="GET", status=429, error_type="rate_limit_error", error_code="enforced_spend_limit_reached"
        )
    )
    with pytest.raises(ApiError) as caught:
        await api.request("GET", USERS, key=KeyKind.ADMIN)
    assert sleeps == [] and "Spend limit reached" in describe(caught.value, key=KeyKind.ADMIN)


async def test_x_should_retry_false_stops_retries(api: AnthropicAPI, sandbox: Sandbox, sleeps: Sleeps) -> None:
    sandbox.inject(Fault("status", match="GET", status=503, headers={"x-should-retry": "false"}))
    with pytest.raises(ApiError):
        await api.request("GET", USERS, key=KeyKind.ADMIN)
    assert sleeps == []


async def test_a_body_cut_short_every_time_is_a_clear_error(api: AnthropicAPI, sandbox: Sandbox) -> None:
    sandbox.inject(Fault("truncate", match="GET", keep_bytes=40, times=4))  # once would be retried (issue 25 #2)
    with pytest.raises(ApiError) as caught:
        await api.request("GET", USERS, key=KeyKind.ADMIN)
    assert caught.value.network == "body_cut" and caught.value.request_id
    assert "cut off after 40 of " in describe(caught.value, key=KeyKind.ADMIN)


async def test_a_whole_body_that_is_not_json_is_a_clear_error() -> None:
    settings = Settings(admin_key=Secret("sk-ant-admin01-x"))
    answer = httpx.Response(200, headers={"request-id": "req_1"}, content=b'{"data": [')
    async with make_client(settings, httpx.MockTransport(lambda r: answer)) as client:
        with pytest.raises(ApiError) as caught:
            await AnthropicAPI(client, settings).request("GET", USERS, key=KeyKind.ADMIN)
    assert caught.value.network == "truncated" and caught.value.request_id == "req_1"
    assert "cut off or was not valid JSON" in describe(caught.value, key=KeyKind.ADMIN)


def test_retry_after_accepts_seconds_milliseconds_and_http_dates() -> None:
    assert parse_retry_after(httpx.Headers({"retry-after": "3"})) == 3
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "1500", "retry-after": "9"})) == 1.5
    assert parse_retry_after(httpx.Headers({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0
    assert parse_retry_after(httpx.Headers({})) is None


@pytest.mark.parametrize(
    ("err", "expected"),
    [
        (
            ApiError("bad key", 401, "authentication_error", request_id="req_1"),
            ["Authentication failed", "ANTHROPIC_ADMIN_KEY", "Admin API key", "(request id: req_1)"],
        ),
        (ApiError("no", 403, "permission_error"), ["Permission denied", "Admin API key", "ANTHROPIC_ADMIN_KEY"]),
        (ApiError("gone", 404, "not_found_error"), ["Not found: gone.", "Call list_users"]),
        (ApiError("slow down", 429, "rate_limit_error", retry_after=42), ["Rate limited", "retry after 42 s"]),
        (ApiError("busy", 529, "overloaded_error"), ["overloaded", "retry in a few seconds"]),
        (ApiError("boom", 500, "api_error"), ["The API failed (HTTP 500)", "Retry"]),
        (
            ApiError("bad", 400, "invalid_request_error", error_code="already_member"),
            ["Invalid request [already_member]: bad"],
        ),
        (ApiError("ConnectError", network="connect"), ["Upstream unreachable", "could not connect"]),
    ],
)
def test_each_failure_class_has_a_message_the_model_can_act_on(err: ApiError, expected: list[str]) -> None:
    text = describe(err, key=KeyKind.ADMIN, not_found_hint="Call list_users to find ids.")
    for fragment in expected:
        assert fragment in text, text


def test_a_403_on_a_core_tool_names_the_standard_key() -> None:
    text = describe(ApiError("no", 403, "permission_error"), key=KeyKind.API)
    assert "standard API key" in text and "ANTHROPIC_API_KEY" in text
