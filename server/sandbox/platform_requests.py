"""The sandbox's side of a platform request: which platform a URL shape belongs to, its auth check, and the
first-party request its body stands for (or the platform's refusal of that body)."""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass

from claude_api_mcp.client.platforms.base import BEDROCK_ARN, BEDROCK_ID
from claude_api_mcp.core.platform_config import PlatformName
from claude_api_mcp.sandbox.platform_auth import SANDBOX_GOOGLE_TOKEN, Refusal, check_bearer, check_foundry, check_sigv4

FIRST_PARTY_VERSIONS = frozenset({"2023-06-01", "2026-10-21"})  # the SDK's platform clients send its own version
BEDROCK_VERSIONS = FIRST_PARTY_VERSIONS | {"bedrock-2023-05-31"}
VERTEX_VERSIONS = FIRST_PARTY_VERSIONS | {"vertex-2023-10-16"}
_BEDROCK = re.compile(r"^/model/(?P<model>[^/]+)/(?P<action>invoke|invoke-with-response-stream)$")
_VERTEX = re.compile(
    r"^(?:/v1)?/projects/(?P<project>[^/]+)/locations/(?P<region>[^/]+)/publishers/anthropic/models/"
    r"(?P<model>[^/:]+):(?P<spec>rawPredict|streamRawPredict)$"
)
_FOUNDRY = re.compile(r"^/anthropic(?P<target>/v1/messages(?:/count_tokens)?)$")


@dataclass(frozen=True)
class Route:
    platform: PlatformName
    target: str  # the first-party path that answers it
    model: str | None  # the model named in the path (Bedrock, Vertex)
    stream: bool
    location: str | None = None  # Vertex: the location named in the path


def route(method: str, raw_path: str) -> Route | None:
    if method != "POST":
        return None
    if m := _BEDROCK.match(raw_path):
        model = urllib.parse.unquote(m["model"])
        return Route(PlatformName.BEDROCK, "/v1/messages", model, m["action"] == "invoke-with-response-stream")
    if m := _VERTEX.match(raw_path):
        model, location = urllib.parse.unquote(m["model"]), urllib.parse.unquote(m["region"])
        if model == "count-tokens":
            return Route(PlatformName.VERTEX, "/v1/messages/count_tokens", None, False, location)
        return Route(PlatformName.VERTEX, "/v1/messages", model, m["spec"] == "streamRawPredict", location)
    if m := _FOUNDRY.match(raw_path):
        return Route(PlatformName.FOUNDRY, m["target"], None, False)
    return None


def first_party_model(platform: PlatformName, model: str) -> str | None:
    """The sandbox model a platform's model id names (None: not an id this platform accepts)."""
    if platform is PlatformName.BEDROCK:
        if BEDROCK_ARN.match(model):
            model = model.split("/", 1)[1]
        if not BEDROCK_ID.match(model):
            return None
        bare = model.split("anthropic.", 1)[1]
        return re.sub(r"-v\d+(?::\d+)?$", "", bare)
    return model.replace("@", "-")


def authenticate(found: Route, method: str, url: str, headers: dict[str, str], body: bytes) -> Refusal | None:
    if found.platform is PlatformName.BEDROCK:
        return check_sigv4(method, url, headers, body)
    if found.platform is PlatformName.VERTEX:
        if check_bearer(headers, SANDBOX_GOOGLE_TOKEN):
            return _vertex_location(found, headers.get("host", ""))
        return Refusal(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
            "other valid authentication credential.",
        )
    if check_foundry(headers):
        return None
    return Refusal(
        401,
        "401",
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
        "for an active subscription and use a correct regional API endpoint for your resource.",
    )


_VERTEX_HOSTS = {
    "aiplatform.googleapis.com": "global",
    "aiplatform.us.rep.googleapis.com": "us",
    "aiplatform.eu.rep.googleapis.com": "eu",
}
_REGIONAL = "-aiplatform.googleapis.com"


def _vertex_location(found: Route, host: str) -> Refusal | None:
    """A Google endpoint serves its own location only (a custom base URL, e.g. the SDK's tests, is not checked)."""
    served = _VERTEX_HOSTS.get(host) or (host.removesuffix(_REGIONAL) if host.endswith(_REGIONAL) else None)
    if served is None or served == found.location:
        return None
    return Refusal(
        400, "INVALID_ARGUMENT", f"Location {found.location!r} is not served at {host}: use the {served!r} endpoint."
    )


def first_party_request(found: Route, raw: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]] | Refusal:
    """The first-party request for a platform's body, or the platform's refusal of it."""
    inner = {"x-api-key": "sk-ant-api03-sandbox-not-a-secret", "content-type": "application/json"}
    if found.platform is PlatformName.FOUNDRY:  # Foundry speaks the first-party API as it is
        inner["anthropic-version"] = headers.get("anthropic-version", "")
        if beta := headers.get("anthropic-beta"):
            inner["anthropic-beta"] = beta
        return raw, inner
    bedrock = found.platform is PlatformName.BEDROCK
    bad = "ValidationException" if bedrock else "invalid_request_error"
    try:
        body = json.loads(raw)
    except ValueError:
        return Refusal(400, bad, "Malformed input request, please reformat your input and try again.")
    if not isinstance(body, dict):
        return Refusal(400, bad, "Malformed input request: #: expected type: JSONObject")
    version = body.pop("anthropic_version", None)
    if version is None:
        return Refusal(400, bad, "Malformed input request: #: required key [anthropic_version] not found")
    if version not in (BEDROCK_VERSIONS if bedrock else VERTEX_VERSIONS):
        return Refusal(400, bad, f"Invalid API version {version!r}")
    inner["anthropic-version"] = "2023-06-01"
    if bedrock:
        for extraneous in ("model", "stream"):
            if extraneous in body:
                return Refusal(400, bad, f"Malformed input request: #: extraneous key [{extraneous}] is not permitted")
        betas = body.pop("anthropic_beta", None)
        if betas is not None:
            if not isinstance(betas, list) or not all(isinstance(b, str) for b in betas):
                return Refusal(400, bad, "Malformed input request: #/anthropic_beta: expected type: JSONArray")
            inner["anthropic-beta"] = ",".join(betas)
        if found.stream:
            body["stream"] = True
    elif found.target == "/v1/messages":
        if "model" in body:
            return Refusal(400, bad, "model: the model is named in the URL, not the body")
        if bool(body.get("stream")) != found.stream:
            return Refusal(400, bad, "stream: must be true with :streamRawPredict and absent with :rawPredict")
    elif isinstance(body.get("model"), str):  # Vertex's token counting keeps the model in the body
        body["model"] = first_party_model(found.platform, body["model"])
    if found.model is not None:
        model = first_party_model(found.platform, found.model)
        if model is None:
            return Refusal(400, bad, "The provided model identifier is invalid.")
        body["model"] = model
    return json.dumps(body).encode(), inner
