"""The safety class of an operation, not its HTTP method, decides who may call it and how (issue 19 item 1).

Replays the attacks: a read-only caller polling the worker queue through read_api or reading work items'
secrets, a write_api dry run or confirmation whose "current state" read polls or shows a secret, and a
teammate whose OAuth token holds only the read scope.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp.types import ElicitRequestParams, ElicitResult

from claude_api_mcp.core.config import Profile
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.web.http_app import http_app, servers_by_profile
from tests.api_upstream import Upstream, connect
from tests.helpers import call_error, call_ok, text_of
from tests.listener_support import serving, settings
from tests.oauth_issuer import AUDIENCE, Issuer

pytestmark = pytest.mark.anyio
LEAK = "wsec_LEAKED_worker_secret"
ENV = "env_01abc"
CREDENTIAL_READS = ("beta.environments.work.list", "beta.environments.work.retrieve")
WORK = {"environment_id": ENV, "work_id": "work_01abc"}
QUEUE = {"environment_id": ENV}


class SecretUpstream(Upstream):
    """Answers like the real API: every work item carries the worker's secret."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        response = super().__call__(request)
        if "/work" in request.url.path and response.headers.get("content-type") == "application/json":
            body = response.json()
            items = body.get("data") if isinstance(body.get("data"), list) else [body]
            for item in items:
                item["secret"] = LEAK
            return httpx.Response(response.status_code, json=body, headers={"request-id": "req_w"})
        return response


def work_requests(upstream: Upstream) -> list[str]:
    return [f"{r.method} {r.url.path}" for r in upstream.requests if "/work" in r.url.path]


async def test_a_read_only_caller_cannot_poll_the_queue_or_read_work_secrets() -> None:
    upstream = SecretUpstream()
    async with connect(upstream, profile=Profile.READ_ONLY) as client:
        polled = await call_error(client, "read_api", {"operation": "beta.environments.work.poll", "arguments": WORK})
        refused = [
            await call_error(client, "read_api", {"operation": op, "arguments": WORK}) for op in CREDENTIAL_READS
        ]
        described = await call_error(client, "describe_api", {"operation": "beta.environments.work.retrieve"})
        found = await call_ok(client, "search_api", {"query": "poll work items environment queue", "limit": 30})
        stats = await call_ok(client, "read_api", {"operation": "beta.environments.work.stats", "arguments": QUEUE})
    assert "changes things" in polled and "takes the next work item off the queue" in polled
    assert "use write_api" in polled and "Nothing was sent" in polled
    for text in [*refused, described]:
        assert "not offered in the read-only profile" in text and "credentials (secret)" in text
        assert "Nothing was sent" in text
    hits = {hit["operation"] for hit in found["results"]}
    assert "beta.environments.work.stats" in hits and not hits & {*CREDENTIAL_READS, "beta.environments.work.poll"}
    assert "id" in stats
    assert work_requests(upstream) == [f"GET /v1/environments/{ENV}/work/stats"]  # the refused ones sent nothing


async def test_the_admin_profile_reads_work_items_but_polls_only_through_write_api() -> None:
    upstream = SecretUpstream()
    async with connect(upstream) as client:
        listed = await call_ok(client, "read_api", {"operation": "beta.environments.work.list", "arguments": QUEUE})
        polled = await call_error(client, "read_api", {"operation": "beta.environments.work.poll", "arguments": WORK})
        found = await call_ok(client, "search_api", {"query": "poll work", "limit": 30})
    assert listed["data"][0]["secret"] == LEAK  # the admin profile is trusted with it
    assert "use write_api" in polled
    poll = next(h for h in found["results"] if h["operation"] == "beta.environments.work.poll")
    assert poll["writes"] is True
    assert work_requests(upstream) == [f"GET /v1/environments/{ENV}/work"]


class Person:
    def __init__(self) -> None:
        self.asked: list[str] = []
        self.accept = False

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        if self.accept:
            return ElicitResult(action="accept", content={"confirm": True})
        return ElicitResult(action="decline")


