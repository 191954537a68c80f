"""Simulated Message Batches: processing over a short simulated time, cancellation, and JSONL results.

Time comes from ``sandbox.clock()``, so tests move batches along by moving the clock. A batch processes
its requests evenly over ``PROCESSING`` and then ends; canceling stops it at the next observation, with
the requests processed so far succeeded (or errored) and the rest canceled. A request errors when its
params fail the Messages checks (an unknown model, say), as it would in the real API.

``add_synthetic`` registers an ended batch whose results are generated lazily, line by line, for tests
that need a results file of hundreds of MB without holding it anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from claude_api_mcp.sandbox.messages_state import MessagesState, check_request, simulate
from claude_api_mcp.sandbox.wire import SandboxError, rfc3339

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.state import SandboxState as Sandbox

PROCESSING = timedelta(seconds=5)
EXPIRY = timedelta(hours=24)
RESULT_TYPES = ("succeeded", "errored", "canceled", "expired")


@dataclass
class BatchRecord:
    id: str
    created_at: datetime
    requests: list[tuple[str, dict[str, Any]]]
    cancel_initiated_at: datetime | None = None
    ended_at: datetime | None = None
    outcomes: list[str] = field(default_factory=list)  # per request, once ended
    synthetic: tuple[int, int] | None = None  # (lines, bytes of padding per line) for generated results
    beta: str | None = None  # the batch's anthropic-beta header: it applies to every request


class BatchesState:
    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.batches: dict[str, BatchRecord] = {}
        self.messages = MessagesState()

    def create(self, requests: list[tuple[str, dict[str, Any]]], beta: str | None = None) -> BatchRecord:
        now = self.box.clock()
        record = BatchRecord(id=self.messages.new_id("msgbatch_"), created_at=now, requests=requests, beta=beta)
        self.batches[record.id] = record
        return record

    def add_synthetic(self, lines: int, padding: int = 800) -> BatchRecord:
        """An ended batch of ``lines`` results, each padded by ``padding`` bytes, generated on demand."""
        now = self.box.clock()
        record = BatchRecord(
            id=self.messages.new_id("msgbatch_"), created_at=now - PROCESSING, requests=[], ended_at=now
        )
        record.synthetic = (lines, padding)
        self.batches[record.id] = record
        return record

    def get(self, batch_id: str) -> BatchRecord:
        record = self.batches.get(batch_id)
        if record is None:
            raise SandboxError(404, "not_found_error", f"Message batch {batch_id!r} not found.")
        self._advance(record)
        return record

    def newest_first(self) -> list[BatchRecord]:
        for record in self.batches.values():
            self._advance(record)
        return sorted(self.batches.values(), key=lambda r: r.created_at, reverse=True)

    def _advance(self, record: BatchRecord) -> None:
        """End the batch if its time has come (or it was canceled), deciding each request's outcome."""
        if record.ended_at is not None:
            return
        now = self.box.clock()
        if record.cancel_initiated_at is None and now < record.created_at + PROCESSING:
            return
        stop = record.cancel_initiated_at or now
        elapsed = min(1.0, (stop - record.created_at) / PROCESSING)
        done = len(record.requests) if record.cancel_initiated_at is None else int(len(record.requests) * elapsed)
        record.outcomes = [
            self._outcome(params, record.beta) if i < done else "canceled"
            for i, (_, params) in enumerate(record.requests)
        ]
        record.ended_at = now if record.cancel_initiated_at else record.created_at + PROCESSING

    @staticmethod
    def _outcome(params: dict[str, Any], beta: str | None) -> str:
        try:
            check_request({**params, "stream": False}, 0, betas=beta)
        except SandboxError:
            return "errored"
        return "succeeded"

    # --- wire shapes --------------------------------------------------------------------------------------

    def to_wire(self, record: BatchRecord, base_url: str) -> dict[str, Any]:
        ended = record.ended_at is not None
        counts = dict.fromkeys(("processing", *RESULT_TYPES), 0)
        if not ended:
            counts["processing"] = len(record.requests)
        elif record.synthetic:
            for i in range(record.synthetic[0]):
                counts[_synthetic_type(i)] += 1
        else:
            for outcome in record.outcomes:
                counts[outcome] += 1
        status = "ended" if ended else ("canceling" if record.cancel_initiated_at else "in_progress")
        return {
            "id": record.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": counts,
            "created_at": rfc3339(record.created_at),
            "expires_at": rfc3339(record.created_at + EXPIRY),
            "ended_at": rfc3339(record.ended_at) if record.ended_at else None,
            "cancel_initiated_at": rfc3339(record.cancel_initiated_at) if record.cancel_initiated_at else None,
            "archived_at": None,
            "results_url": f"{base_url}/v1/messages/batches/{record.id}/results" if ended else None,
        }

    def results(self, record: BatchRecord) -> Iterator[bytes]:
        """The JSONL results, a line at a time (in request order here; the API does not promise any order)."""
        if record.synthetic:
            yield from _synthetic_lines(*record.synthetic)
            return
        for (custom_id, params), outcome in zip(record.requests, record.outcomes, strict=True):
            result = self._result(params, outcome, record.beta)
            yield (json.dumps({"custom_id": custom_id, "result": result}) + "\n").encode()

    def _result(self, params: dict[str, Any], outcome: str, beta: str | None) -> dict[str, Any]:
        if outcome == "succeeded":
            model = check_request({**params, "stream": False}, 0, betas=beta)
            message = simulate(self.messages, params, model)
            message["usage"]["service_tier"] = "batch"
            return {"type": "succeeded", "message": message}
        if outcome == "errored":
            try:
                check_request(params, 0, betas=beta)
            except SandboxError as err:
                error = {"type": err.type, "message": err.message}
                return {"type": "errored", "error": {"type": "error", "error": error, "request_id": None}}
        return {"type": outcome}


def _synthetic_type(i: int) -> str:
    if i % 97 == 96:
        return "expired"
    if i % 50 == 49:
        return "canceled"
    if i % 10 == 9:
        return "errored"
    return "succeeded"


def _synthetic_lines(lines: int, padding: int) -> Iterator[bytes]:
    """Result lines in the API's shapes, built from templates so producing 100 MB costs little."""
    text = "x" * padding
    succeeded = json.dumps(
        {
            "custom_id": "CUSTOM_ID",
            "result": {
                "type": "succeeded",
                "message": {
                    "id": "msg_01SyntheticSyntheticSynth",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-sonnet-4-6",
                    "content": [{"type": "text", "text": text}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {"input_tokens": 12, "output_tokens": padding // 4, "service_tier": "batch"},
                },
            },
        }
    )
    error = {"type": "error", "error": {"type": "invalid_request_error", "message": "model: claude-nope"}}
    others = {
        "errored": json.dumps({"custom_id": "CUSTOM_ID", "result": {"type": "errored", "error": error}}),
        "canceled": json.dumps({"custom_id": "CUSTOM_ID", "result": {"type": "canceled"}}),
        "expired": json.dumps({"custom_id": "CUSTOM_ID", "result": {"type": "expired"}}),
    }
    for i in range(lines):
        kind = _synthetic_type(i)
        template = succeeded if kind == "succeeded" else others[kind]
        yield (template.replace("CUSTOM_ID", f"req-{i:08d}", 1) + "\n").encode()
