"""batches toolset, end to end through the in-memory MCP client, with the sandbox's clock under test control."""

from __future__ import annotations

import tracemalloc
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from claude_api_mcp import tools
from claude_api_mcp.sandbox import Fault, Sandbox
from claude_api_mcp.sandbox.batches_state import PROCESSING, BatchesState
from claude_api_mcp.tools import batches as _batches  # noqa: F401  (loads tools.batches)
from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Sandbox:
    return Sandbox(clock=clock)


def request(custom_id: str, model: str = "claude-sonnet-4-6", **params: Any) -> dict[str, Any]:
    body = {"model": model, "max_tokens": 200, "messages": [{"role": "user", "content": f"Say {custom_id}"}]}
    return {"custom_id": custom_id, "params": {**body, **params}}


def posts(sandbox: Sandbox) -> list[Any]:
    return [r for r in sandbox.requests if r.method == "POST"]


async def test_a_batch_runs_end_to_end_from_in_progress_to_results(
    connect: Connect, sandbox: Sandbox, clock: Clock
) -> None:
    requests = [request("q-1"), request("q-2", system="Be brief."), request("bad-model", model="claude-nope")]
    async with connect() as client:
        created = await call_ok(client, "create_batch", {"requests": requests})
        assert created["processing_status"] == "in_progress" and created["results_url"] is None
        assert created["request_counts"] == {"processing": 3, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        early = await call_error(client, "get_batch_results", {"message_batch_id": created["id"]})
        clock.advance(PROCESSING)
        ended = await call_ok(client, "get_batch", {"message_batch_id": created["id"]})
        results = await call_ok(client, "get_batch_results", {"message_batch_id": created["id"]})
    assert "in_progress" in early and "get_batch" in early
    assert ended["processing_status"] == "ended" and ended["ended_at"] and ended["results_url"].endswith("/results")
    assert ended["request_counts"]["succeeded"] == 2 and ended["request_counts"]["errored"] == 1
    assert results["counts"] == {"succeeded": 2, "errored": 1} and results["total"] == results["matched"] == 3
    by_id = {r["custom_id"]: r["result"] for r in results["results"]}
    assert by_id["q-1"]["message"]["content"][0]["text"].startswith("[sandbox]")
    assert by_id["q-1"]["message"]["usage"]["service_tier"] == "batch"
    assert by_id["bad-model"]["error"]["error"]["type"] == "not_found_error"
    assert posts(sandbox)[0].json() == {"requests": requests}


async def test_results_filter_by_type_and_custom_id_and_return_at_most_limit_lines(
    connect: Connect, sandbox: Sandbox
) -> None:
    batch = sandbox.area("batches", BatchesState).add_synthetic(lines=300, padding=50)
    async with connect() as client:
        errored = await call_ok(
            client, "get_batch_results", {"message_batch_id": batch.id, "result_types": ["errored"], "limit": 4}
        )
        picked = await call_ok(
            client, "get_batch_results", {"message_batch_id": batch.id, "custom_ids": ["req-00000009", "req-00000010"]}
        )
    assert errored["total"] == 300 and sum(errored["counts"].values()) == 300
    assert errored["matched"] == errored["counts"]["errored"] and len(errored["results"]) == 4
    assert all(r["result"]["type"] == "errored" for r in errored["results"])
    assert "more matching lines" in errored["note"]
    assert [r["custom_id"] for r in picked["results"]] == ["req-00000009", "req-00000010"] and picked["note"] is None


async def test_results_stay_under_the_output_budget_and_say_so(connect: Connect, sandbox: Sandbox) -> None:
    batch = sandbox.area("batches", BatchesState).add_synthetic(lines=50, padding=3000)
    async with connect(output_char_budget=10_000) as client:
        page = await call_ok(client, "get_batch_results", {"message_batch_id": batch.id, "limit": 50})
    assert 1 <= len(page["results"]) < 5 and "10000 characters" in page["note"]


async def _peak_growth(connect: Connect, sandbox: Sandbox, lines: int, padding: int) -> tuple[int, dict[str, Any]]:
    batch = sandbox.area("batches", BatchesState).add_synthetic(lines=lines, padding=padding)
    async with connect() as client:
        tracemalloc.start()
        try:
            baseline = tracemalloc.get_traced_memory()[0]
            page = await call_ok(
                client, "get_batch_results", {"message_batch_id": batch.id, "result_types": ["expired"], "limit": 3}
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak - baseline, page


async def test_reading_results_keeps_memory_flat_whatever_the_file_size(connect: Connect, sandbox: Sandbox) -> None:
    growth, page = await _peak_growth(connect, sandbox, lines=16_000, padding=1000)  # ≈ 18 MB of JSONL
    assert page["total"] == 16_000 and len(page["results"]) == 3
    assert growth < 8 * 2**20, f"peak memory grew {growth / 2**20:.1f} MB over an 18 MB file"


@pytest.mark.slow
async def test_a_results_file_over_100_mb_is_read_with_under_50_mb_of_memory(
    connect: Connect, sandbox: Sandbox
) -> None:
    growth, page = await _peak_growth(connect, sandbox, lines=90_000, padding=1000)  # ≈ 105 MB of JSONL
    assert page["total"] == 90_000 and page["counts"]["expired"] == 927
    assert growth < 50 * 2**20, f"peak memory grew {growth / 2**20:.1f} MB over a 105 MB file"


@pytest.mark.parametrize(
    ("requests", "expected"),
    [
        ([request("has space")], "String should match pattern"),
        ([request("x" * 65)], "String should match pattern"),
        ([request("same"), request("other"), request("same")], "repeated: same"),
        ([{"custom_id": "a", "params": {"model": "m", "max_tokens": 10, "messages": [], "stream": True}}], "1 item"),
        ([request("streams", stream=True)], "cannot stream"),
        ([request("think", thinking={"type": "enabled", "budget_tokens": 4096})], "less than max_tokens"),
        ([request("blocks", messages=[{"role": "user", "content": [{"type": "audio"}]}])], "'audio'"),
        ([], "at least 1 item"),
    ],
)
async def test_create_batch_validates_every_request_before_sending(
    connect: Connect, sandbox: Sandbox, requests: list[dict[str, Any]], expected: str
) -> None:
    async with connect() as client:
        text = await call_error(client, "create_batch", {"requests": requests})
    assert expected in text
    assert not posts(sandbox)


async def test_create_batch_refuses_too_many_requests_and_too_many_bytes(
    connect: Connect, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tools.batches, "MAX_REQUESTS", 2)
    async with connect() as client:
        many = await call_error(client, "create_batch", {"requests": [request("a"), request("b"), request("c")]})
        monkeypatch.setattr(tools.batches, "MAX_REQUESTS", 100_000)
        monkeypatch.setattr(tools.batches, "MAX_BODY_BYTES", 200)
        big = await call_error(client, "create_batch", {"requests": [request("a"), request("b"), request("c")]})
    assert "at most 2 requests" in many and "256 MB" in big
    assert not posts(sandbox)


async def test_create_batch_dry_run_sends_nothing(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        plan = await call_ok(client, "create_batch", {"requests": [request("a")], "dry_run": True})
    assert plan["dry_run"]["body"] == {"requests": [request("a")]} and plan["dry_run"]["sent"] is False
    assert not sandbox.requests


async def test_cancel_stops_a_running_batch_and_delete_waits_until_it_has_ended(
    connect: Connect, sandbox: Sandbox, clock: Clock
) -> None:
    async with connect() as client:
        created = await call_ok(client, "create_batch", {"requests": [request(f"r{i}") for i in range(4)]})
        batch_id = created["id"]
        clock.advance(PROCESSING / 2)
        refused = await call_error(client, "delete_batch", {"message_batch_id": batch_id})
        canceling = await call_ok(client, "cancel_batch", {"message_batch_id": batch_id})
        clock.advance(timedelta(seconds=1))
        ended = await call_ok(client, "get_batch", {"message_batch_id": batch_id})
        results = await call_ok(client, "get_batch_results", {"message_batch_id": batch_id})
        gone = await call_ok(client, "delete_batch", {"message_batch_id": batch_id})
        missing = await call_error(client, "get_batch", {"message_batch_id": batch_id})
    assert "still processing" in refused and "cancel" in refused
    assert canceling["processing_status"] in ("canceling", "ended") and canceling["cancel_initiated_at"]
    assert ended["processing_status"] == "ended"
    assert ended["request_counts"] == {"processing": 0, "succeeded": 2, "errored": 0, "canceled": 2, "expired": 0}
    assert results["counts"] == {"succeeded": 2, "canceled": 2}
    assert gone == {"id": batch_id, "type": "message_batch_deleted"}
    assert "Not found" in missing and "list_batches" in missing


async def test_list_batches_is_newest_first_and_pages_by_cursor(
    connect: Connect, sandbox: Sandbox, clock: Clock
) -> None:
    async with connect() as client:
        ids = []
        for i in range(3):
            ids.append((await call_ok(client, "create_batch", {"requests": [request(f"r{i}")]}))["id"])
            clock.advance(timedelta(minutes=1))
        first = await call_ok(client, "list_batches", {"limit": 2})
        rest = await call_ok(client, "list_batches", {"limit": 2, "after_id": first["last_id"]})
    assert [b["id"] for b in first["data"]] == ids[::-1][:2] and first["has_more"] is True
    assert [b["id"] for b in rest["data"]] == ids[:1] and rest["has_more"] is False


async def test_batch_ids_must_carry_the_msgbatch_prefix(connect: Connect, sandbox: Sandbox) -> None:
    async with connect() as client:
        text = await call_error(client, "get_batch_results", {"message_batch_id": "file_011Cabc"})
    assert "msgbatch_" in text and not sandbox.requests


async def test_create_batch_is_not_retried_after_a_read_timeout(connect: Connect, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind="read_timeout", match="POST /v1/messages/batches$"))
    async with connect() as client:
        text = await call_error(client, "create_batch", {"requests": [request("once")]})
        listed = await call_ok(client, "list_batches", {})
    assert "may still have been processed" in text
    assert len(posts(sandbox)) == 1 and len(listed["data"]) == 1  # created once, reported honestly
