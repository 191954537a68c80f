"""Each platform's signing as an ``httpx.Auth``: SigV4 or a Bedrock API key, a Google bearer, an Azure key or
Microsoft Entra token.

The one client sends a platform call with its platform's ``auth`` (``server/client/attempt.py``), so every
attempt is signed afresh: a retry after a wait gets a new SigV4 date and a token refreshed if it expired.
Credentials a chain mints at run time (botocore, google-auth, azure-identity) are registered with the
scrubber as soon as they are known, like configured ones. The credential libraries are imported only here,
and only by the platform that needs them; blocking lookups (a refresh is an HTTP call) run in a thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncGenerator, Generator
from typing import Any

import anyio.to_thread
import httpx

from claude_api_mcp.core import scrub
from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.platform_config import PlatformConfig
from claude_api_mcp.core.secret import Secret

SERVICE = "bedrock"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"


class PlatformAuth(httpx.Auth):
    """Adds the credential to a request; ``credential`` names what to check when the platform refuses it."""

    requires_request_body = True  # SigV4 signs the body; the others never need it, and it is in memory anyway

    def __init__(self, credential: str) -> None:
        self.credential = credential

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("platform credentials are only used by the async client")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await self.sign(request)
        yield request

    async def sign(self, request: httpx.Request) -> None:
        raise NotImplementedError


class Bearer(PlatformAuth):
    """A configured token as ``Authorization: Bearer`` (a Bedrock API key, GOOGLE_OAUTH_ACCESS_TOKEN)."""

    def __init__(self, token: Secret, credential: str) -> None:
        super().__init__(credential)
        self._token = token

    async def sign(self, request: httpx.Request) -> None:
        request.headers["authorization"] = f"Bearer {self._token.reveal()}"


class AzureKey(PlatformAuth):
    """A Foundry resource key, in both headers the SDK sends it in."""

    def __init__(self, key: Secret, credential: str) -> None:
        super().__init__(credential)
        self._key = key

    async def sign(self, request: httpx.Request) -> None:
        request.headers["x-api-key"] = request.headers["api-key"] = self._key.reveal()


class SigV4(PlatformAuth):
    """AWS Signature Version 4 with botocore's credentials: explicit keys, else the whole chain."""

    def __init__(self, config: PlatformConfig, credential: str) -> None:
        super().__init__(credential)
        self.config = config
        self.region = config.region or "us-east-1"
        self._credentials: Any = None  # botocore's resolved credentials, cached (they refresh themselves)

    async def sign(self, request: httpx.Request) -> None:
        signed = await anyio.to_thread.run_sync(self._sign, request)  # credential lookup may touch the network
        request.headers.update(signed)

    def _sign(self, request: httpx.Request) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        credentials = self._frozen()
        headers = {k: v for k, v in request.headers.items() if k not in ("authorization", "x-amz-date")}
        aws = AWSRequest(method=request.method, url=str(request.url), headers=headers, data=request.content)
        SigV4Auth(credentials, SERVICE, self.region).add_auth(aws)
        return {
            k: v for k, v in aws.headers.items() if k.lower() in ("authorization", "x-amz-date", "x-amz-security-token")
        }

    def _frozen(self) -> Any:
        if self._credentials is None:
            self._credentials = self.resolve()
        frozen = self._credentials.get_frozen_credentials()  # refreshable ones renew themselves here
        scrub.register((frozen.secret_key, frozen.token))  # a chain's keys are secrets as much as configured ones
        return frozen

    def resolve(self) -> Any:
        """botocore's credentials: explicit keys from the environment, else the whole chain (profiles, SSO, roles)."""
        import botocore.exceptions
        import botocore.session
        from botocore.credentials import Credentials

        cfg = self.config
        if cfg.aws_access_key_id and cfg.aws_secret_access_key:
            token = cfg.aws_session_token.reveal() if cfg.aws_session_token else None
            return Credentials(cfg.aws_access_key_id, cfg.aws_secret_access_key.reveal(), token, method="env")
        try:
            found = botocore.session.Session(profile=cfg.aws_profile).get_credentials()
        except botocore.exceptions.BotoCoreError as exc:
            raise ApiError(message=f"AWS credentials: {exc}", network="config", credential=self.credential) from exc
        if found is None:
            raise ApiError(
                message="no AWS credentials found (environment, AWS_PROFILE, SSO or instance role), and no "
                "AWS_BEARER_TOKEN_BEDROCK",
                network="config",
                credential=self.credential,
            )
        return found


class GoogleADC(PlatformAuth):
    """An access token from Application Default Credentials through google-auth, refreshed when it expires."""

    def __init__(self, credential: str) -> None:
        super().__init__(credential)
        self._google: Any = None
        self._lock = threading.Lock()

    async def sign(self, request: httpx.Request) -> None:
        token = await anyio.to_thread.run_sync(self._token)  # a refresh is a blocking HTTP call
        request.headers["authorization"] = f"Bearer {token}"

    def _token(self) -> str:
        import google.auth
        import google.auth.exceptions
        from google.auth.transport.requests import Request

        with self._lock:
            try:
                if self._google is None:
                    self._google, _ = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
                if not self._google.valid:
                    self._google.refresh(Request())
            except google.auth.exceptions.GoogleAuthError as exc:
                raise ApiError(
                    message=f"Google credentials: {exc}", network="config", credential=self.credential
                ) from exc
            token = str(self._google.token)
            scrub.register((token,))  # minted at run time: scrubbed like a configured GOOGLE_OAUTH_ACCESS_TOKEN
            return token


class EntraToken(PlatformAuth):
    """A Microsoft Entra ID token from azure-identity's DefaultAzureCredential, reused until a minute before expiry."""

    def __init__(self, credential: str) -> None:
        super().__init__(credential)
        self._azure: Any = None
        self._token: tuple[str, float] | None = None  # (token, expires_on)
        self._lock = threading.Lock()

    async def sign(self, request: httpx.Request) -> None:
        token = await anyio.to_thread.run_sync(self._fetch)
        request.headers["authorization"] = f"Bearer {token}"

    def _fetch(self) -> str:
        from azure.core.exceptions import ClientAuthenticationError
        from azure.identity import DefaultAzureCredential

        with self._lock:
            if self._token is not None and self._token[1] - time.time() > 60:
                return self._token[0]
            try:
                if self._azure is None:
                    self._azure = DefaultAzureCredential()
                found = self._azure.get_token(ENTRA_SCOPE)
            except ClientAuthenticationError as exc:
                raise ApiError(
                    message=f"Microsoft Entra ID: {exc.message}", network="config", credential=self.credential
                ) from exc
            self._token = (str(found.token), float(found.expires_on))
            scrub.register((self._token[0],))  # minted at run time: scrubbed like a configured resource key
            return self._token[0]
