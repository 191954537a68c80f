"""Google Vertex AI: a Google access token, the project, region and model in the path, SSE back.

As anthropic 2.14.0's ``AnthropicVertex`` does: ``POST {base}/projects/{project}/locations/{region}/publishers/
anthropic/models/{model}:streamRawPredict`` (``:rawPredict`` without streaming), the model taken out of the
body and ``anthropic_version`` put in; token counting at ``.../models/count-tokens:rawPredict`` with the
model kept in the body. The token is ``GOOGLE_OAUTH_ACCESS_TOKEN`` or comes from Application Default
Credentials through google-auth, refreshed when it expires.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

import httpx

from claude_api_mcp.client.platforms.auth import CLOUD_PLATFORM_SCOPE, Bearer, GoogleADC
from claude_api_mcp.client.platforms.base import FIRST_PARTY_DATED, Platform, google_error, loads
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.platform_config import MissingExtra, PlatformConfig, PlatformName, require_extra

VERTEX_VERSION = "vertex-2023-10-16"  # the anthropic_version Vertex AI documents for Claude
VERTEX_MODEL = re.compile(r"^claude-[A-Za-z0-9._-]+(?:@[A-Za-z0-9._-]+)?$")  # one path segment, nothing to escape
_PCHAR = "!$&'()*+,=:@"  # RFC 3986 path characters kept as they are; ';' is escaped, as the SDK does
HINTS = {
    "RESOURCE_EXHAUSTED": "a Vertex AI quota was exceeded (requests or tokens per minute for this model and "
    "region); retry later or request a quota increase in the Google Cloud console",
    "PERMISSION_DENIED": "the Google identity needs the Vertex AI User role (aiplatform.endpoints.predict) and "
    "the model enabled in Model Garden",
    "NOT_FOUND": "no such model in this project and region (check CLOUD_ML_REGION and the model's @version)",
    "UNAUTHENTICATED": "the access token is missing, expired or invalid",
}


class Vertex(Platform):
    request_id_headers = ("request-id", "x-goog-request-id")
    paths = frozenset({"/v1/messages", "/v1/messages/count_tokens"})

    def __init__(self, config: PlatformConfig) -> None:
        super().__init__(config)
        if config.token is None:
            require_extra(PlatformName.VERTEX, "Application Default Credentials")
        self.auth = Bearer(config.token, self.credential) if config.token else GoogleADC(self.credential)

    @property
    def credential(self) -> str:
        if self.config.token is not None:
            return "the access token in GOOGLE_OAUTH_ACCESS_TOKEN"
        return (
            "Google Application Default Credentials (gcloud auth application-default login, or "
            "GOOGLE_APPLICATION_CREDENTIALS)"
        )

    @property
    def wanted_form(self) -> str:
        return "a Vertex AI model id like claude-sonnet-4-5@20250929 (the version after @)"

    def model_problem(self, model: str) -> str | None:
        if problem := super().model_problem(model):
            return problem
        if dated := FIRST_PARTY_DATED.match(model):
            return (
                f"{model!r} is Anthropic's API's dated form; Google Vertex AI puts the version after @: "
                f"{dated.group(1)}@{dated.group(2)}."
            )
        if not VERTEX_MODEL.match(model):
            return f"{model!r} is not a Claude model id; Google Vertex AI wants {self.wanted_form}."
        return None

    def _base(self) -> str:
        project = urllib.parse.quote(self.config.project or "", safe=_PCHAR)
        region = urllib.parse.quote(self.config.region or "", safe=_PCHAR)
        return f"{self.endpoint}/projects/{project}/locations/{region}/publishers/anthropic/models"

    def rewrite(self, method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[str, Any]:
        if method != "POST" or path not in ("/v1/messages", "/v1/messages/count_tokens") or not isinstance(body, dict):
            raise self.unsupported(method, path)
        body = dict(body)
        body.setdefault("anthropic_version", VERTEX_VERSION)
        headers.pop("anthropic-version", None)
        if path == "/v1/messages/count_tokens":
            return f"{self._base()}/count-tokens:rawPredict", body
        model = urllib.parse.quote(str(body.pop("model", "")), safe=_PCHAR)
        specifier = "streamRawPredict" if body.get("stream") else "rawPredict"
        return f"{self._base()}/{model}:{specifier}", body

    def credentials_found(self) -> str:
        if self.config.token is not None:
            return f"an access token from {self.config.token_source}"
        try:
            require_extra(PlatformName.VERTEX, "Application Default Credentials")
            import google.auth
            import google.auth.exceptions

            credentials, project = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
        except MissingExtra as exc:
            return f"none: {exc}"
        except google.auth.exceptions.GoogleAuthError as exc:
            return (
                f"none: Application Default Credentials not found ({type(exc).__name__}): run gcloud auth "
                "application-default login, set GOOGLE_APPLICATION_CREDENTIALS, or GOOGLE_OAUTH_ACCESS_TOKEN"
            )
        kind = type(credentials).__module__.rsplit(".", 1)[-1] + "." + type(credentials).__name__
        return f"Application Default Credentials ({kind}; ADC project {project or 'not set'})"

    def parse_error(self, response: httpx.Response, body: bytes) -> ApiError:
        err = google_error(response, body, loads(body))
        if err is None:
            return super().parse_error(response, body)  # Claude's own envelope, passed through by rawPredict
        if hint := HINTS.get(err.type or ""):
            err.message += f" ({hint})"
        err.request_id = err.request_id or self.request_id(response.headers)
        err.credential = self.credential
        return err
