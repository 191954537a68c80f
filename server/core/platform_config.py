"""Which platform serves the core API, and its configuration, read once at startup from the official SDKs' variables.

The variables are the ones ``AnthropicBedrock`` / ``AnthropicVertex`` / ``AnthropicFoundry`` (anthropic 2.14.0)
read, so an environment that works for them works here. This module only reads configuration; the
credential libraries (botocore, google-auth, azure-identity) are imported when the platform is built
(``server.platforms.build``), so ``--help`` and the first-party path never need them.
"""

from __future__ import annotations

import enum
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass

from claude_api_mcp.core.secret import Secret


class PlatformName(str, enum.Enum):
    ANTHROPIC = "anthropic"
    BEDROCK = "bedrock"
    VERTEX = "vertex"
    FOUNDRY = "foundry"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    PlatformName.ANTHROPIC: "Anthropic's API",
    PlatformName.BEDROCK: "Amazon Bedrock",
    PlatformName.VERTEX: "Google Vertex AI",
    PlatformName.FOUNDRY: "Microsoft Foundry",
}

# The core tools each platform serves; every other core tool is first-party only. Bedrock's runtime has only
# InvokeModel(-WithResponseStream) for Claude; Vertex has rawPredict and count-tokens; the SDK's Foundry client
# removes models and batches, and Foundry documents only the Messages API and token counting.
SERVED: dict[PlatformName, frozenset[str]] = {
    PlatformName.BEDROCK: frozenset({"send_message"}),
    PlatformName.VERTEX: frozenset({"send_message", "count_tokens"}),
    PlatformName.FOUNDRY: frozenset({"send_message", "count_tokens"}),
}
NOT_SERVED_WHY: dict[PlatformName, str] = {
    PlatformName.BEDROCK: "Amazon Bedrock serves only the Messages API (no token counting, models, batches, "
    "files or skills)",
    PlatformName.VERTEX: "Google Vertex AI serves only messages and token counting (no models, batches, files "
    "or skills)",
    PlatformName.FOUNDRY: "Microsoft Foundry serves only messages and token counting (no models, batches, files "
    "or skills)",
}

# platform → (module the platform needs, the extra that installs it)
EXTRAS: dict[PlatformName, tuple[str, str]] = {
    PlatformName.BEDROCK: ("botocore", "bedrock"),
    PlatformName.VERTEX: ("google.auth", "vertex"),
    PlatformName.FOUNDRY: ("azure.identity", "foundry"),
}


class MissingExtra(RuntimeError):
    """A platform library is not installed; the message names the extra that installs it."""

    def __init__(self, platform: PlatformName, why: str) -> None:
        module, extra = EXTRAS[platform]
        super().__init__(
            f"{platform.label} {why} needs the {module.split('.')[0]} package: "
            f"pip install 'claude-api-mcp[{extra}]' (or: uv tool install 'claude-api-mcp[{extra}]')"
        )


def require_extra(platform: PlatformName, why: str) -> None:
    module = EXTRAS[platform][0]
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a missing parent package (google, azure)
        found = False
    if not found:
        raise MissingExtra(platform, why)


