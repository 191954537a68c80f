"""PlatformTransport: around the one client's transport, a platform call's successful answer is made to read
like Anthropic's (its request id as ``request-id``; Bedrock's AWS event stream as SSE), before any reader sees it.

Only requests that ``Platform.rewrite_request`` marked are touched: Admin API calls share the client and go
to Anthropic's API as they are. Error answers are left as they came; the platform parses them (``error``)
into the one error table.
"""

from __future__ import annotations

import httpx

from claude_api_mcp.client.platforms.base import PLATFORM_CALL, Platform


class PlatformTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, platform: Platform) -> None:
        self.inner, self.platform = inner, platform

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.extensions.get(PLATFORM_CALL) and 200 <= response.status_code < 300:
            response.request = request  # a transport's answer has none yet; the event stream decoder reads it
            self.platform.adapt(response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def plug(client: httpx.AsyncClient, platform: Platform | None) -> None:
    """Put ``platform``'s transport around every transport of ``client``: the default one and any proxy mount
    httpx made from the environment (HTTPS_PROXY...), so a proxied call is adapted too. Idempotent."""
    if platform is None:
        return
    current = client._transport
    if isinstance(current, PlatformTransport):
        current.platform = platform
    else:
        client._transport = PlatformTransport(current, platform)
    client._mounts = {
        pattern: _wrapped(mounted, platform) if mounted is not None else None
        for pattern, mounted in client._mounts.items()
    }


def _wrapped(transport: httpx.AsyncBaseTransport, platform: Platform) -> httpx.AsyncBaseTransport:
    if isinstance(transport, PlatformTransport):
        transport.platform = platform
        return transport
    return PlatformTransport(transport, platform)
