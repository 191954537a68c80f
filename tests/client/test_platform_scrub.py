"""Issue 19 #6: a platform's credentials echoed by its upstream reach neither the model, nor the audit log, nor logs.

Each case runs a server on one platform against a hostile upstream (a mock transport) that echoes the
credential back: in a 503 (retried, so the retry is logged with the message), in the 400 that ends the call,
and in the text of a successful reply (SSE, or Bedrock's AWS event stream). Configured credentials
(AWS_BEARER_TOKEN_BEDROCK, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, GOOGLE_OAUTH_ACCESS_TOKEN,
ANTHROPIC_FOUNDRY_API_KEY) and credentials a chain mints at run time (botocore from the environment,
google-auth, azure-identity through the Azure CLI) are both covered.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import eventstream
from tests.helpers import Sleeps, text_of
from tests.hostile import reply

pytestmark = pytest.mark.anyio

HELLO = [{"role": "user", "content": "hi"}]


def fresh(prefix: str) -> str:
    """A credential no other test registered, so only this test's registration can scrub it."""
    return prefix + secrets.token_urlsafe(30)


async def streamed(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


class Echo:
    """An upstream that repeats ``leak()`` (what it saw or knows) in every answer."""

    def __init__(self, leak: Callable[[httpx.Request], str], *, streams: bool) -> None:
        self.leak, self.streams, self.count = leak, streams, 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        echoed = self.leak(request)
        if self.count <= 2:  # a 529 (retried and logged), then the 400 that ends the first call
            status, kind = (529, "overloaded_error") if self.count == 1 else (400, "invalid_request_error")
            body = {"type": "error", "error": {"type": kind, "message": f"bad credential {echoed}"}}
            return httpx.Response(status, json=body, headers={"request-id": "req_echo"})
        sse = reply(f"you sent {echoed}")
        if request.url.path.endswith("/invoke-with-response-stream"):  # Bedrock: the same events as AWS frames
            events = [json.loads(line[6:]) for line in sse.decode().splitlines() if line.startswith("data: ")]
            frames = [eventstream.chunk(json.dumps(e).encode()) for e in events]
            kind = {"content-type": "application/vnd.amazon.eventstream"}
            return httpx.Response(200, headers=kind, content=streamed(frames))  # off the wire, not in memory
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse)


async def run(config: PlatformConfig, echo: Echo, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> str:
    """Both calls' texts, the audit log and every log line, as one text to search."""
    audit = tmp_path / "audit.jsonl"
    settings = Settings(profile=Profile.ADMIN, platform=config, audit_log=audit)
    server = build_server(settings, transport=httpx.MockTransport(echo), sleep=Sleeps())
    model = {
        PlatformName.BEDROCK: "anthropic.claude-sonnet-4-5-20250929-v1:0",
        PlatformName.VERTEX: "claude-sonnet-4-5@20250929",
    }.get(config.name, "claude-sonnet-4-5")
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        async with Client(server) as client:
            failed = await client.call_tool("send_message", {"model": model, "max_tokens": 9, "messages": HELLO})
            assert failed.is_error and "bad credential" in text_of(failed), text_of(failed)
            texts.append(text_of(failed))
            if echo.streams:
                answered = await client.call_tool("send_message", {"model": model, "max_tokens": 9, "messages": HELLO})
                assert not answered.is_error and "you sent" in text_of(answered), text_of(answered)
                texts.append(text_of(answered))
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "retrying POST" in logged  # the 529 was logged with its message: the log line is part of what is checked
    return "\n".join([*texts, audit.read_text(), logged])


def assert_absent(credential: str, found: str) -> None:
    assert credential not in found
    assert credential[-12:] not in found and credential[:12] not in found  # nor a part that identifies it
    assert "[redacted]" in found


async def test_a_bedrock_api_key_is_scrubbed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    token = fresh("ABSKQmVkcm9ja0FQSUtleS")
    config = PlatformConfig(PlatformName.BEDROCK, region="us-east-1", token=Secret(token), token_source="env")
    echo = Echo(lambda r: r.headers["authorization"], streams=True)
    assert_absent(token, await run(config, echo, tmp_path, caplog))


async def test_aws_keys_from_the_environment_are_scrubbed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    secret, session = fresh("wJalrXUtnFEMI/K7MDENG/"), fresh("FwoGZXIvYXdzEJr//////////wEaDK")
    config = PlatformConfig(
        PlatformName.BEDROCK,
        region="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key=Secret(secret),
        aws_session_token=Secret(session),
    )
    echo = Echo(lambda r: f"{r.headers['x-amz-security-token']} {secret}", streams=True)  # a proxy that knows
    found = await run(config, echo, tmp_path, caplog)
    assert_absent(secret, found)
    assert_absent(session, found)


async def test_aws_keys_botocores_chain_finds_at_run_time_are_scrubbed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret, session = fresh("chainSecretKey/"), fresh("chainSessionToken+")
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("AWS_SESSION_TOKEN", session)
    config = PlatformConfig(PlatformName.BEDROCK, region="us-east-1")  # nothing configured: botocore finds them
    echo = Echo(lambda r: f"{r.headers['x-amz-security-token']} {secret}", streams=True)
    found = await run(config, echo, tmp_path, caplog)
    assert_absent(secret, found)
    assert_absent(session, found)


async def test_a_google_access_token_is_scrubbed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    token = fresh("ya29.a0AfB_")
    config = PlatformConfig(PlatformName.VERTEX, region="us-east5", project="p", token=Secret(token))
    echo = Echo(lambda r: r.headers["authorization"], streams=True)
    assert_absent(token, await run(config, echo, tmp_path, caplog))


class MintingCredentials:
    """What google.auth.default returns: credentials whose token only exists after refresh()."""

    def __init__(self, token: str) -> None:
        self._minted, self.token, self.valid = token, None, False

    def refresh(self, request: Any) -> None:
        self.token, self.valid = self._minted, True


async def test_a_token_google_auth_mints_is_scrubbed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import google.auth

    token = fresh("ya29.minted_")
    monkeypatch.setattr(google.auth, "default", lambda scopes=None: (MintingCredentials(token), "p"))
    config = PlatformConfig(PlatformName.VERTEX, region="us-east5", project="p")
    echo = Echo(lambda r: r.headers["authorization"], streams=True)
    assert_absent(token, await run(config, echo, tmp_path, caplog))


async def test_a_foundry_key_is_scrubbed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    key = fresh("8f14e45fceea167a5a36dedd4bea2543")
    config = PlatformConfig(PlatformName.FOUNDRY, resource="r", token=Secret(key), token_source="env")
    echo = Echo(lambda r: r.headers["api-key"], streams=True)
    assert_absent(key, await run(config, echo, tmp_path, caplog))


async def test_an_entra_token_azure_identity_mints_is_scrubbed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = fresh("eyJ0eXAiOiJKV1QiLCJhbGciOi")
    az = tmp_path / "bin" / "az"
    az.parent.mkdir()
    answer = json.dumps({"accessToken": token, "expires_on": int(time.time()) + 3600, "tokenType": "Bearer"})
    az.write_text(f"#!{sys.executable}\nprint({answer!r})\n")
    az.chmod(0o755)
    monkeypatch.setenv("PATH", f"{az.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    config = PlatformConfig(PlatformName.FOUNDRY, resource="r")  # no key: a Microsoft Entra ID token
    echo = Echo(lambda r: r.headers["authorization"], streams=True)
    assert_absent(token, await run(config, echo, tmp_path, caplog))
