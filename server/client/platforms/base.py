"""Platform: what changes when the core API's calls go to Claude on another cloud instead of Anthropic's API.

``AnthropicAPI`` (server/client/http.py) builds every call as a first-party request; for calls made with the
standard API key, a platform then rewrites it (URL, body, headers: ``rewrite_request``), signs each attempt
(``auth``, an ``httpx.Auth``: server/client/platforms/auth.py), makes its successful responses read like
Anthropic's (``adapt``, run by ``PlatformTransport`` around the client's transport: the request id, Bedrock's
event stream as SSE) and parses its errors (``error``). Everything else — the one httpx client, its
timeouts, the retry policy, the error table — stays shared. Admin API calls never pass through a platform:
they still go to Anthropic's API.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from claude_api_mcp.client.platforms.auth import PlatformAuth
from claude_api_mcp.client.responses import error_from_response, parse_retry_after
from claude_api_mcp.core.config import DEFAULT_BASE_URL, Settings
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName

PLATFORM_CALL = "claude_api_mcp.platform_call"  # request extension: a rewritten call whose answer is adapted
# Model id shapes that belong to one platform, for saying which form the current platform wants instead.
BEDROCK_ID = re.compile(r"^(?:[a-z]{2,6}\.)?anthropic\.claude[a-z0-9.-]*(?::\d+)?$")
BEDROCK_ARN = re.compile(
    r"^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:(?:\d{12})?:"
    r"(?:foundation-model|inference-profile|application-inference-profile|provisioned-model|custom-model"
    r"|imported-model|custom-model-deployment)/[A-Za-z0-9._:/-]+$"
)
VERTEX_ID = re.compile(r"^claude-[a-z0-9.-]+@[0-9]{8}$")
FIRST_PARTY_DATED = re.compile(r"^(claude-[a-z0-9.-]+?)-([0-9]{8})$")  # claude-sonnet-4-5-20250929


def platform_form(model: str) -> PlatformName | None:
    """Which platform a model id's shape belongs to, when the shape says so."""
    if BEDROCK_ID.match(model) or BEDROCK_ARN.match(model):
        return PlatformName.BEDROCK
    if VERTEX_ID.match(model):
        return PlatformName.VERTEX
    return None


