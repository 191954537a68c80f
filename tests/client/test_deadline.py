"""Issue 19 #12 and issue 25 #2 at the client: one deadline per call, and retries that finish the job.

``AnthropicAPI`` on a mock transport, with a fake clock that the fake ``sleep`` moves, so retry waits are
exact and the deadline's arithmetic is checked without spending time. Bodies are cut by a stream that sends
part of the answer and then fails the way a closed connection does.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import anyio
import httpx
import pytest

from claude_api_mcp.client import deadline
from claude_api_mcp.client.http import AnthropicAPI, make_client, tracking_sends
from claude_api_mcp.core.config import KeyKind, Settings
from claude_api_mcp.core.errors import ApiError, describe
from claude_api_mcp.core.secret import Secret

pytestmark = pytest.mark.anyio

ORG = json.dumps({"id": "org_1", "type": "organization", "name": "Acme"}).encode()


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class CutBody(httpx.AsyncByteStream):
    """The first ``keep`` bytes of ``body``, then the connection closes (what a proxy cutting answers does)."""

    def __init__(self, body: bytes, keep: int) -> None:
        self.body, self.keep = body, keep

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.body[: self.keep]
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def api_on(handler: Callable[[httpx.Request], httpx.Response], fake: FakeTime, **overrides: object) -> AnthropicAPI:
    settings = Settings(admin_key=Secret("sk-ant-admin01-" + "x" * 40), base_url="https://api.test", **overrides)  # type: ignore[arg-type]
    client = make_client(settings, httpx.MockTransport(handler))
    return AnthropicAPI(client, settings, sleep=fake.sleep, clock=fake.clock)


async def test_retries_stop_when_the_next_wait_would_pass_the_deadline_and_the_error_says_what_was_tried() -> None:
    fake, seen = FakeTime(), []

    def overloaded(request: httpx.Request) -> httpx.Response:
        seen.append(fake.now)
        return httpx.Response(503, headers={"retry-after": "3"}, json={"type": "error", "error": {"type": "api_error"}})

    api = api_on(overloaded, fake, max_retries=10, call_timeout=10.0)
    with deadline.call_deadline(10.0), pytest.raises(ApiError) as caught:
        await api.request("GET", "/v1/organizations/me", key=KeyKind.ADMIN)
    assert seen == [1000.0, 1003.0, 1006.0, 1009.0]  # a fourth wait of 3 s would end at 1012: past 1010
    assert fake.slept == [3.0, 3.0, 3.0]
    text = describe(caught.value, key=KeyKind.ADMIN)
    assert text.startswith("Out of time: the call's 10 s deadline ran out (a retry after 3.0 s would pass it)")
    assert "4 upstream attempts in this call, the last GET /v1/organizations/me: HTTP 503" in text


async def test_every_request_of_a_call_shares_one_deadline() -> None:
    """Pages of one call spend the same budget: the second request gets only what the first left."""
    fake = FakeTime()

    def slow(request: httpx.Request) -> httpx.Response:
        fake.now += 6.0  # each answer takes 6 s of the call's 10
        return httpx.Response(200, content=ORG)

    api = api_on(slow, fake)
    with deadline.call_deadline(10.0) as budget:
        await api.request("GET", "/v1/organizations/me", key=KeyKind.ADMIN)
        await api.request("GET", "/v1/organizations/me", key=KeyKind.ADMIN)
        with pytest.raises(ApiError) as caught:
            await api.request("GET", "/v1/organizations/me", key=KeyKind.ADMIN)
    assert caught.value.network == "deadline"
    assert [a.outcome for a in budget.tried] == ["HTTP 200", "HTTP 200"]  # the third never started


async def test_a_read_cut_mid_body_is_sent_again_until_it_is_whole() -> None:
    """Issue 25 #2: 770 of 770 cut answers were errors after one attempt; cut twice, the third attempt answers."""
    fake, cuts = FakeTime(), [40, 7]

    def cutting(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/json", "content-length": str(len(ORG))}
        if cuts:
            return httpx.Response(200, headers=headers, stream=CutBody(ORG, cuts.pop(0)))
        return httpx.Response(200, headers=headers, content=ORG)

    api = api_on(cutting, fake)
    with deadline.call_deadline(60.0) as budget:
        org = await api.request("GET", "/v1/organizations/me", key=KeyKind.ADMIN)
    assert org["name"] == "Acme"
    outcomes = [a.outcome for a in budget.tried]  # the per-call tally counts every attempt, the failed ones too
    assert outcomes[0].startswith(f"body was cut off after 40 of {len(ORG)} bytes (HTTP 200, the headers had")
    assert outcomes[1].startswith(f"body was cut off after 7 of {len(ORG)} bytes")
    assert outcomes[2] == "HTTP 200" and len(fake.slept) == 2


async def test_a_read_cut_every_time_says_the_headers_arrived_and_how_much_came() -> None:
    fake = FakeTime()

    def always_cut(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-length": str(len(ORG)), "request-id": "req_cut"}, stream=CutBody(ORG, 12)
        )

    api = api_on(always_cut, fake)
    with deadline.call_deadline(60.0) as budget, pytest.raises(ApiError) as caught:
        await api.request("GET", "/v1/organizations/me", key=KeyKind.ADMIN)
    text = describe(caught.value, key=KeyKind.ADMIN)
    assert len(budget.tried) == 4  # 1 + max_retries, like a 5xx
    assert f"body was cut off after 12 of {len(ORG)} bytes (HTTP 200, the headers had arrived)" in text
    assert "closed before" not in text and "(request id: req_cut)" in text


async def test_a_write_cut_mid_body_is_sent_once_and_says_it_was_processed() -> None:
    fake, posts = FakeTime(), []
    created = json.dumps({"id": "invite_1", "type": "invite", "email": "a@b.example"}).encode()

    def cut_create(request: httpx.Request) -> httpx.Response:
        posts.append(request.content)
        return httpx.Response(200, headers={"content-length": str(len(created))}, stream=CutBody(created, 10))

    api = api_on(cut_create, fake)
    with deadline.call_deadline(60.0), tracking_sends() as sends, pytest.raises(ApiError) as caught:
        await api.request("POST", "/v1/organizations/invites", key=KeyKind.ADMIN, json_body={"email": "a@b.example"})
    assert len(posts) == 1 and sends == ["POST /v1/organizations/invites"] and fake.slept == []
    text = describe(caught.value, key=KeyKind.ADMIN)
    assert "body was cut off after 10 of" in text and "the API processed the request" in text


async def test_failed_network_attempts_are_counted_too() -> None:
    fake, calls = FakeTime(), []

    def refused_then_ok(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        if len(calls) == 2:
            raise httpx.ReadError("reset", request=request)
        return httpx.Response(200, content=ORG)

    api = api_on(refused_then_ok, fake)
    with deadline.call_deadline(60.0) as budget:
        await api.request("GET", "/v1/organizations/me", key=KeyKind.ADMIN)
    assert [a.outcome for a in budget.tried] == [
        "connection refused",
        "connection closed before the answer's headers",
        "HTTP 200",
    ]


class Hanging(httpx.AsyncBaseTransport):
    """Accepts every request and never answers (an upstream that took the connection and went silent)."""

    def __init__(self) -> None:
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        await anyio.sleep_forever()
        raise AssertionError("unreachable")


async def test_an_upstream_that_never_answers_ends_at_the_deadline_with_what_was_tried() -> None:
    """The read timeout (60 s) never fires first: 0.5 s of deadline ends the call, with one attempt counted."""
    hanging = Hanging()
    settings = Settings(admin_key=Secret("sk-ant-admin01-" + "x" * 40), base_url="https://api.test")
    async with make_client(settings, hanging) as client:
        api = AnthropicAPI(client, settings)
        with anyio.fail_after(10):  # the test's own guard: the bound is the deadline's, not this one
            with deadline.call_deadline(0.5) as budget, pytest.raises(ApiError) as caught:
                await api.request("GET", "/v1/organizations/me", key=KeyKind.ADMIN)
    assert hanging.requests == 1 and caught.value.network == "deadline"
    assert [a.outcome for a in budget.tried] == ["no answer yet"]
    assert "the call's 0.5 s deadline ran out; 1 upstream attempt in this call" in describe(
        caught.value, key=KeyKind.ADMIN
    )


async def test_a_post_that_only_reads_is_sent_again_after_a_cut() -> None:
    """count_tokens is a POST that changes nothing: like a GET, its cut answer is asked for again."""
    fake, posts = FakeTime(), []
    counted = json.dumps({"input_tokens": 12}).encode()

    def cut_once(request: httpx.Request) -> httpx.Response:
        posts.append(request.content)
        headers = {"content-length": str(len(counted))}
        if len(posts) == 1:
            return httpx.Response(200, headers=headers, stream=CutBody(counted, 5))
        return httpx.Response(200, headers=headers, content=counted)

    settings = Settings(api_key=Secret("sk-ant-api03-" + "y" * 40), base_url="https://api.test")
    api = AnthropicAPI(
        make_client(settings, httpx.MockTransport(cut_once)), settings, sleep=fake.sleep, clock=fake.clock
    )
    body = {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}]}
    with deadline.call_deadline(60.0):
        answer = await api.request(
            "POST", "/v1/messages/count_tokens", key=KeyKind.API, json_body=body, idempotent=True, read=True
        )
    assert answer == {"input_tokens": 12} and len(posts) == 2
