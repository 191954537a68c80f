"""Amazon Bedrock on the wire: the InvokeModel URL, a SigV4 signature that verifies, the rewritten body, the AWS
event stream decoded into the same Message as the first-party path, and AWS's errors in the same messages."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer

from claude_api_mcp.client.platforms.bedrock import Bedrock
from claude_api_mcp.client.sse import aiter_sse
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName, from_env
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox, eventstream
from claude_api_mcp.sandbox.messages_state import messages_state
from claude_api_mcp.sandbox.platform_auth import (
    SANDBOX_AWS_ACCESS_KEY_ID,
    SANDBOX_AWS_SECRET_ACCESS_KEY,
    SANDBOX_BEDROCK_API_KEY,
    check_sigv4,
)
from claude_api_mcp.sandbox.platforms import InjectedError, platform_state
from tests.helpers import Sleeps, call_error, call_ok
from tests.platform_helpers import HELLO, calls, first_party_message, on_platform

pytestmark = pytest.mark.anyio

PROFILE_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
ENDPOINT = "https://bedrock-runtime.us-east-1.amazonaws.com"
UUID = re.compile(r"request id: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)")
BEDROCK = PlatformConfig(name=PlatformName.BEDROCK, region="us-east-1")


def signed(body: bytes = b'{"a":1}', *, service: str = "bedrock", when: datetime | None = None) -> AWSRequest:
    url = f"{ENDPOINT}/model/{PROFILE_ID}/invoke"
    request = AWSRequest(method="POST", url=url, headers={"content-type": "application/json"}, data=body)
    signer = SigV4Auth(Credentials(SANDBOX_AWS_ACCESS_KEY_ID, SANDBOX_AWS_SECRET_ACCESS_KEY), service, "us-east-1")
    if when is None:
        signer.add_auth(request)
    else:  # botocore signs "now": sign as of ``when`` by fixing the timestamp the way add_auth sets it
        request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
        signer._modify_request_before_signing(request)
        signature = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
        signer._inject_signature_to_request(request, signature)
    return request


def verify(request: AWSRequest, body: bytes | None = None) -> str | None:
    headers = {k.lower(): v for k, v in request.headers.items()}
    headers["host"] = "bedrock-runtime.us-east-1.amazonaws.com"
    refusal = check_sigv4("POST", request.url, headers, request.body if body is None else body)
    return None if refusal is None else refusal.code


async def test_send_message_posts_to_invoke_with_response_stream_with_the_model_in_the_path_and_a_valid_signature(
    sandbox: Sandbox,
) -> None:
    async with on_platform(sandbox, PlatformName.BEDROCK) as client:
        await call_ok(client, "send_message", {"model": PROFILE_ID, "max_tokens": 300, "messages": HELLO})
    (call,) = calls(sandbox)
    assert call.url == f"{ENDPOINT}/model/{PROFILE_ID}/invoke-with-response-stream"
    assert call.json() == {"max_tokens": 300, "messages": HELLO, "anthropic_version": "bedrock-2023-05-31"}
    assert "x-api-key" not in call.headers and "anthropic-version" not in call.headers
    assert call.headers["accept"] == "application/vnd.amazon.eventstream"
    auth = call.headers["authorization"]
    assert auth.startswith(f"AWS4-HMAC-SHA256 Credential={SANDBOX_AWS_ACCESS_KEY_ID}/")
    assert "/us-east-1/bedrock/aws4_request" in auth and "content-type;host;x-amz-date" in auth
    # The signature verifies against the stand-in secret, and stops verifying when one body byte changes.
    assert check_sigv4(call.method, call.url, call.headers, call.body) is None
    tampered = check_sigv4(call.method, call.url, call.headers, call.body.replace(b"300", b"301"))
    assert tampered is not None and tampered.code == "InvalidSignatureException"


async def test_the_streamed_reply_is_the_same_message_as_on_anthropics_api(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, PlatformName.BEDROCK) as client:
        message = await call_ok(client, "send_message", {"model": PROFILE_ID, "max_tokens": 300, "messages": HELLO})
    expected = await first_party_message("claude-sonnet-4-5-20250929")
    for field in ("content", "usage", "stop_reason", "stop_sequence", "role", "type"):
        assert message[field] == expected[field], field
    assert message["content"][0]["text"].startswith("[sandbox]")


async def test_an_inference_profile_arn_is_sent_escaped_in_one_path_segment(sandbox: Sandbox) -> None:
    arn = f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{PROFILE_ID}"
    async with on_platform(sandbox, PlatformName.BEDROCK) as client:
        message = await call_ok(client, "send_message", {"model": arn, "max_tokens": 50, "messages": HELLO})
    (call,) = calls(sandbox)
    assert call.url == (
        f"{ENDPOINT}/model/arn:aws:bedrock:us-east-1:123456789012:inference-profile%2F{PROFILE_ID}"
        "/invoke-with-response-stream"
    )
    assert message["stop_reason"] in ("end_turn", "max_tokens")


async def test_the_stream_is_aws_event_stream_frames_whose_checksums_botocore_accepts(sandbox: Sandbox) -> None:
    platform = Bedrock(
        dataclasses.replace(
            BEDROCK,
            aws_access_key_id=SANDBOX_AWS_ACCESS_KEY_ID,
            aws_secret_access_key=Secret(SANDBOX_AWS_SECRET_ACCESS_KEY),
        )
    )
    first = httpx.Request(
        "POST",
        "https://api.anthropic.com/v1/messages",
        json={"model": PROFILE_ID, "max_tokens": 20, "messages": HELLO, "stream": True},
    )
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        response = await http.send(await platform.prepare(first, "/v1/messages"))
        raw = await response.aread()
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    assert UUID.search(f"request id: {response.headers['x-amzn-requestid']})")
    frames = EventStreamBuffer()
    frames.add_data(raw)
    events = [json.loads(base64.b64decode(json.loads(f.payload)["bytes"])) for f in frames]
    assert events[0]["type"] == "message_start" and events[-1]["type"] == "message_stop"
    assert events[-1]["amazon-bedrock-invocationMetrics"]["outputTokenCount"] > 0


async def test_a_bedrock_api_key_is_sent_as_a_bearer_token(sandbox: Sandbox) -> None:
    config = PlatformConfig(name=PlatformName.BEDROCK, region="us-west-2", token=Secret("ABSK-user-key"))
    async with on_platform(sandbox, config) as client:
        await call_ok(client, "send_message", {"model": PROFILE_ID, "max_tokens": 20, "messages": HELLO})
    (call,) = calls(sandbox)
    assert call.url.startswith("https://bedrock-runtime.us-west-2.amazonaws.com/model/")
    assert call.headers["authorization"] == f"Bearer {SANDBOX_BEDROCK_API_KEY}" and "x-amz-date" not in call.headers


async def test_throttling_is_retried_then_reported_with_the_aws_request_id(sandbox: Sandbox, sleeps: Sleeps) -> None:
    platform_state(sandbox).errors.append(
        InjectedError(PlatformName.BEDROCK, 429, "ThrottlingException", "Too many requests, please wait.", times=9)
    )
    async with on_platform(sandbox, PlatformName.BEDROCK, sleeps=sleeps) as client:
        text = await call_error(client, "send_message", {"model": PROFILE_ID, "max_tokens": 20, "messages": HELLO})
    assert "Rate limited" in text and "ThrottlingException: Too many requests" in text
    assert UUID.search(text) and len(sleeps) == 3  # retried as the first-party path retries a 429


async def test_a_model_that_is_not_ready_yet_is_retried_until_it_answers(sandbox: Sandbox, sleeps: Sleeps) -> None:
    platform_state(sandbox).errors.append(
        InjectedError(PlatformName.BEDROCK, 429, "ModelNotReadyException", "Model is not ready for inference.")
    )
    async with on_platform(sandbox, PlatformName.BEDROCK, sleeps=sleeps) as client:
        message = await call_ok(client, "send_message", {"model": PROFILE_ID, "max_tokens": 20, "messages": HELLO})
    assert message["stop_reason"] and len(sleeps) == 1 and len(calls(sandbox)) == 2


async def test_a_wrong_aws_secret_fails_the_signature_and_names_the_aws_credentials(sandbox: Sandbox) -> None:
    config = PlatformConfig(
        name=PlatformName.BEDROCK,
        region="us-east-1",
        aws_access_key_id=SANDBOX_AWS_ACCESS_KEY_ID,
        aws_secret_access_key=Secret("wrong-secret-value-1234"),
    )
    async with on_platform(sandbox, config, stand_ins=False) as client:
        text = await call_error(client, "send_message", {"model": PROFILE_ID, "max_tokens": 20, "messages": HELLO})
    assert "Permission denied" in text and "InvalidSignatureException" in text
    assert "Check the AWS credentials" in text and "wrong-secret-value" not in text and UUID.search(text)


async def test_an_exception_frame_mid_stream_is_reported_as_a_mid_stream_failure(sandbox: Sandbox) -> None:
    messages_state(sandbox).next_stream_fault = "error:overloaded_error"
    async with on_platform(sandbox, PlatformName.BEDROCK) as client:
        text = await call_error(client, "send_message", {"model": PROFILE_ID, "max_tokens": 300, "messages": HELLO})
    assert "failed mid-stream" in text and "overloaded" in text and UUID.search(text)


class Trickle(httpx.AsyncByteStream):
    """The body in 7-byte pieces, so frames (and gzip blocks) arrive split at arbitrary points."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), 7):
            yield self.body[start : start + 7]


