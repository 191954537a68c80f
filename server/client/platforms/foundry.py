"""Microsoft Foundry: Anthropic's API at an Azure resource's endpoint, with an Azure key or a Microsoft Entra token.

As anthropic 2.14.0's ``AnthropicFoundry`` does: the base URL is ``https://{resource}.services.ai.azure.com/
anthropic`` and the paths, body and SSE stream are the first-party ones; the key goes in both ``x-api-key``
and ``api-key``, or an Entra ID token (azure-identity's DefaultAzureCredential) in ``Authorization: Bearer``.
The model is the name of a deployment in the resource.
"""

from __future__ import annotations

from typing import Any

import httpx

from claude_api_mcp.client.platforms.auth import AzureKey, EntraToken
from claude_api_mcp.client.platforms.base import Platform, loads
from claude_api_mcp.client.responses import parse_retry_after
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName, require_extra


class Foundry(Platform):
    request_id_headers = ("request-id", "apim-request-id", "x-ms-request-id")
    paths = frozenset({"/v1/messages", "/v1/messages/count_tokens"})

    def __init__(self, config: PlatformConfig) -> None:
        super().__init__(config)
        if config.token is None:
            require_extra(PlatformName.FOUNDRY, "Microsoft Entra ID authentication (no ANTHROPIC_FOUNDRY_API_KEY)")
        self.auth = AzureKey(config.token, self.credential) if config.token else EntraToken(self.credential)

    @property
    def credential(self) -> str:
        if self.config.token is not None:
            return "the Foundry resource key in ANTHROPIC_FOUNDRY_API_KEY"
        return "the Microsoft Entra ID identity (az login, or AZURE_CLIENT_ID/AZURE_TENANT_ID/...) and its role"

    @property
    def wanted_form(self) -> str:
        return "the name of a Claude deployment in your Foundry resource (often the model id, e.g. claude-sonnet-4-5)"

    def rewrite(self, method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[str, Any]:
        return f"{self.endpoint}{path}", body

    def credentials_found(self) -> str:
        if self.config.token is not None:
            return f"a resource key from {self.config.token_source}"
        return "Microsoft Entra ID through azure-identity's DefaultAzureCredential (checked at the first call)"

    def parse_error(self, response: httpx.Response, body: bytes) -> ApiError:
        """Azure's gateway answers ``{"error": {"code", "message"}}``; Claude's errors keep Anthropic's envelope."""
        payload = loads(body)
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict) or payload.get("type") == "error" or "code" not in error:
            return super().parse_error(response, body)
        code = str(error.get("code"))
        return ApiError(
            message=f"Azure {code}: {error.get('message') or response.reason_phrase}",
            status=response.status_code,
            type=code,
            request_id=self.request_id(response.headers),
            retry_after=parse_retry_after(response.headers),
            credential=self.credential,
        )
