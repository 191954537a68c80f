"""The reviewed safety decisions ``safety.py`` cannot derive from the SDK, each with its one-line reason.

An entry either changes what was derived (``cls``, ``side_effects``, ``credentials``) or, with all three
left ``None``, records that the derived class was reviewed and is right. docs/safety.md lists the changes.
Add an entry whenever ``tests/client/test_catalog_safety.py`` names an operation or a field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Decision:
    reason: str
    cls: Literal["read", "write", "destructive"] | None = None
    side_effects: bool | None = None
    credentials: tuple[str, ...] | None = None  # answer fields that carry credentials


# Answer fields that carry a credential wherever they appear (the operation then returns credentials).
CREDENTIAL_FIELDS: dict[str, str] = {
    "secret": "the work item's secret: whoever holds it acts as the environment's worker",
    "signing_secret": "signs webhook deliveries: whoever holds it can forge them",
    "tunnel_token": "authenticates a tunnel's connector",
}
# Answer fields whose names look like credentials but are not.
NOT_CREDENTIAL_FIELDS: dict[str, str] = {
    "ca_cert_pem": "a public CA certificate for reaching the issuer's JWKS",
    "keys": "the issuer's public JWKS keys",
    "key_name": "the name of a customer-managed KMS key, not key material",
    "kms_key_name": "the name of a KMS key, not key material",
    "retired_keys": "references to retired KMS keys",
    "partial_key_hint": "a few characters to recognise a key by, as the Console shows",
    "secret_name": "the name a stored secret goes by, never its value",
    "token_endpoint": "an OAuth server's URL",
    "token_endpoint_auth": "the client authentication method's name (none, client_secret_basic/post)",
    "token_type": "a usage category (input, output, cache read...)",
    "output_tokens_details": "token counts",
    "fallback_credit_token": "a 5-minute code that refunds a refused request's retry; grants no access",
    "key": "a computer-use tool's keyboard key setting",
    "hold_key": "a computer-use tool's keyboard key setting",
}

_WORK_SECRET = "answers with each work item's secret, a worker credential: not for readers"
_VAULT = "credential metadata only: the API never returns a stored secret's value"
_KMS = "customer-managed KMS key references (names, ARNs), no key material"

OPERATIONS: dict[str, Decision] = {
    # Worker queue of self-hosted environments.
    "beta.environments.work.poll": Decision(
        "a GET that takes the next work item off the queue, leases it to the caller and answers with its secret",
        cls="write",
        side_effects=True,
    ),
    "beta.environments.work.list": Decision(_WORK_SECRET),
    "beta.environments.work.retrieve": Decision(_WORK_SECRET),
    "beta.environments.work.ack": Decision("POST that acknowledges a polled work item; answers with its secret"),
    "beta.environments.work.heartbeat": Decision("POST that extends a work item's lease"),
    # Secrets that replace the previous one: the old one stops working at once.
    "beta.organization.webhooks.regenerate_signing_secret": Decision(
        "the old signing secret stops working at once; answers with the new one", cls="destructive"
    ),
    "beta.tunnels.rotate_token": Decision("the old tunnel token stops working at once", cls="destructive"),
    "beta.tunnels.reveal_token": Decision("POST that answers with the tunnel's token"),
    "beta.memory_stores.memory_versions.redact": Decision(
        "erases a memory version's content for good", cls="destructive"
    ),
    # Links that let their holder act as someone.
    "beta.user_profiles.create_enrollment_url": Decision(
        "answers with an enrollment link: whoever holds it enrolls as the user", credentials=("url",)
    ),
    "user_profiles.action_urls.create": Decision(
        "answers with a link that acts for the user profile", credentials=("url",)
    ),
    "beta.organization.users.sign_out": Decision("POST that ends the user's sessions"),
    # Reviewed, derived class kept.
    "beta.tunnels.certificates.create": Decision("certificate metadata (fingerprint), no private key"),
    "beta.tunnels.certificates.archive": Decision("certificate metadata (fingerprint), no private key"),
    "beta.tunnels.certificates.list": Decision("certificate metadata (fingerprint), no private key"),
    "beta.tunnels.certificates.retrieve": Decision("certificate metadata (fingerprint), no private key"),
    "beta.vaults.credentials.create": Decision(_VAULT),
    "beta.vaults.credentials.archive": Decision(_VAULT),
    "beta.vaults.credentials.delete": Decision(_VAULT),
    "beta.vaults.credentials.list": Decision(_VAULT),
    "beta.vaults.credentials.retrieve": Decision(_VAULT),
    "beta.vaults.credentials.update": Decision(_VAULT),
    "beta.vaults.credentials.mcp_oauth_validate": Decision("POST that tests a stored credential; answers a status"),
    "messages.count_tokens": Decision("a POST that only counts; changes nothing and is not billed"),
    "organization.api_keys.list": Decision("key metadata and partial_key_hint, never the key"),
    "organization.api_keys.retrieve": Decision("key metadata and partial_key_hint, never the key"),
    "organization.api_keys.update": Decision("key metadata and partial_key_hint, never the key"),
    "organization.external_keys.create": Decision(_KMS),
    "organization.external_keys.delete": Decision(_KMS),
    "organization.external_keys.list": Decision(_KMS),
    "organization.external_keys.retrieve": Decision(_KMS),
    "organization.external_keys.update": Decision(_KMS),
    "organization.external_keys.validate": Decision("POST that checks access to a KMS key; " + _KMS),
}
