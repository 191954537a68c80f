"""Amazon Bedrock (InvokeModel): SigV4 or a Bedrock API key, the model in the path, an AWS event stream back.

As anthropic 2.14.0's ``AnthropicBedrock`` does: ``POST /model/{model}/invoke-with-response-stream`` (or
``/invoke``), the model and ``stream`` taken out of the body, ``anthropic_version`` and ``anthropic_beta``
put in. The stream is AWS's binary event stream: frames with CRC32 checksums, each ``chunk`` event holding
one Messages event as base64 JSON. botocore decodes the frames (and checks every checksum) and signs.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

import httpx

from claude_api_mcp.client.platforms.auth import Bearer, SigV4
from claude_api_mcp.client.platforms.base import BEDROCK_ARN, BEDROCK_ID, FIRST_PARTY_DATED, Platform, loads
from claude_api_mcp.client.responses import parse_retry_after
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.platform_config import MissingExtra, PlatformConfig, PlatformName, require_extra

EVENT_STREAM = "application/vnd.amazon.eventstream"
_SLICE = 4096
EVENT_NAME = re.compile(r"^[a-z_]{1,64}$")  # a Messages event type: nothing that could break an SSE line
BEDROCK_VERSION = "bedrock-2023-05-31"  # the anthropic_version Bedrock documents for the Messages API
# Exceptions inside the event stream → the Messages API's error types, so the one error table words them.
STREAM_ERROR_TYPES = {
    "throttlingException": "rate_limit_error",
    "serviceUnavailableException": "overloaded_error",
    "modelTimeoutException": "timeout_error",
    "validationException": "invalid_request_error",
    "internalServerException": "api_error",
    "modelStreamErrorException": "api_error",
}
# What to do about the errors whose AWS name says more than the status.
HINTS = {
    "ModelNotReadyException": "the model is not ready to serve yet (it is being loaded); retried automatically",
    "ThrottlingException": "AWS throttled the request (account quota for this model)",
    "ServiceQuotaExceededException": "the request exceeds an AWS service quota; request an increase in Service Quotas",
    "AccessDeniedException": "the AWS identity may not invoke this model: enable model access in the Bedrock "
    "console and allow bedrock:InvokeModelWithResponseStream",
    "ResourceNotFoundException": "no such model or inference profile in this region; Amazon Bedrock wants an id "
    "like anthropic.claude-sonnet-4-5-20250929-v1:0 or an inference profile like us.anthropic.…",
}


class Bedrock(Platform):
    request_id_headers = ("x-amzn-requestid",)
    paths = frozenset({"/v1/messages"})

    def __init__(self, config: PlatformConfig) -> None:
        super().__init__(config)
        if config.token is None:
            require_extra(PlatformName.BEDROCK, "request signing (SigV4)")
        self.auth = Bearer(config.token, self.credential) if config.token else SigV4(config, self.credential)

    @property
    def credential(self) -> str:
        if self.config.token is not None:
            return "the Bedrock API key in AWS_BEARER_TOKEN_BEDROCK"
        return "the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO or the instance role)"

    @property
    def wanted_form(self) -> str:
        return (
            "a Bedrock model id like anthropic.claude-sonnet-4-5-20250929-v1:0, an inference profile like "
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0, or an ARN"
        )

    def model_problem(self, model: str) -> str | None:
        if BEDROCK_ID.match(model) or BEDROCK_ARN.match(model):
            return None
        if problem := super().model_problem(model):
            return problem
        dated = FIRST_PARTY_DATED.match(model)
        example = f"anthropic.{dated.group(1)}-{dated.group(2)}-v1:0" if dated else None
        hint = f" (for this model probably {example!r}, or with a us./eu./global. prefix)" if example else ""
        return f"{model!r} is not a Bedrock model id; Amazon Bedrock wants {self.wanted_form}{hint}."

    def rewrite(self, method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[str, Any]:
        if method != "POST" or path != "/v1/messages" or not isinstance(body, dict):
            raise self.unsupported(method, path)
        body = dict(body)
        model = str(body.pop("model", ""))
        stream = bool(body.pop("stream", False))
        body.setdefault("anthropic_version", BEDROCK_VERSION)
        headers.pop("anthropic-version", None)
        if betas := headers.pop("anthropic-beta", None):
            body.setdefault("anthropic_beta", [b.strip() for b in betas.split(",") if b.strip()])
        quoted = urllib.parse.quote(model, safe=":")  # an ARN's slashes are escaped into the one path segment
        action = "invoke-with-response-stream" if stream else "invoke"
        if stream:
            headers["accept"] = EVENT_STREAM
        return f"{self.endpoint}/model/{quoted}/{action}", body

    @property
    def region(self) -> str:
        return self.config.region or "us-east-1"

    def resolve(self) -> Any:
        """botocore's credentials, as SigV4 finds them (for doctor)."""
        return SigV4(self.config, self.credential).resolve()

    def credentials_found(self) -> str:
        if self.config.token is not None:
            return f"a Bedrock API key from {self.config.token_source}"
        try:
            creds = self.resolve()
        except (ApiError, MissingExtra) as exc:
            return f"none: {exc.message if isinstance(exc, ApiError) else exc}"
        method = getattr(creds, "method", None) or "unknown source"
        return f"AWS credentials via {method} (access key {str(creds.access_key)[:4]}…), signed with SigV4"

    def parse_error(self, response: httpx.Response, body: bytes) -> ApiError:
        """restJson errors: ``{"message": ...}`` with the exception's name in ``x-amzn-ErrorType``."""
        payload = loads(body)
        kind = (response.headers.get("x-amzn-errortype") or "").split(":")[0]
        if isinstance(payload, dict) and not kind:
            kind = str(payload.get("__type") or "").rsplit("#", 1)[-1]
        if not kind or not isinstance(payload, dict) or payload.get("type") == "error":
            return super().parse_error(response, body)  # Claude's own envelope, or a proxy's page
        message = str(payload.get("message") or payload.get("Message") or response.reason_phrase)
        hint = HINTS.get(kind)
        return ApiError(
            message=f"{kind}: {message}" + (f" ({hint})" if hint else ""),
            status=response.status_code,
            type=kind,
            request_id=self.request_id(response.headers),
            retry_after=parse_retry_after(response.headers),
            credential=self.credential,
        )

    def adapt(self, response: httpx.Response) -> None:
        super().adapt(response)
        if response.headers.get("content-type", "").startswith(EVENT_STREAM):
            response.stream = EventStreamAsSSE(response)
            response.headers.pop("content-encoding", None)  # the transcoder decodes; SSE leaves it plain
            response.headers["content-type"] = "text/event-stream"


