"""What --platform costs per call: send_message through each platform's wire format, against the sandbox.

    python bench/platforms.py            # N=60 calls per platform, 3 rounds, medians
    python bench/platforms.py --n 20

Every call runs the whole path in process (MCP client → tool → AnthropicAPI → the platform hook → the
sandbox's platform gateway → the simulated model → back), so the differences between rows are the
platform's own work on both sides: rewriting, SigV4 signing and verifying with botocore, event-stream
frames with CRCs encoded and decoded. Also measured alone: one SigV4 signature, and decoding a Bedrock
stream (frames → SSE) in MB/s. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mcp import Client

from claude_api_mcp.app.assemble import build_server
from claude_api_mcp.client.platforms.bedrock import Bedrock
from claude_api_mcp.client.sse import aiter_sse
from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import Sandbox, eventstream
from claude_api_mcp.sandbox.platform_auth import SANDBOX_AWS_ACCESS_KEY_ID, SANDBOX_AWS_SECRET_ACCESS_KEY

MESSAGES: list[Any] = [{"role": "user", "content": "Benchmark the platform path, please."}]
MODELS = {
    "anthropic": "claude-sonnet-4-6",
    "bedrock": "us.anthropic.claude-sonnet-4-6",
    "vertex": "claude-sonnet-4-6",
    "foundry": "claude-sonnet-4-6",
}


async def per_call_ms(name: str, n: int) -> float:
    platform = None if name == "anthropic" else PlatformConfig(name=PlatformName(name))
    server = build_server(Settings(sandbox=True, profile=Profile.ADMIN, platform=platform), sandbox=Sandbox())
    args = {"model": MODELS[name], "max_tokens": 300, "messages": MESSAGES}
    async with Client(server) as client:
        for _ in range(5):  # warm-up
            await client.call_tool("send_message", args)
        started = time.perf_counter()
        for _ in range(n):
            result = await client.call_tool("send_message", args)
            assert not result.is_error, result.content
        return (time.perf_counter() - started) * 1000 / n


async def sign_us(n: int) -> float:
    config = PlatformConfig(
        name=PlatformName.BEDROCK,
        region="us-east-1",
        aws_access_key_id=SANDBOX_AWS_ACCESS_KEY_ID,
        aws_secret_access_key=Secret(SANDBOX_AWS_SECRET_ACCESS_KEY),
    )
    bedrock = Bedrock(config)
    request = httpx.Request(
        "POST",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/invoke-with-response-stream",
        content=b'{"max_tokens":300}',
    )
    bedrock._sign(request)  # warm-up: botocore's first use loads its modules
    started = time.perf_counter()
    for _ in range(n):
        bedrock._sign(request)
    return (time.perf_counter() - started) * 1e6 / n


async def decode_mb_s(events: int) -> float:
    delta = b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"' + b"x" * 200 + b'"}}'
    body = eventstream.chunk(delta) * events
    bedrock = Bedrock(PlatformConfig(name=PlatformName.BEDROCK, region="us-east-1", token=Secret("t")))
    request = httpx.Request("POST", "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/x")
    headers = {"content-type": "application/vnd.amazon.eventstream"}
    response = httpx.Response(200, headers=headers, stream=httpx.ByteStream(body), request=request)
    bedrock.adapt(response)
    started = time.perf_counter()
    count = sum([1 async for _ in aiter_sse(response.aiter_bytes())])
    elapsed = time.perf_counter() - started
    assert count == events
    return len(body) / elapsed / 1e6


async def main(n: int, rounds: int) -> None:
    rows: dict[str, list[float]] = {name: [] for name in MODELS}
    for _ in range(rounds):
        for name in MODELS:  # interleaved, so a busy moment does not favour one platform
            rows[name].append(await per_call_ms(name, n))
    print(f"send_message per call, in process, median of {rounds} rounds x {n} calls:")
    base = statistics.median(rows["anthropic"])
    for name, values in rows.items():
        median = statistics.median(values)
        print(f"  {name:<10} {median:7.2f} ms   (+{median - base:5.2f} ms vs anthropic)")
    print(f"SigV4 signature (botocore), one request: {await sign_us(2000):.0f} µs")
    print(f"Bedrock event stream → SSE decoding: {await decode_mb_s(20000):.1f} MB/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    anyio.run(main, options.n, options.rounds)
