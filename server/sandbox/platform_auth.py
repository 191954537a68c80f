"""The sandbox's stand-in cloud credentials, and the checks each platform makes on them.

Bedrock: the SigV4 signature is recomputed with botocore from the request as received (method, path,
query, the signed headers, the body) and the stand-in secret, then compared in constant time; the
credential scope must name service ``bedrock`` and the date must be within AWS's 5-minute window. Vertex:
a bearer token. Foundry: the resource key in ``api-key`` / ``x-api-key``, or an Entra bearer token.
"""

from __future__ import annotations

import hmac
import re
import urllib.parse
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName
from claude_api_mcp.core.secret import Secret

# Stand-ins that look like the real thing (so the same code paths run) and are obviously not secrets.
SANDBOX_AWS_ACCESS_KEY_ID = "AKIASANDBOXNOTASECRET"
SANDBOX_AWS_SECRET_ACCESS_KEY = "sandbox/not-a-secret/aws-secret-access-key"
SANDBOX_BEDROCK_API_KEY = "ABSKsandbox-not-a-secret"
SANDBOX_GOOGLE_TOKEN = "ya29.sandbox-not-a-secret"
SANDBOX_SUBJECT_TOKEN = "sandbox-oidc-subject-token-not-a-secret"  # what a federated identity presents
GOOGLE_STS_PATH = "/v1/token"  # https://sts.googleapis.com/v1/token: ADC of type external_account exchanges here
SANDBOX_FOUNDRY_KEY = "sandbox-foundry-key-not-a-secret"
SANDBOX_ENTRA_TOKEN = "eyJ0eXAiOiJKV1QiLCJzYW5kYm94Ijp0cnVlfQ.sandbox.not-a-secret"
MAX_SKEW_S = 300

_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[A-Z0-9]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)"
    r"/aws4_request, ?SignedHeaders=(?P<signed>[a-z0-9;-]+), ?Signature=(?P<signature>[0-9a-f]{64})$"
)
_HOST_REGION = re.compile(r"^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$")


def stand_in(config: PlatformConfig) -> PlatformConfig:
    """The platform configuration the sandbox answers to: the user's choices, with stand-in credentials."""
    if config.name is PlatformName.BEDROCK:
        if config.token is not None:  # the Bedrock API key path
            return replace(config, token=Secret(SANDBOX_BEDROCK_API_KEY), region=config.region or "us-east-1")
        return replace(
            config,
            region=config.region or "us-east-1",
            aws_profile=None,
            aws_access_key_id=SANDBOX_AWS_ACCESS_KEY_ID,
            aws_secret_access_key=Secret(SANDBOX_AWS_SECRET_ACCESS_KEY),
            aws_session_token=None,
        )
    if config.name is PlatformName.VERTEX:
        return replace(
            config,
            region=config.region or "global",
            project=config.project or "sandbox-project",
            token=Secret(SANDBOX_GOOGLE_TOKEN),
            token_source="the sandbox",
        )
    return replace(
        config,
        resource=None if config.base_url else (config.resource or "sandbox"),
        token=Secret(SANDBOX_FOUNDRY_KEY),
        token_source="the sandbox",
    )


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str


def check_sigv4(
    method: str, url: str, headers: dict[str, str], body: bytes, now: datetime | None = None
) -> Refusal | None:
    """Bedrock's signature check, or the bearer Bedrock API key; None when the request is authentic."""
    auth = headers.get("authorization", "")
    if auth.startswith("Bearer "):
        if hmac.compare_digest(auth.removeprefix("Bearer ").encode(), SANDBOX_BEDROCK_API_KEY.encode()):
            return None
        return Refusal(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    if not auth:
        return Refusal(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _AUTH.match(auth)
    if match is None:
        return Refusal(
            403,
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
        )
    if match["key"] != SANDBOX_AWS_ACCESS_KEY_ID:
        return Refusal(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    if match["service"] != "bedrock":
        return Refusal(403, "InvalidSignatureException", "Credential should be scoped to correct service: 'bedrock'.")
    host_region = _HOST_REGION.match(headers.get("host", ""))
    if host_region and host_region.group(1) != match["region"]:
        return Refusal(
            403, "InvalidSignatureException", f"Credential should be scoped to a valid region, not {match['region']!r}."
        )
    amz_date = headers.get("x-amz-date", "")
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return Refusal(403, "IncompleteSignatureException", "X-Amz-Date header is missing or malformed.")
    if amz_date[:8] != match["date"]:
        return Refusal(403, "InvalidSignatureException", "Date in Credential scope does not match X-Amz-Date.")
    if abs(((now or datetime.now(timezone.utc)) - signed_at).total_seconds()) > MAX_SKEW_S:
        return Refusal(
            403, "InvalidSignatureException", f"Signature expired: {amz_date} is outside the 5 minute window."
        )
    signed = match["signed"].split(";")
    if "host" not in signed or any(name not in headers for name in signed):
        return Refusal(403, "InvalidSignatureException", "A signed header is missing from the request.")
    expected = _signature(method, url, {n: headers[n] for n in signed}, body, match["region"], amz_date)
    if not hmac.compare_digest(expected, match["signature"]):
        return Refusal(
            403,
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method.",
        )
    return None


def _signature(method: str, url: str, headers: dict[str, str], body: bytes, region: str, amz_date: str) -> str:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, headers=headers, data=body)
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(SANDBOX_AWS_ACCESS_KEY_ID, SANDBOX_AWS_SECRET_ACCESS_KEY), "bedrock", region)
    canonical = signer.canonical_request(request)
    return str(signer.signature(signer.string_to_sign(request, canonical), request))


def google_sts(form: bytes) -> tuple[int, dict[str, object]]:
    """Google's Security Token Service, as workload identity federation (ADC ``external_account``) uses it:
    an external subject token → a Google access token for the cloud-platform scope."""
    fields = dict(urllib.parse.parse_qsl(form.decode("latin-1")))
    if fields.get("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange":
        return 400, {"error": "invalid_request", "error_description": "Invalid value for grant_type."}
    if not fields.get("audience", "").startswith("//iam.googleapis.com/"):
        return 400, {"error": "invalid_target", "error_description": "The target service indicated is invalid."}
    if not hmac.compare_digest(fields.get("subject_token", "").encode(), SANDBOX_SUBJECT_TOKEN.encode()):
        return 400, {"error": "invalid_grant", "error_description": "The subject token could not be verified."}
    return 200, {
        "access_token": SANDBOX_GOOGLE_TOKEN,
        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "token_type": "Bearer",
        "expires_in": 3599,
    }


def check_bearer(headers: dict[str, str], token: str) -> bool:
    presented = headers.get("authorization", "")
    return presented.startswith("Bearer ") and hmac.compare_digest(
        presented.removeprefix("Bearer ").encode(), token.encode()
    )


def check_foundry(headers: dict[str, str]) -> bool:
    key = headers.get("api-key") or headers.get("x-api-key")
    if key is not None:
        return hmac.compare_digest(key.encode(), SANDBOX_FOUNDRY_KEY.encode())
    return check_bearer(headers, SANDBOX_ENTRA_TOKEN)