def event_stream(body: bytes, **headers: str) -> httpx.Response:
    """A successful Bedrock streaming response carrying ``body``, as the HTTP hook hands it on (adapted)."""
    headers = {"content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": "r-1", **headers}
    request = httpx.Request("POST", f"{ENDPOINT}/model/m/invoke-with-response-stream")
    response = httpx.Response(200, headers=headers, stream=Trickle(body), request=request)
    Bedrock(PlatformConfig(name=PlatformName.BEDROCK, region="us-east-1", token=Secret("t"))).adapt(response)
    return response


async def test_the_event_stream_reads_as_sse_even_gzip_encoded_and_split_anywhere() -> None:
    frames = eventstream.chunk(b'{"type":"message_start","message":{"id":"m"}}') + eventstream.chunk(
        b'{\n  "type": "message_stop"\n}'  # pretty-printed upstream JSON is written back on one line
    )
    for body, extra in ((frames, {}), (gzip.compress(frames), {"content-encoding": "gzip"})):
        response = event_stream(body, **extra)
        assert response.headers["content-type"] == "text/event-stream" and response.headers["request-id"] == "r-1"
        events = [(e.event, json.loads(e.data)["type"]) async for e in aiter_sse(response.aiter_bytes())]
        assert events == [("message_start", "message_start"), ("message_stop", "message_stop")]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda good: good[:-6] + bytes([good[-6] ^ 1]) + good[-5:], id="bad-crc"),
        pytest.param(
            lambda _: eventstream.frame({":event-type": "chunk", ":message-type": "event"}, b'{"bytes": "!!"}'),
            id="not-base64",
        ),
        pytest.param(
            lambda _: eventstream.chunk(b'{"type": "message_stop\\n\\nevent: error"}'), id="sse-injection-in-type"
        ),
    ],
)
async def test_a_damaged_or_forged_frame_fails_the_stream_instead_of_reaching_the_reader(body: Any) -> None:
    response = event_stream(body(eventstream.chunk(b'{"type":"ping"}')))
    with pytest.raises(httpx.DecodingError):
        async for _ in aiter_sse(response.aiter_bytes()):
            pass


