"""The sandbox at Amazon Bedrock's, Google Vertex AI's and Microsoft Foundry's URL shapes.

An ASGI layer in front of the first-party app: a request at a platform's path is authenticated the way
that platform does it (``platform_auth``), its body checked and translated to the first-party request,
answered by the same simulated models, and the answer translated back: Bedrock's errors as AWS restJson
errors and its stream as AWS event-stream frames; Vertex's and Foundry's as SSE, Claude's errors in
Anthropic's envelope and the platform front end's own (quota, key) errors in Google's or Azure's shape.
Anything else passes through untouched.
"""

from __future__ import annotations

import json
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claude_api_mcp.client.sse import SSEParser
from claude_api_mcp.core.platform_config import PlatformName
from claude_api_mcp.sandbox import eventstream
from claude_api_mcp.sandbox.platform_auth import GOOGLE_STS_PATH, Refusal, google_sts
from claude_api_mcp.sandbox.platform_requests import Route, authenticate, first_party_request, route
from claude_api_mcp.sandbox.wire import new_request_id

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.state import SandboxState as Sandbox

# Anthropic's error types → AWS's exception and status for the same failure.
_AWS_ERRORS = {
    "invalid_request_error": ("ValidationException", 400),
    "request_too_large": ("ValidationException", 400),
    "not_found_error": ("ResourceNotFoundException", 404),
    "authentication_error": ("AccessDeniedException", 403),
    "permission_error": ("AccessDeniedException", 403),
    "rate_limit_error": ("ThrottlingException", 429),
    "timeout_error": ("ModelTimeoutException", 408),
    "overloaded_error": ("ServiceUnavailableException", 503),
}
_AWS_STREAM_ERRORS = {
    "rate_limit_error": "throttlingException",
    "overloaded_error": "serviceUnavailableException",
    "invalid_request_error": "validationException",
    "timeout_error": "modelTimeoutException",
}


@dataclass
class PlatformCall:
    """One request as a platform would receive it (the sandbox's stand-in credentials only)."""

    platform: PlatformName
    method: str
    url: str
    headers: dict[str, str]
    body: bytes = field(repr=False)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class InjectedError:
    """An error the platform's front end answers with (before Claude sees the request), for tests."""

    platform: PlatformName
    status: int
    code: str  # AWS exception name, Google status (RESOURCE_EXHAUSTED) or Azure code ("429")
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass
class PlatformState:
    calls: deque[PlatformCall] = field(default_factory=lambda: deque(maxlen=1000))
    errors: list[InjectedError] = field(default_factory=list)

    def take_error(self, platform: PlatformName) -> InjectedError | None:
        for err in self.errors:
            if err.platform is platform:
                err.times -= 1
                if err.times <= 0:
                    self.errors.remove(err)
                return err
        return None


def platform_state(sandbox: Sandbox) -> PlatformState:
    state: PlatformState = sandbox.area("platforms", lambda _: PlatformState())
    return state


