"""Microsoft Foundry on the wire: the resource's /anthropic endpoint, the key in api-key and x-api-key, the
first-party body and SSE, Azure's 429 with retry-after in the same messages, and deployment names as models."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from claude_api_mcp.cli.main import main
from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.sandbox.platform_auth import SANDBOX_ENTRA_TOKEN, SANDBOX_FOUNDRY_KEY
from claude_api_mcp.sandbox.platforms import InjectedError, platform_state
from tests.helpers import Sleeps, call_error, call_ok
from tests.platform_helpers import HELLO, calls, first_party_message, on_platform

pytestmark = pytest.mark.anyio

MODEL = "claude-sonnet-4-6"
FOUNDRY = PlatformConfig(name=PlatformName.FOUNDRY, resource="my-resource", token=Secret("user-key"))


async def test_send_message_posts_the_first_party_body_to_the_resources_anthropic_endpoint(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, FOUNDRY) as client:
        await call_ok(client, "send_message", {"model": MODEL, "max_tokens": 300, "messages": HELLO})
    (call,) = calls(sandbox)
    assert call.url == "https://my-resource.services.ai.azure.com/anthropic/v1/messages"
    assert call.json() == {"model": MODEL, "max_tokens": 300, "messages": HELLO, "stream": True}
    assert call.headers["api-key"] == call.headers["x-api-key"] == SANDBOX_FOUNDRY_KEY
    assert call.headers["anthropic-version"] == "2023-06-01" and "authorization" not in call.headers


async def test_a_base_url_replaces_the_resource_and_count_tokens_goes_under_it(sandbox: Sandbox) -> None:
    config = PlatformConfig(name=PlatformName.FOUNDRY, base_url="https://gateway.example.com/anthropic/")
    async with on_platform(sandbox, config) as client:
        await call_ok(client, "count_tokens", {"model": MODEL, "messages": HELLO})
    (call,) = calls(sandbox)
    assert call.url == "https://gateway.example.com/anthropic/v1/messages/count_tokens"


async def test_the_streamed_reply_is_the_same_message_as_on_anthropics_api(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, FOUNDRY) as client:
        message = await call_ok(client, "send_message", {"model": MODEL, "max_tokens": 300, "messages": HELLO})
    expected = await first_party_message(MODEL)
    for field in ("content", "usage", "stop_reason", "stop_sequence", "role", "type", "model"):
        assert message[field] == expected[field], field


async def test_an_azure_429_is_retried_after_its_retry_after_then_reported_with_the_apim_request_id(
    sandbox: Sandbox, sleeps: Sleeps
) -> None:
    platform_state(sandbox).errors.append(
        InjectedError(
            PlatformName.FOUNDRY,
            429,
            "429",
            "Rate limit is exceeded. Try again in 7 seconds.",
            headers={"retry-after": "7"},
            times=9,
        )
    )
    async with on_platform(sandbox, FOUNDRY, sleeps=sleeps) as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 20, "messages": HELLO})
    assert "Rate limited" in text and "Azure 429: Rate limit is exceeded" in text and "retry after 7 s" in text
    assert sleeps == [7.0, 7.0, 7.0] and "(request id: " in text


async def test_a_wrong_key_is_reported_as_the_foundry_key_without_echoing_it(sandbox: Sandbox) -> None:
    config = PlatformConfig(name=PlatformName.FOUNDRY, resource="r", token=Secret("wrong-foundry-key-123"))
    async with on_platform(sandbox, config, stand_ins=False) as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 20, "messages": HELLO})
    assert "Authentication failed" in text and "ANTHROPIC_FOUNDRY_API_KEY" in text
    assert "wrong-foundry-key" not in text


async def test_a_bedrock_model_id_is_refused_naming_deployments(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, FOUNDRY) as client:
        text = await call_error(
            client, "send_message", {"model": "us.anthropic.claude-sonnet-4-6", "max_tokens": 20, "messages": HELLO}
        )
    assert "Amazon Bedrock's model id form" in text and "deployment" in text and calls(sandbox) == []


async def test_batches_files_skills_and_models_are_not_listed(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, FOUNDRY) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert names == {"send_message", "count_tokens"}


def test_entra_id_without_azure_identity_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # as if the foundry extra were not installed
    code = main(["--platform", "foundry"], env={"ANTHROPIC_FOUNDRY_RESOURCE": "r"})
    err = capsys.readouterr().err
    assert code == 2 and "pip install 'claude-api-mcp[foundry]'" in err and "Entra ID" in err
    # The resource key path needs no extra.
    assert (
        main(
            ["--platform", "foundry", "doctor", "--sandbox"],
            env={"ANTHROPIC_FOUNDRY_API_KEY": "k", "ANTHROPIC_FOUNDRY_RESOURCE": "r"},
        )
        == 0
    )


async def test_an_unknown_deployment_is_not_found_with_the_platforms_hint_not_list_models(sandbox: Sandbox) -> None:
    async with on_platform(sandbox, FOUNDRY) as client:
        text = await call_error(
            client, "send_message", {"model": "no-such-deployment", "max_tokens": 5, "messages": HELLO}
        )
    assert "Not found" in text and "Microsoft Foundry wants the name of a Claude deployment" in text
    assert "list_models" not in text and "(request id: req_" in text


async def test_a_key_echoed_back_in_an_error_never_reaches_the_model(sandbox: Sandbox, sleeps: Sleeps) -> None:
    platform_state(sandbox).errors.append(
        InjectedError(PlatformName.FOUNDRY, 400, "BadRequest", f"Unknown header api-key: {SANDBOX_FOUNDRY_KEY}")
    )
    async with on_platform(sandbox, FOUNDRY, sleeps=sleeps) as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 5, "messages": HELLO})
    assert "Unknown header api-key: [redacted]" in text and SANDBOX_FOUNDRY_KEY not in text


def fake_az(folder: Path, *, logged_in: bool) -> None:
    """A stand-in for the Azure CLI (``az account get-access-token``), which DefaultAzureCredential runs."""
    script = folder / "az"
    reply = json.dumps(
        {"accessToken": SANDBOX_ENTRA_TOKEN, "expires_on": int(time.time()) + 3600, "tokenType": "Bearer"}
    )
    body = (
        f"import sys\nargs = sys.argv[1:]\n"
        f"if {not logged_in!r}:\n    sys.exit(\"ERROR: Please run 'az login' to setup account.\")\n"
        f"assert args[:2] == ['account', 'get-access-token'] and 'https://cognitiveservices.azure.com' in args, args\n"
        f"print({reply!r})\n"
    )
    script.write_text(f"#!{sys.executable}\n{body}")
    script.chmod(0o755)


async def test_without_a_key_an_entra_id_token_from_azure_identity_is_sent_as_a_bearer(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """azure-identity's own DefaultAzureCredential, limited to the Azure CLI credential, runs a stand-in ``az``."""
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    config = PlatformConfig(name=PlatformName.FOUNDRY, resource="my-resource")  # no ANTHROPIC_FOUNDRY_API_KEY
    fake_az(tmp_path, logged_in=True)
    async with on_platform(sandbox, config, stand_ins=False) as client:
        await call_ok(client, "send_message", {"model": MODEL, "max_tokens": 5, "messages": HELLO})
        await call_ok(client, "count_tokens", {"model": MODEL, "messages": HELLO})
    assert [c.headers["authorization"] for c in calls(sandbox)] == [f"Bearer {SANDBOX_ENTRA_TOKEN}"] * 2
    assert all("api-key" not in c.headers for c in calls(sandbox))
    fake_az(tmp_path, logged_in=False)
    async with on_platform(sandbox, config, stand_ins=False) as client:
        text = await call_error(client, "send_message", {"model": MODEL, "max_tokens": 5, "messages": HELLO})
    assert "Not sent: Microsoft Entra ID" in text and "az login" in text and len(calls(sandbox)) == 2