async def test_a_first_party_or_vertex_model_id_is_refused_before_any_call_naming_the_bedrock_form(
    sandbox: Sandbox,
) -> None:
    async with on_platform(sandbox, PlatformName.BEDROCK) as client:
        dated = await call_error(
            client, "send_message", {"model": "claude-sonnet-4-5-20250929", "max_tokens": 20, "messages": HELLO}
        )
        vertex = await call_error(
            client, "send_message", {"model": "claude-sonnet-4-5@20250929", "max_tokens": 20, "messages": HELLO}
        )
    assert "'anthropic.claude-sonnet-4-5-20250929-v1:0'" in dated and "inference profile" in dated
    assert "Google Vertex AI's model id form" in vertex and "Amazon Bedrock wants" in vertex
    assert calls(sandbox) == []


async def test_only_send_message_is_listed_and_the_admin_api_needs_its_own_key(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, PlatformName.BEDROCK) as client:
        alone = {t.name for t in (await client.list_tools()).tools}
        refused = await client.call_tool("count_tokens", {"model": PROFILE_ID, "messages": HELLO})
    async with on_platform(sandbox, PlatformName.BEDROCK, admin_key=Secret("sk-ant-admin01-x")) as client:
        with_admin = {t.name for t in (await client.list_tools()).tools}
    assert alone == {"send_message"}
    assert refused.is_error and "count_tokens" in refused.content[0].text  # type: ignore[union-attr]
    assert {"send_message", "list_users", "get_usage"} <= with_admin and "list_models" not in with_admin


