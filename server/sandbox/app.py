"""The sandbox's ASGI app: the API's header checks, request ids and error envelope around every route."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claude_api_mcp.sandbox.betas import check_betas
from claude_api_mcp.sandbox.generic import FALLBACK
from claude_api_mcp.sandbox.routes import ROUTES
from claude_api_mcp.sandbox.wire import SandboxError, error_body, error_response, key_kind, new_request_id

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.state import SandboxState as Sandbox

KNOWN_VERSIONS = frozenset({"2023-06-01", "2026-10-21"})


class ApiConventions:
    """Checks headers like the API does, records the request, stamps a request id on every response."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app, self.sandbox = app, sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from claude_api_mcp.sandbox.state import RecordedRequest

        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        bearer = headers.get("authorization", "").removeprefix("Bearer ").strip()
        key = headers.get("x-api-key") or bearer
        kind = key_kind(key) if key else None
        self.sandbox.requests.append(
            RecordedRequest(
                method=scope["method"],
                path=scope["path"],
                query=Request(scope).query_params.multi_items(),
                key_kind=kind,
                content_type=headers.get("content-type"),
                body=body,
                beta=headers.get("anthropic-beta"),
            )
        )

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"request-id", request_id.encode()),
                        (b"anthropic-organization-id", b"3f2a9c1e-7b4d-4e8a-9c61-5d0b2e8f4a17"),
                    ],
                }
            await send(message)

        failure = self._check(scope["path"], headers, key, kind)
        if failure is not None:
            response = Response(
                error_body(failure.status, failure.type, failure.message, request_id),
                status_code=failure.status,
                media_type="application/json",
            )
            await response(scope, receive, send_with_id)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send_with_id)

    def _check(self, path: str, headers: dict[str, str], key: str, kind: str | None) -> SandboxError | None:
        version = headers.get("anthropic-version")
        if not version:
            return SandboxError(400, "invalid_request_error", "anthropic-version: header is required")
        if version not in KNOWN_VERSIONS:
            return SandboxError(400, "invalid_request_error", f"anthropic-version: unknown version {version!r}")
        if not key:
            return SandboxError(401, "authentication_error", "x-api-key header is required")
        if kind is None or key in self.sandbox.revoked_keys:
            return SandboxError(401, "authentication_error", "invalid x-api-key")
        if path.startswith("/v1/organizations") and kind != "admin":
            return SandboxError(403, "permission_error", "This endpoint requires an Admin API key (sk-ant-admin...).")
        if not path.startswith("/v1/organizations") and kind == "admin":
            return SandboxError(401, "authentication_error", "invalid x-api-key: Admin keys only work on the Admin API")
        return check_betas(headers.get("anthropic-beta"))


async def _sandbox_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SandboxError)
    return error_response(exc, request.scope.get("state", {}).get("request_id", new_request_id()))


async def _not_found(request: Request, exc: Exception) -> Response:
    err = SandboxError(404, "not_found_error", f"Not found: {request.method} {request.url.path}")
    return error_response(err, request.scope.get("state", {}).get("request_id", new_request_id()))


def build_app(sandbox: Sandbox) -> Starlette:
    app = Starlette(
        routes=[*ROUTES, FALLBACK],  # every catalog operation without a hand-written route: the generic simulator
        exception_handlers={SandboxError: _sandbox_error, 404: _not_found, 405: _not_found},
    )
    app.state.sandbox = sandbox
    app.add_middleware(ApiConventions, sandbox=sandbox)
    from claude_api_mcp.sandbox.platforms import PlatformGateway  # Bedrock/Vertex/Foundry URL shapes, outermost

    app.add_middleware(PlatformGateway, sandbox=sandbox)
    return app