class Platform:
    """Anthropic's own API is no platform (``None``); a subclass changes only what differs from it."""

    request_id_headers: tuple[str, ...] = ("request-id",)
    paths: frozenset[str] = frozenset()  # the first-party POST paths the platform serves
    auth: PlatformAuth  # signs each attempt (server/client/platforms/auth.py)

    def __init__(self, config: PlatformConfig) -> None:
        self.config = config
        self.endpoint = config.endpoint()

    @property
    def name(self) -> PlatformName:
        return self.config.name

    @property
    def credential(self) -> str:
        """What a person checks when the platform refuses the credentials (for 401/403 messages)."""
        raise NotImplementedError

    def credentials_found(self) -> str:
        """Where the credentials come from, for doctor (never the secret)."""
        raise NotImplementedError

    def rewrite_request(self, request: httpx.Request, path: str) -> httpx.Request:
        """The platform's request for the first-party ``request`` to ``path``, not yet signed (``auth`` signs each
        attempt), marked for ``PlatformTransport`` to adapt its answer. Rewriting is done here, before sending,
        not in the transport: httpx runs the auth flow before the transport, and SigV4 signs the final URL and body."""
        if request.method != "POST" or path not in self.paths:  # before reading a body that may be a file upload
            raise self.unsupported(request.method, path)
        body: Any = json.loads(request.content) if request.content else None
        headers = {
            k: v for k, v in request.headers.items() if k not in ("host", "content-length", "x-api-key", "connection")
        }
        url, body = self.rewrite(request.method, path, body, headers)
        content = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
        if body is not None:
            headers["content-type"] = "application/json"
        extensions = {**request.extensions, PLATFORM_CALL: True}
        return httpx.Request(request.method, url, headers=headers, content=content, extensions=extensions)

    async def prepare(self, request: httpx.Request, path: str) -> httpx.Request:
        """Rewritten and signed once: for sending with any client (the server's own signs every attempt)."""
        rewritten = self.rewrite_request(request, path)
        await self.authenticate(rewritten)
        return rewritten

    def rewrite(self, method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[str, Any]:
        """The absolute URL and body for this call; may edit ``headers`` in place."""
        raise NotImplementedError

    async def authenticate(self, request: httpx.Request) -> None:
        await self.auth.sign(request)

    def unsupported(self, method: str, path: str) -> ApiError:
        """A call the platform does not serve (its tools are not listed, so only direct use gets here)."""
        return ApiError(
            message=f"{self.config.label} does not serve {method} {path}; it needs Anthropic's API "
            "(--platform anthropic)",
            status=404,
            type="not_found_error",
        )

    def request_id(self, headers: httpx.Headers) -> str | None:
        for name in self.request_id_headers:
            if value := headers.get(name):
                return str(value)
        return None

    def error(self, response: httpx.Response, body: bytes) -> ApiError:
        """The platform's error as an ApiError, with any of our credentials a hostile endpoint echoed removed."""
        err = self.parse_error(response, body)
        for secret in (self.config.token, self.config.aws_secret_access_key, self.config.aws_session_token):
            if secret is not None and len(secret.reveal()) >= 8:
                err.message = err.message.replace(secret.reveal(), "[redacted]")
        return err

    def parse_error(self, response: httpx.Response, body: bytes) -> ApiError:
        """The platform's error shape → ApiError. Claude's own errors pass through in Anthropic's envelope."""

        err = error_from_response(response, body)
        err.request_id = err.request_id or self.request_id(response.headers)
        err.credential = self.credential
        if err.status == 404:
            err.message = f"{err.message.rstrip('. ')} ({self.config.label} wants {self.wanted_form})"
        return err

    def adapt(self, response: httpx.Response) -> None:
        """Make a successful response read like Anthropic's: the platform's request id as ``request-id``.

        Bedrock also turns its event stream into SSE here, so every reader of a Messages stream (and every
        bound on it) works unchanged."""
        if "request-id" not in response.headers and (request_id := self.request_id(response.headers)):
            response.headers["request-id"] = request_id

    def model_problem(self, model: str) -> str | None:
        """Why ``model`` is not in a form this platform accepts, saying which form it wants; None when fine."""
        form = platform_form(model)
        if form is not None and form is not self.name:
            return f"{model!r} is {form.label}'s model id form; {self.config.label} wants {self.wanted_form}."
        return None

    @property
    def wanted_form(self) -> str:
        raise NotImplementedError


def anthropic_model_problem(model: str, settings: Settings) -> str | None:
    """Anthropic's API (no platform): a Bedrock or Vertex id is a mistake worth naming before the call. Behind a
    custom --base-url (a gateway may route any model name) that is left to the gateway."""
    form = platform_form(model)
    if form is None or (settings.base_url != DEFAULT_BASE_URL and not settings.sandbox):
        return None
    return (
        f"{model!r} is {form.label}'s model id form; Anthropic's API wants an id like claude-sonnet-4-5 or "
        f"claude-sonnet-4-5-20250929 (list_models). To use {form.label}, start the server with --platform "
        f"{form.value}."
    )


def google_error(response: httpx.Response, body: bytes, payload: Any) -> ApiError | None:
    """Google's error shape (``{"error": {"code", "message", "status", "details"}}``, sometimes in a list)."""

    if isinstance(payload, list) and payload:
        payload = payload[0]
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict) or "status" not in error:
        return None
    status_name = str(error.get("status"))
    request_id = None
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RequestInfo"):
            request_id = detail.get("requestId")
    return ApiError(
        message=f"{status_name}: {error.get('message') or response.reason_phrase}",
        status=response.status_code,
        type=status_name,
        request_id=request_id,
        retry_after=parse_retry_after(response.headers),
    )


def loads(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None
