"""Done means: ``claude-api-mcp --sandbox --platform <p>`` in a real subprocess lists the platform's tools and
send_message streams a reply with progress, through an MCP client over stdio, with no cloud account."""

from __future__ import annotations

import subprocess
import sys

import pytest
from mcp import Client, StdioServerParameters

from tests.platform_helpers import HELLO
from tests.procs import REPO, clean_env, server_command

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


@pytest.mark.parametrize(
    ("platform", "model", "listed"),
    [
        ("bedrock", "global.anthropic.claude-opus-4-6-v1", {"send_message"}),
        ("vertex", "claude-opus-4-6", {"send_message", "count_tokens"}),
        ("foundry", "claude-opus-4-6", {"send_message", "count_tokens"}),
    ],
)
async def test_a_sandboxed_platform_server_lists_its_tools_and_streams_a_reply_with_progress(
    platform: str, model: str, listed: set[str]
) -> None:
    seen: list[str | None] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(message)

    env = clean_env({"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"})
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "claude_api_mcp", "--sandbox", "--platform", platform, "--profile", "admin"],
        env=env,
        cwd=str(REPO),
    )
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        result = await client.call_tool(
            "send_message", {"model": model, "max_tokens": 200, "messages": HELLO}, progress_callback=on_progress
        )
    assert names == listed
    assert not result.is_error, result.content
    assert result.structured_content is not None and result.structured_content["content"][0]["type"] == "text"
    assert seen and (seen[-1] or "").startswith("done: ")


def test_startup_says_on_stderr_which_core_tools_the_platform_does_not_serve_and_why() -> None:
    env = clean_env({"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"})
    done = subprocess.run(
        server_command(["--sandbox", "--platform", "vertex"]),
        input=b"",  # stdin closed at once: the server starts, reports, and ends
        capture_output=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    err = done.stderr.decode()
    assert done.stdout == b""
    assert (
        "core API on Google Vertex AI at https://aiplatform.googleapis.com/v1: serves send_message, count_tokens" in err
    )
    assert "not listed: list_models, get_model, create_batch" in err and "no models, batches, files or skills" in err
    assert "toolset users left out: ANTHROPIC_ADMIN_KEY is not set" in err