@dataclass(frozen=True)
class PlatformConfig:
    """Everything a platform needs, from flags and environment. Secrets stay wrapped in ``Secret``."""

    name: PlatformName
    base_url: str | None = None  # ANTHROPIC_{BEDROCK,VERTEX,FOUNDRY}_BASE_URL
    region: str | None = None  # Bedrock: AWS_REGION / AWS_DEFAULT_REGION; Vertex: CLOUD_ML_REGION
    project: str | None = None  # Vertex: ANTHROPIC_VERTEX_PROJECT_ID / GOOGLE_CLOUD_PROJECT
    resource: str | None = None  # Foundry: ANTHROPIC_FOUNDRY_RESOURCE
    token: Secret | None = None  # AWS_BEARER_TOKEN_BEDROCK, GOOGLE_OAUTH_ACCESS_TOKEN or ANTHROPIC_FOUNDRY_API_KEY
    token_source: str | None = None  # the variable the token came from (printed; never the token)
    aws_profile: str | None = None
    aws_access_key_id: str | None = None  # an identifier, not a secret (it appears in every signature)
    aws_secret_access_key: Secret | None = None
    aws_session_token: Secret | None = None

    @property
    def label(self) -> str:
        return self.name.label

    def endpoint(self) -> str:
        """The platform's base URL, derived the way the official SDK derives it."""
        if self.base_url:
            return self.base_url.rstrip("/")
        if self.name is PlatformName.BEDROCK:
            return f"https://bedrock-runtime.{self.region}.amazonaws.com"
        if self.name is PlatformName.VERTEX:
            hosts = {
                "global": "aiplatform.googleapis.com",
                "us": "aiplatform.us.rep.googleapis.com",
                "eu": "aiplatform.eu.rep.googleapis.com",
            }
            return f"https://{hosts.get(self.region or '', f'{self.region}-aiplatform.googleapis.com')}/v1"
        return f"https://{self.resource}.services.ai.azure.com/anthropic"

    def problem(self) -> str | None:
        """Why this platform cannot start (a missing region, project, resource or library), or None."""
        name = self.name
        if name is PlatformName.BEDROCK:
            if not self.region and not self.base_url:
                return (
                    "Amazon Bedrock needs a region: set AWS_REGION (or AWS_DEFAULT_REGION, or a region in your "
                    "AWS profile), or ANTHROPIC_BEDROCK_BASE_URL"
                )
            if self.token is None:
                return _missing(name, "request signing (SigV4)")
        elif name is PlatformName.VERTEX:
            if not self.region:
                return "Google Vertex AI needs a region: set CLOUD_ML_REGION (e.g. global, us, eu or us-east5)"
            if not self.project:
                return "Google Vertex AI needs a project: set ANTHROPIC_VERTEX_PROJECT_ID (or GOOGLE_CLOUD_PROJECT)"
            if self.token is None:
                return _missing(name, "Application Default Credentials")
        elif name is PlatformName.FOUNDRY:
            if not self.base_url and not self.resource:
                return (
                    "Microsoft Foundry needs an endpoint: set ANTHROPIC_FOUNDRY_RESOURCE (the resource name in "
                    "https://<resource>.services.ai.azure.com) or ANTHROPIC_FOUNDRY_BASE_URL"
                )
            if self.token is None:
                return _missing(name, "Microsoft Entra ID authentication (no ANTHROPIC_FOUNDRY_API_KEY is set)")
        return None


def _missing(name: PlatformName, why: str) -> str | None:
    try:
        require_extra(name, why)
    except MissingExtra as exc:
        return str(exc)
    return None


def from_env(name: PlatformName, env: Mapping[str, str]) -> PlatformConfig | None:
    """The platform's configuration from the same variables the official SDKs read; None for Anthropic's API."""

    def get(*names: str) -> str | None:
        for var in names:
            if value := (env.get(var) or "").strip():
                return value
        return None

    def token(var: str) -> tuple[Secret | None, str | None]:
        value = get(var)
        return (Secret(value), var) if value else (None, None)

    if name is PlatformName.ANTHROPIC:
        return None
    if name is PlatformName.BEDROCK:
        secret, source = token("AWS_BEARER_TOKEN_BEDROCK")
        access_secret, session = get("AWS_SECRET_ACCESS_KEY"), get("AWS_SESSION_TOKEN")
        return PlatformConfig(
            name=name,
            base_url=get("ANTHROPIC_BEDROCK_BASE_URL"),
            region=get("AWS_REGION", "AWS_DEFAULT_REGION") or _profile_region(get("AWS_PROFILE")),
            token=secret,
            token_source=source,
            aws_profile=get("AWS_PROFILE"),
            aws_access_key_id=get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=Secret(access_secret) if access_secret else None,
            aws_session_token=Secret(session) if session else None,
        )
    if name is PlatformName.VERTEX:
        secret, source = token("GOOGLE_OAUTH_ACCESS_TOKEN")
        return PlatformConfig(
            name=name,
            base_url=get("ANTHROPIC_VERTEX_BASE_URL"),
            region=get("CLOUD_ML_REGION"),
            project=get("ANTHROPIC_VERTEX_PROJECT_ID", "GOOGLE_CLOUD_PROJECT"),
            token=secret,
            token_source=source,
        )
    secret, source = token("ANTHROPIC_FOUNDRY_API_KEY")
    base_url = get("ANTHROPIC_FOUNDRY_BASE_URL")
    return PlatformConfig(
        name=name,
        base_url=base_url,
        resource=None if base_url else get("ANTHROPIC_FOUNDRY_RESOURCE"),  # the SDK ignores it given a base URL
        token=secret,
        token_source=source,
    )


def _profile_region(profile: str | None) -> str | None:
    """The region configured for the AWS profile (~/.aws/config), as boto3 would find it; None without botocore."""
    try:
        import botocore.exceptions
        import botocore.session
    except ImportError:
        return None
    try:
        region = botocore.session.Session(profile=profile).get_config_variable("region")
    except botocore.exceptions.BotoCoreError:  # e.g. a profile that does not exist: reported when signing
        return None
    return str(region) if region else None
