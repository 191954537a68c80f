"""The official anthropic 2.14.0 client, pointed at the sandbox, reads every core response into its own types.

The SDK speaks httpx2, so it reaches the sandbox's ASGI app through httpx2's own ASGI transport. Each
response must parse with no field the SDK does not know (``model_extra`` empty all the way down): the
sandbox must not invent fields.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic.types import FileMetadata, Message, MessageTokensCount, ModelInfo, RawMessageStreamEvent, Skill
from anthropic.types.messages import MessageBatch, MessageBatchIndividualResponse
from pydantic import BaseModel

from claude_api_mcp.sandbox import SANDBOX_API_KEY, Sandbox
from claude_api_mcp.sandbox.batches_state import PROCESSING

pytestmark = pytest.mark.anyio

MODEL = "claude-sonnet-4-6"
HELLO: list[Any] = [{"role": "user", "content": "Hello from the SDK"}]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def sdk(clock: Clock) -> AsyncIterator[anthropic.AsyncAnthropic]:
    sandbox = Sandbox(clock=clock)
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sandbox.app))
    client = anthropic.AsyncAnthropic(
        api_key=SANDBOX_API_KEY, base_url="http://sandbox.test", http_client=http, max_retries=0
    )
    async with client:
        yield client


def strict(value: Any, where: str = "response") -> None:
    """Fail on any field the SDK's types do not declare, at any depth."""
    if isinstance(value, BaseModel):
        assert not value.model_extra, f"{where} ({type(value).__name__}) has unknown fields {sorted(value.model_extra)}"
        for name in type(value).model_fields:
            strict(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            strict(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            strict(item, f"{where}[{key!r}]")


async def test_messages_create_without_streaming_parses_into_message(sdk: anthropic.AsyncAnthropic) -> None:
    message = await sdk.messages.create(model=MODEL, max_tokens=200, messages=HELLO)
    assert isinstance(message, Message) and message.stop_reason == "end_turn"
    assert message.content[0].type == "text" and message.content[0].text.startswith("[sandbox]")
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    strict(message)


async def test_messages_stream_events_parse_and_accumulate_into_the_final_message(
    sdk: anthropic.AsyncAnthropic,
) -> None:
    tool = {
        "name": "lookup",
        "description": "Look something up.",
        "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
    }
    events: list[RawMessageStreamEvent] = []
    stream = await sdk.messages.create(model=MODEL, max_tokens=200, messages=HELLO, stream=True)
    async for event in stream:
        events.append(event)
    assert [e.type for e in events][:2] == ["message_start", "content_block_start"]
    assert events[-2].type == "message_delta" and events[-1].type == "message_stop"
    for event in events:
        strict(event, event.type)

    async with sdk.messages.stream(
        model=MODEL,
        max_tokens=2048,
        messages=HELLO,
        tools=[tool],  # type: ignore[list-item]
        tool_choice={"type": "tool", "name": "lookup"},
        thinking={"type": "enabled", "budget_tokens": 1024},
    ) as helper:
        final = await helper.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "tool_use"]
    assert final.content[1].input == {"q": "sandbox"} and final.stop_reason == "tool_use"  # type: ignore[union-attr]
    strict(final)


async def test_count_tokens_and_models_parse(sdk: anthropic.AsyncAnthropic) -> None:
    counted = await sdk.messages.count_tokens(model=MODEL, messages=HELLO)
    assert isinstance(counted, MessageTokensCount) and counted.input_tokens > 0
    strict(counted)
    models = [m async for m in sdk.models.list(limit=3)]
    assert len(models) >= 8 and all(isinstance(m, ModelInfo) for m in models)
    for model in models:
        strict(model, model.id)
    alias = await sdk.models.retrieve("claude-haiku-4-5")
    assert alias.id == "claude-haiku-4-5-20251001" and alias.lifecycle == "deprecated"
    strict(alias)


async def test_batches_create_get_list_and_results_parse(sdk: anthropic.AsyncAnthropic, clock: Clock) -> None:
    params: Any = {"model": MODEL, "max_tokens": 100, "messages": HELLO}
    bad: Any = {**params, "model": "claude-nope"}
    batch = await sdk.messages.batches.create(
        requests=[{"custom_id": "ok-1", "params": params}, {"custom_id": "bad-1", "params": bad}]
    )
    assert isinstance(batch, MessageBatch) and batch.processing_status == "in_progress"
    strict(batch)
    clock.now += PROCESSING + timedelta(seconds=1)
    ended = await sdk.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended" and ended.request_counts.succeeded == 1
    strict(ended)
    listed = [b async for b in sdk.messages.batches.list()]
    assert [b.id for b in listed] == [batch.id]
    strict(listed)
    results = [r async for r in await sdk.messages.batches.results(batch.id)]
    assert {r.custom_id: r.result.type for r in results} == {"ok-1": "succeeded", "bad-1": "errored"}
    for line in results:
        assert isinstance(line, MessageBatchIndividualResponse)
        strict(line, line.custom_id)
    strict(await sdk.messages.batches.delete(batch.id))


async def test_files_upload_list_and_delete_parse(sdk: anthropic.AsyncAnthropic) -> None:
    uploaded = await sdk.files.upload(file=("notes.txt", b"some notes", "text/plain"))
    assert isinstance(uploaded, FileMetadata) and uploaded.filename == "notes.txt" and uploaded.size_bytes == 10
    strict(uploaded)
    page = await sdk.files.list(limit=2)
    strict(page)
    files = [f async for f in sdk.files.list(limit=2)]
    assert uploaded.id in {f.id for f in files} and len(files) == 3  # the upload and two generated files
    deleted = await sdk.files.delete(uploaded.id)
    assert deleted.id == uploaded.id and deleted.type == "file_deleted"
    strict(deleted)
    csv = next(f for f in files if f.filename.endswith(".csv"))
    content = await sdk.files.download(csv.id)
    assert csv.downloadable and (await content.read()).startswith(b"month,")


async def test_skills_list_parses(sdk: anthropic.AsyncAnthropic) -> None:
    page = await sdk.skills.list(limit=2)
    strict(page)
    skills = [s async for s in sdk.skills.list(limit=2)]
    assert {s.id for s in skills} == {"pptx", "xlsx", "docx", "pdf"} and all(isinstance(s, Skill) for s in skills)
    created = await sdk.skills.create(
        files=[("my-skill/SKILL.md", b"---\nname: my-skill\ndescription: Test.\n---\n", "text/markdown")]
    )
    strict(created)
    versions = [v async for v in sdk.skills.versions.list(created.id)]
    assert versions[0].name == "my-skill" and versions[0].description == "Test."
    for version in versions:
        strict(version)
    strict(await sdk.skills.delete(created.id))


async def test_api_errors_parse_into_the_sdk_exceptions(sdk: anthropic.AsyncAnthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        await sdk.models.retrieve("claude-nope")
    assert caught.value.request_id and caught.value.request_id.startswith("req_")