@pytest.mark.parametrize("work_id", ["work_01abc", "poll"])
async def test_a_dry_run_or_confirmation_never_polls_nor_shows_a_secret(work_id: str) -> None:
    upstream, person = SecretUpstream(), Person()
    call = {"operation": "beta.environments.work.update", "arguments": {**WORK, "work_id": work_id, "metadata": {}}}
    async with connect(upstream, client_kwargs={"elicitation_callback": person}) as client:
        planned = await call_ok(client, "write_api", {**call, "dry_run": True})
        declined = await call_error(client, "write_api", call)
        stop = {"operation": "beta.environments.work.stop", "arguments": WORK, "dry_run": True}
        stopped = await call_ok(client, "write_api", stop)
    assert work_requests(upstream) == []  # neither work.poll nor work.retrieve (a secret) was called
    assert LEAK not in str(planned) + declined + str(stopped) + str(person.asked)
    assert planned["dry_run"]["sent"] is False and "declined" in declined and len(person.asked) == 1


async def test_polling_through_write_api_is_confirmed_and_audited_ahead(tmp_path: Path) -> None:
    upstream, person, log = SecretUpstream(), Person(), tmp_path / "audit.jsonl"
    call = {"operation": "beta.environments.work.poll", "arguments": QUEUE}
    async with connect(upstream, audit_log=log, client_kwargs={"elicitation_callback": person}) as client:
        planned = await call_ok(client, "write_api", {**call, "dry_run": True})
        declined = await call_error(client, "write_api", call)
        assert work_requests(upstream) == []
        person.accept = True
        polled = await call_ok(client, "write_api", call)
    assert planned["dry_run"]["method"] == "GET" and "declined" in declined
    assert all("beta.environments.work.poll" in question for question in person.asked) and len(person.asked) == 2
    assert work_requests(upstream) == [f"GET /v1/environments/{ENV}/work/poll"] and polled["secret"] == LEAK
    outcomes = [json.loads(line)["outcome"] for line in log.read_text().splitlines()]
    assert outcomes == ["dry_run", "declined", "sending", "succeeded"]  # "sending" is on disk before the request
    assert LEAK not in log.read_text()  # the audit records what was asked and sent, never the secret answered


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    iss = Issuer()
    with serving(iss.app(), settings()) as url:
        iss.url = url
        yield iss


async def test_a_read_scope_token_cannot_reach_polling_or_work_secrets(issuer: Issuer, tmp_path: Path) -> None:
    from tests.web.test_oauth import client_for

    conf = settings(http_token=None, oauth_issuer=issuer.url, oauth_audience=AUDIENCE, audit_log=tmp_path / "a.jsonl")
    sandbox = Sandbox()
    reader_token = issuer.token("user-ada", "claude-api:read")
    with serving(http_app(servers_by_profile(conf, sandbox=sandbox), conf), conf) as url:
        hc, reader = client_for(url, reader_token)
        async with hc, reader:
            tools = {t.name for t in (await reader.list_tools()).tools}
            answers = [
                await reader.call_tool("read_api", {"operation": op, "arguments": WORK})
                for op in ("beta.environments.work.poll", *CREDENTIAL_READS)
            ]
            described = await reader.call_tool("describe_api", {"operation": "beta.environments.work.list"})
    assert "read_api" in tools and "write_api" not in tools
    assert all(a.is_error for a in [*answers, described])
    assert "use write_api" in text_of(answers[0])
    assert all("credentials (secret)" in text_of(a) for a in [*answers[1:], described])
    assert [r for r in sandbox.requests if "/work" in r.url.path] == []


async def test_a_post_reviewed_as_destructive_is_confirmed_as_one() -> None:
    upstream, person = Upstream(), Person()
    async with connect(upstream, client_kwargs={"elicitation_callback": person}) as client:
        for op_id in ("beta.tunnels.rotate_token", "beta.tunnels.archive"):
            await call_error(client, "write_api", {"operation": op_id, "arguments": {"tunnel_id": "tun_1"}})
    assert person.asked[0].endswith("This cannot be undone.")  # the old token stops working at once
    assert "cannot be undone" not in person.asked[1]
    assert upstream.writes == []


async def test_a_poll_that_fails_is_not_retried_like_a_read() -> None:
    """A retried poll could take a second work item off the queue: it is retried only like a create."""
    from claude_api_mcp.core.config import ConfirmPolicy

    sent: list[httpx.Request] = []

    def failing(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500, json={"type": "error", "error": {"type": "api_error", "message": "try again"}})

    async with connect(failing, confirm=ConfirmPolicy.NEVER) as client:  # type: ignore[arg-type]
        text = await call_error(client, "write_api", {"operation": "beta.environments.work.poll", "arguments": QUEUE})
    assert [f"{r.method} {r.url.path}" for r in sent] == [f"GET /v1/environments/{ENV}/work/poll"]
    assert "500" in text or "api_error" in text or "try again" in text