class EventStreamAsSSE(httpx.AsyncByteStream):
    """Bedrock's AWS event stream as the Messages API's SSE: botocore checks each frame's lengths and CRCs; each
    chunk's JSON is parsed and written back on one line, so no upstream byte can forge an SSE field."""

    def __init__(self, response: httpx.Response) -> None:
        # A second view of the same bytes, to let httpx undo any content-encoding before the frames are read.
        self._decoded = httpx.Response(
            response.status_code, headers=response.headers, stream=response.stream, request=response.request
        )

    async def __aiter__(self) -> AsyncIterator[bytes]:
        from botocore.eventstream import EventStreamBuffer, ParserError

        frames = EventStreamBuffer()
        async for chunk in self._decoded.aiter_bytes():
            # botocore's buffer copies what follows each frame it takes off, so a large chunk of small frames
            # costs quadratic time: feed it in small slices (its buffer then stays small).
            for start in range(0, len(chunk), _SLICE):
                frames.add_data(chunk[start : start + _SLICE])
                try:
                    events = [_event(frame.headers, frame.payload) for frame in frames]
                except ParserError as exc:  # a bad checksum or length: the bytes were damaged or forged
                    raise httpx.DecodingError(f"AWS event stream frame rejected ({type(exc).__name__})") from exc
                except ValueError as exc:
                    raise httpx.DecodingError(str(exc)) from exc
                if events := [e for e in events if e is not None]:
                    yield b"".join(f"event: {name}\ndata: {data}\n\n".encode() for name, data in events)

    async def aclose(self) -> None:
        await self._decoded.aclose()


def _event(headers: dict[str, Any], payload: bytes) -> tuple[str, str] | None:
    """One frame as an SSE event (name, one-line JSON data), or None for a frame that is not a Messages event."""
    kind = headers.get(":message-type")
    if kind in ("exception", "error"):
        name = str(headers.get(":exception-type") or headers.get(":error-code") or "exception")
        detail = loads(payload)
        message = detail.get("message") if isinstance(detail, dict) else None
        message = message or headers.get(":error-message") or name
        error = {"type": STREAM_ERROR_TYPES.get(name, "api_error"), "message": f"{name}: {message}"}
        return "error", json.dumps({"type": "error", "error": error})
    if kind != "event" or headers.get(":event-type") != "chunk":
        return None  # other event types may be added: skip what is not a chunk
    wrapper = loads(payload)
    try:
        raw = base64.b64decode(wrapper["bytes"], validate=True).decode()
        data = json.loads(raw)
    except (TypeError, KeyError, ValueError, binascii.Error) as exc:
        raise ValueError("an AWS event stream chunk is not base64 JSON") from exc
    if not isinstance(data, dict) or not EVENT_NAME.match(str(data.get("type"))):
        raise ValueError("an AWS event stream chunk is not a Messages event")
    return str(data["type"]), json.dumps(data, separators=(",", ":"))
