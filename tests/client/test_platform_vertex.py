"""Google Vertex AI on the wire: the rawPredict URLs, the bearer token, the rewritten body, SSE decoded into the
same Message as the first-party path, Google's quota errors in the same messages, and the @ model form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName, from_env
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.platform_auth import SANDBOX_GOOGLE_TOKEN, SANDBOX_SUBJECT_TOKEN
from claude_api_mcp.sandbox.platforms import InjectedError, platform_state
from claude_api_mcp.sandbox.serve import serving
from tests.helpers import Sleeps, call_error, call_ok
from tests.platform_helpers import HELLO, calls, first_party_message, on_platform

pytestmark = pytest.mark.anyio

MODEL = "claude-sonnet-4-5@20250929"
VERTEX = PlatformConfig(name=PlatformName.VERTEX, region="us-east5", project="my-project")
MODELS_URL = (
    "https://us-east5-aiplatform.googleapis.com/v1/projects/my-project/locations/us-east5/publishers/anthropic/models"
)


async def test_send_message_posts_to_stream_raw_predict_with_the_model_in_the_path(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, VERTEX) as client:
        await call_ok(client, "send_message", {"model": MODEL, "max_tokens": 300, "messages": HELLO})
    (call,) = calls(sandbox)
    assert call.url == f"{MODELS_URL}/{MODEL}:streamRawPredict"
    assert call.json() == {
        "max_tokens": 300,
        "messages": HELLO,
        "stream": True,
        "anthropic_version": "vertex-2023-10-16",
    }
    assert call.headers["authorization"] == f"Bearer {SANDBOX_GOOGLE_TOKEN}"
    assert "x-api-key" not in call.headers and "anthropic-version" not in call.headers


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("global", "aiplatform.googleapis.com"),
        ("us", "aiplatform.us.rep.googleapis.com"),
        ("eu", "aiplatform.eu.rep.googleapis.com"),
        ("europe-west1", "europe-west1-aiplatform.googleapis.com"),
    ],
)
async def test_the_global_multi_region_and_regional_endpoints(sandbox: Sandbox, region: str, host: str) -> None:
    config = PlatformConfig(name=PlatformName.VERTEX, region=region, project="p")
    async with on_platform(sandbox, config) as client:
        await call_ok(client, "send_message", {"model": MODEL, "max_tokens": 20, "messages": HELLO})
    (call,) = calls(sandbox)
    assert (
        call.url
        == f"https://{host}/v1/projects/p/locations/{region}/publishers/anthropic/models/{MODEL}:streamRawPredict"
    )


async def test_count_tokens_posts_to_count_tokens_raw_predict_with_the_model_in_the_body(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, VERTEX) as client:
        counted = await call_ok(client, "count_tokens", {"model": MODEL, "messages": HELLO})
    (call,) = calls(sandbox)
    assert call.url == f"{MODELS_URL}/count-tokens:rawPredict"
    assert call.json() == {"model": MODEL, "messages": HELLO, "anthropic_version": "vertex-2023-10-16"}
    assert counted["input_tokens"] > 0


async def test_the_streamed_reply_is_the_same_message_as_on_anthropics_api(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, VERTEX) as client:
        message = await call_ok(client, "send_message", {"model": MODEL, "max_tokens": 300, "messages": HELLO})
    expected = await first_party_message("claude-sonnet-4-5-20250929")
    for field in ("content", "usage", "stop_reason", "stop_sequence", "role", "type"):
        assert message[field] == expected[field], field


async def test_a_quota_error_is_retried_then_reported_with_what_to_do_and_the_request_id(
    sandbox: Sandbox, sleeps: Sleeps
) -> None:
    platform_state(sandbox).errors.append(
        InjectedError(
            PlatformName.VERTEX,
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model.",
            times=9,
        )
    )
    async with on_platform(sandbox, VERTEX, sleeps=sleeps) as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 20, "messages": HELLO})
    assert "Rate limited" in text and "RESOURCE_EXHAUSTED: Quota exceeded" in text
    assert "request a quota increase" in text and "(request id: req_" in text and len(sleeps) == 3


async def test_a_bad_access_token_is_reported_as_the_google_credentials(sandbox: Sandbox) -> None:
    config = PlatformConfig(
        name=PlatformName.VERTEX, region="global", project="p", token=Secret("ya29.expired-token-value")
    )
    async with on_platform(sandbox, config, stand_ins=False) as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 20, "messages": HELLO})
    assert "Authentication failed" in text and "UNAUTHENTICATED" in text
    assert "GOOGLE_OAUTH_ACCESS_TOKEN" in text and "expired-token-value" not in text


async def test_claudes_own_errors_pass_through_in_anthropics_envelope(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, VERTEX) as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 10**7, "messages": HELLO})
    assert "Invalid request" in text and "max_tokens" in text and "(request id: req_" in text


async def test_the_first_party_dated_form_is_refused_naming_the_at_form(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, VERTEX) as client:
        dated = await call_error(
            client, "send_message", {"model": "claude-sonnet-4-5-20250929", "max_tokens": 20, "messages": HELLO}
        )
        bedrock = await call_error(
            client, "count_tokens", {"model": "anthropic.claude-sonnet-4-5-20250929-v1:0", "messages": HELLO}
        )
    assert "claude-sonnet-4-5@20250929" in dated
    assert "Amazon Bedrock's model id form" in bedrock and "Google Vertex AI wants" in bedrock
    assert calls(sandbox) == []


async def test_messages_and_token_counting_are_listed_and_nothing_else_of_the_core_api(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, VERTEX) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        refused = await client.call_tool("list_models", {})
    assert names == {"send_message", "count_tokens"}
    assert refused.is_error


@pytest.mark.parametrize("model", ["claude-x/../../locations/eu/x", "claude-x:rawPredict?alt=1", "gemini-2.5-pro"])
async def test_a_model_that_would_escape_its_path_segment_is_refused_before_any_call(
    sandbox: Sandbox, model: str
) -> None:
    async with on_platform(sandbox, VERTEX) as client:
        text = await call_error(client, "send_message", {"model": model, "max_tokens": 5, "messages": HELLO})
    assert "Google Vertex AI wants" in text and calls(sandbox) == []


async def test_application_default_credentials_are_exchanged_through_google_auth_and_sent(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The ADC path for real: google-auth reads an external_account file (workload identity federation) and
    exchanges its subject token over HTTP at the sandbox's stand-in of Google's STS; the access token it gets
    is what reaches Vertex."""
    subject = tmp_path / "subject-token"
    subject.write_text(SANDBOX_SUBJECT_TOKEN)
    with serving(sandbox=sandbox) as upstream:
        adc = {
            "type": "external_account",
            "audience": "//iam.googleapis.com/locations/global/workforcePools/sandbox/providers/sandbox",
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "token_url": f"{upstream.base_url}/v1/token",
            "credential_source": {"file": str(subject)},
        }
        (tmp_path / "adc.json").write_text(json.dumps(adc))
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "adc.json"))
        env = {"CLOUD_ML_REGION": "us-east5", "ANTHROPIC_VERTEX_PROJECT_ID": "my-project"}
        config = from_env(PlatformName.VERTEX, env)
        assert config is not None and config.token is None
        async with on_platform(sandbox, config, stand_ins=False) as client:
            await call_ok(client, "send_message", {"model": MODEL, "max_tokens": 20, "messages": HELLO})
            await call_ok(client, "count_tokens", {"model": MODEL, "messages": HELLO})
        subject.write_text("a-token-the-sandbox-does-not-know")
        async with on_platform(sandbox, config, stand_ins=False) as client:
            refused = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 20, "messages": HELLO})
    assert [c.headers["authorization"] for c in calls(sandbox)] == [f"Bearer {SANDBOX_GOOGLE_TOKEN}"] * 2
    assert "Not sent: Google credentials" in refused and "invalid_grant" in refused
    assert "Check Google Application Default Credentials" in refused and "does-not-know" not in refused


async def test_the_sandbox_refuses_a_location_its_endpoint_does_not_serve(sandbox: Sandbox) -> None:
    config = PlatformConfig(
        name=PlatformName.VERTEX,
        region="us-east5",
        project="p",
        base_url="https://europe-west1-aiplatform.googleapis.com/v1",
    )
    async with on_platform(sandbox, config) as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 5, "messages": HELLO})
    assert "INVALID_ARGUMENT" in text and "'us-east5' is not served at europe-west1-aiplatform.googleapis.com" in text