class PlatformGateway:
    """ASGI middleware: platform requests in, first-party requests to ``app``, platform answers out."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app, self.sandbox = app, sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path = (scope.get("raw_path") or scope.get("path", "").encode()).decode("latin-1") if scope else ""
        found = route(scope.get("method", ""), raw_path) if scope["type"] == "http" else None
        google_sts_call = scope["type"] == "http" and scope["method"] == "POST" and raw_path == GOOGLE_STS_PATH
        if found is None and not google_sts_call:
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if found is None:
            status, token = google_sts(body)
            start: Message = {"type": "http.response.start", "status": status}
            await send({**start, "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": json.dumps(token).encode()})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = scope.get("query_string", b"").decode("latin-1")
        host = headers.get("host", "")
        url = f"{scope.get('scheme', 'http')}://{host}{raw_path}" + (f"?{query}" if query else "")
        state = platform_state(self.sandbox)
        state.calls.append(PlatformCall(found.platform, scope["method"], url, headers, body))
        reply = Reply(found, send)
        refusal = authenticate(found, scope["method"], url, headers, body)
        if refusal is not None:
            await reply.platform_error(refusal.status, refusal.code, refusal.message)
            return
        if (injected := state.take_error(found.platform)) is not None:
            await reply.platform_error(injected.status, injected.code, injected.message, injected.headers)
            return
        translated = first_party_request(found, body, headers)
        if isinstance(translated, Refusal):
            await reply.platform_error(translated.status, translated.code, translated.message)
            return
        inner_body, inner_headers = translated
        inner_scope = {
            **scope,
            "path": found.target,
            "raw_path": found.target.encode(),
            "query_string": b"",
            "headers": [(k.encode(), v.encode()) for k, v in inner_headers.items()],
        }
        sent = False

        async def inner_receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": inner_body, "more_body": False}
            return await receive()

        await self.app(inner_scope, inner_receive, reply.relay)


class Reply:
    """Translates the first-party app's answer into the platform's."""

    def __init__(self, found: Route, send: Send) -> None:
        self.found, self.send = found, send
        self.request_id = str(uuid.uuid4()) if found.platform is PlatformName.BEDROCK else new_request_id()
        self.status = 200
        self.error_body = b""
        self.sse = SSEParser()
        self.usage: dict[str, Any] = {}

    @property
    def bedrock_stream(self) -> bool:
        return self.found.platform is PlatformName.BEDROCK and self.found.stream

    def _id_headers(self) -> list[tuple[bytes, bytes]]:
        if self.found.platform is PlatformName.BEDROCK:
            return [(b"x-amzn-requestid", self.request_id.encode())]
        if self.found.platform is PlatformName.FOUNDRY:
            return [(b"apim-request-id", str(uuid.uuid4()).encode())]
        return []

    async def platform_error(
        self, status: int, code: str, message: str, extra: dict[str, str] | None = None, *, claude: bool = False
    ) -> None:
        """The platform front end's own error shape (AWS restJson, Google, Azure), or with ``claude`` (Vertex and
        Foundry) Claude's own error passed through in Anthropic's envelope."""
        platform = self.found.platform
        headers = [(b"content-type", b"application/json"), *self._id_headers()]
        headers += [(k.lower().encode(), v.encode()) for k, v in (extra or {}).items()]
        if platform is PlatformName.BEDROCK:
            payload: Any = {"message": message}
            headers.append(
                (b"x-amzn-errortype", f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/".encode())
            )
        elif claude or (platform is PlatformName.VERTEX and code.islower()):
            payload = {"type": "error", "error": {"type": code, "message": message}, "request_id": self.request_id}
            headers.append((b"request-id", self.request_id.encode()))
        elif platform is PlatformName.VERTEX:
            detail = {"@type": "type.googleapis.com/google.rpc.RequestInfo", "requestId": self.request_id}
            payload = {"error": {"code": status, "message": message, "status": code, "details": [detail]}}
        else:
            payload = {"error": {"code": code, "message": message}}
        await self.send({"type": "http.response.start", "status": status, "headers": headers})
        await self.send({"type": "http.response.body", "body": json.dumps(payload).encode()})

    async def relay(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            if self.status >= 400:
                return  # answered once the whole error body is in
            headers = [
                (k, v) for k, v in message.get("headers", []) if k.lower() not in (b"content-type", b"content-length")
            ]
            content_type = next((v for k, v in message.get("headers", []) if k.lower() == b"content-type"), b"")
            if self.found.platform is PlatformName.BEDROCK:
                headers = [(k, v) for k, v in headers if k.lower() != b"request-id"]
                headers.append((b"x-amzn-bedrock-content-type", b"application/json"))
                if self.bedrock_stream:
                    content_type = b"application/vnd.amazon.eventstream"
            headers += [(b"content-type", content_type), *self._id_headers()]
            await self.send({**message, "headers": headers})
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        chunk, more = message.get("body", b""), message.get("more_body", False)
        if self.status >= 400:
            self.error_body += chunk
            if not more:
                await self._translate_error()
            return
        if self.bedrock_stream:
            chunk = b"".join(self._frames(event.event, event.data) for event in self.sse.feed(chunk))
        await self.send({"type": "http.response.body", "body": chunk, "more_body": more})

    async def _translate_error(self) -> None:
        try:
            error = json.loads(self.error_body)["error"]
            kind, text = str(error["type"]), str(error["message"])
        except (ValueError, KeyError, TypeError):
            kind, text = "api_error", "Internal server error"
        if self.found.platform is PlatformName.BEDROCK:
            code, status = _AWS_ERRORS.get(kind, ("InternalServerException", 500))
            await self.platform_error(status, code, text)
        else:  # Vertex and Foundry pass Claude's errors through in Anthropic's envelope
            await self.platform_error(self.status, kind, text, claude=True)

    def _frames(self, event: str, data: str) -> bytes:
        if event == "ping":
            return b""  # Bedrock's stream carries only the Messages events themselves
        payload = json.loads(data)
        if event == "error":
            error = payload.get("error") or {}
            name = _AWS_STREAM_ERRORS.get(str(error.get("type")), "internalServerException")
            return eventstream.exception(name, str(error.get("message") or name))
        if event == "message_start":
            self.usage.update(payload["message"].get("usage") or {})
        elif event == "message_delta":
            self.usage.update({k: v for k, v in (payload.get("usage") or {}).items() if v is not None})
        elif event == "message_stop":
            payload["amazon-bedrock-invocationMetrics"] = eventstream.invocation_metrics(self.usage, 120)
            data = json.dumps(payload, separators=(",", ":"))
        return eventstream.chunk(data.encode())
