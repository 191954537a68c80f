"""A second opinion on the sandbox's platform wire formats: the official SDK's own platform clients (anthropic
2.14.0's AnthropicBedrock, AnthropicVertex and AnthropicFoundry, on httpx2) sign, send and parse against it.

Each client builds its requests its own way (its SigV4 through boto3, its URL templates, its event-stream
decoder through botocore), so the sandbox cannot pass by agreeing only with our own client code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic import AsyncAnthropicBedrock, AsyncAnthropicFoundry, AsyncAnthropicVertex
from anthropic.types import Message, MessageTokensCount

from claude_api_mcp.core.platform_config import PlatformName
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.platform_auth import (
    SANDBOX_AWS_ACCESS_KEY_ID,
    SANDBOX_AWS_SECRET_ACCESS_KEY,
    SANDBOX_FOUNDRY_KEY,
    SANDBOX_GOOGLE_TOKEN,
)
from claude_api_mcp.sandbox.platforms import InjectedError, platform_state
from tests.platform_helpers import HELLO, calls

pytestmark = pytest.mark.anyio

Client = AsyncAnthropicBedrock | AsyncAnthropicVertex | AsyncAnthropicFoundry


def http(sandbox: Sandbox) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sandbox.app))


def bedrock(sandbox: Sandbox) -> AsyncAnthropicBedrock:
    return AsyncAnthropicBedrock(
        aws_access_key=SANDBOX_AWS_ACCESS_KEY_ID,
        aws_secret_key=SANDBOX_AWS_SECRET_ACCESS_KEY,
        aws_region="us-east-1",
        http_client=http(sandbox),
        max_retries=0,
    )


def vertex(sandbox: Sandbox) -> AsyncAnthropicVertex:
    return AsyncAnthropicVertex(
        region="us-east5",
        project_id="sdk-project",
        access_token=SANDBOX_GOOGLE_TOKEN,
        http_client=http(sandbox),
        max_retries=0,
    )


def foundry(sandbox: Sandbox) -> AsyncAnthropicFoundry:
    return AsyncAnthropicFoundry(
        api_key=SANDBOX_FOUNDRY_KEY, resource="sdk-resource", http_client=http(sandbox), max_retries=0
    )


CASES = [
    pytest.param(bedrock, "anthropic.claude-sonnet-4-5-20250929-v1:0", id="bedrock"),
    pytest.param(vertex, "claude-sonnet-4-5@20250929", id="vertex"),
    pytest.param(foundry, "claude-sonnet-4-6", id="foundry"),
]


@pytest.fixture
async def box() -> AsyncIterator[Sandbox]:
    yield Sandbox()


@pytest.mark.parametrize(("make", "model"), CASES)
async def test_the_sdk_platform_client_parses_a_plain_reply(make: Any, model: str, box: Sandbox) -> None:
    async with make(box) as client:
        message = await client.messages.create(model=model, max_tokens=100, messages=HELLO)
    assert isinstance(message, Message) and message.stop_reason in ("end_turn", "max_tokens")
    assert message.content[0].type == "text" and message.content[0].text.startswith("[sandbox]")
    assert message.usage.output_tokens > 0


@pytest.mark.parametrize(("make", "model"), CASES)
async def test_the_sdk_platform_client_accumulates_the_stream_into_the_same_message(
    make: Any, model: str, box: Sandbox
) -> None:
    async with make(box) as client:
        plain = await client.messages.create(model=model, max_tokens=300, messages=HELLO)
        async with client.messages.stream(model=model, max_tokens=300, messages=HELLO) as stream:
            kinds = [event.type async for event in stream]
            streamed = await stream.get_final_message()
    assert kinds[0] == "message_start" and "content_block_delta" in kinds
    assert [(b.type, getattr(b, "text", None)) for b in streamed.content] == [
        (b.type, getattr(b, "text", None)) for b in plain.content
    ]
    assert streamed.stop_reason == plain.stop_reason
    assert streamed.usage.output_tokens == plain.usage.output_tokens


@pytest.mark.parametrize(("make", "model"), CASES[1:])
async def test_the_sdk_counts_tokens_on_vertex_and_foundry(make: Any, model: str, box: Sandbox) -> None:
    async with make(box) as client:
        counted = await client.messages.count_tokens(model=model, messages=HELLO)
    assert isinstance(counted, MessageTokensCount) and counted.input_tokens > 0


async def test_the_sdk_reads_bedrock_throttling_as_a_rate_limit_error(box: Sandbox) -> None:
    platform_state(box).errors.append(InjectedError(PlatformName.BEDROCK, 429, "ThrottlingException", "Slow down."))
    async with bedrock(box) as client:
        with pytest.raises(anthropic.RateLimitError) as caught:
            await client.messages.create(
                model="anthropic.claude-sonnet-4-5-20250929-v1:0", max_tokens=10, messages=HELLO
            )
    assert caught.value.status_code == 429 and "Slow down." in str(caught.value.body)


async def test_the_sdk_surfaces_a_bedrock_exception_frame_as_a_stream_error(box: Sandbox) -> None:
    from claude_api_mcp.sandbox.messages_state import messages_state

    messages_state(box).next_stream_fault = "error:overloaded_error"
    async with bedrock(box) as client:
        with pytest.raises(anthropic.APIStatusError) as caught:  # the SDK raises the stream's error event
            async with client.messages.stream(
                model="anthropic.claude-sonnet-4-5-20250929-v1:0", max_tokens=300, messages=HELLO
            ) as stream:
                await stream.get_final_message()
    assert "serviceUnavailableException" in str(caught.value)


async def test_the_sdks_own_sigv4_signature_is_the_one_the_sandbox_verified(box: Sandbox) -> None:
    async with bedrock(box) as client:
        await client.messages.create(model="anthropic.claude-sonnet-4-5-20250929-v1:0", max_tokens=10, messages=HELLO)
    (call,) = calls(box)
    assert call.headers["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={SANDBOX_AWS_ACCESS_KEY_ID}/")
    assert call.json()["anthropic_version"]  # the SDK's own version string is accepted too