async def test_a_call_bedrock_does_not_serve_is_refused_without_being_sent(sandbox: Sandbox) -> None:
    from claude_api_mcp.client.http import AnthropicAPI, make_client
    from claude_api_mcp.core.config import KeyKind, Settings

    settings = Settings(platform=BEDROCK)
    platform = Bedrock(PlatformConfig(name=PlatformName.BEDROCK, region="us-east-1", token=Secret("t")))
    async with make_client(settings, sandbox.transport()) as http:
        with pytest.raises(ApiError) as caught:
            await AnthropicAPI(http, settings, platform=platform).request("GET", "/v1/models", key=KeyKind.API)
        with pytest.raises(ApiError) as upload:  # refused before its multipart body is read
            await AnthropicAPI(http, settings, platform=platform).request(
                "POST", "/v1/files", key=KeyKind.API, files={"file": ("a.txt", b"data", "text/plain")}
            )
    assert caught.value.status == 404 and "Amazon Bedrock does not serve GET /v1/models" in caught.value.message
    assert "does not serve POST /v1/files" in upload.value.message
    assert calls(sandbox) == [] and list(sandbox.requests) == []


def test_the_sandbox_accepts_a_botocore_signature_and_refuses_tampering_expiry_and_the_wrong_service() -> None:
    request = signed()
    assert verify(request) is None
    assert verify(request, body=b'{"a":2}') == "InvalidSignatureException"
    assert verify(signed(when=datetime.now(timezone.utc) - timedelta(minutes=6))) == "InvalidSignatureException"
    assert verify(signed(service="s3")) == "InvalidSignatureException"
    forged = signed()
    forged.headers.replace_header(
        "Authorization", forged.headers["Authorization"].replace(SANDBOX_AWS_ACCESS_KEY_ID, "AKIAOTHERKEY")
    )
    assert verify(forged) == "UnrecognizedClientException"
    unsigned = signed()
    del unsigned.headers["Authorization"]
    assert verify(unsigned) == "MissingAuthenticationTokenException"


async def test_credentials_from_an_aws_profile_are_found_by_botocores_chain_and_verify(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "credentials").write_text(
        f"[sandbox-profile]\naws_access_key_id = {SANDBOX_AWS_ACCESS_KEY_ID}\n"
        f"aws_secret_access_key = {SANDBOX_AWS_SECRET_ACCESS_KEY}\n"
    )
    (tmp_path / "config").write_text("[profile sandbox-profile]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    config = from_env(PlatformName.BEDROCK, {"AWS_PROFILE": "sandbox-profile"})
    assert config is not None and config.region == "eu-west-1"  # the profile's region, as boto3 finds it
    assert "via shared-credentials-file" in Bedrock(config).credentials_found()
    async with on_platform(sandbox, config, stand_ins=False) as client:
        await call_ok(client, "send_message", {"model": PROFILE_ID, "max_tokens": 20, "messages": HELLO})
    (call,) = calls(sandbox)
    assert call.url.startswith("https://bedrock-runtime.eu-west-1.amazonaws.com/")
    assert "/eu-west-1/bedrock/aws4_request" in call.headers["authorization"]


async def test_beta_headers_move_into_the_body_as_anthropic_beta() -> None:
    platform = Bedrock(PlatformConfig(name=PlatformName.BEDROCK, region="us-east-1", token=Secret("t")))
    first = httpx.Request(
        "POST",
        "https://api.anthropic.com/v1/messages",
        headers={"anthropic-beta": "context-1m-2025-08-07, interleaved-thinking-2025-05-14", "anthropic-version": "x"},
        json={"model": PROFILE_ID, "max_tokens": 20, "messages": HELLO, "stream": True},
    )
    rewritten = await platform.prepare(first, "/v1/messages")
    body = json.loads(rewritten.content)
    assert body["anthropic_beta"] == ["context-1m-2025-08-07", "interleaved-thinking-2025-05-14"]
    assert "anthropic-beta" not in rewritten.headers and "anthropic-version" not in rewritten.headers
    assert "model" not in body and "stream" not in body
