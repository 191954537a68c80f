"""What the generic simulator's made-up objects look like: id prefixes, names, plausible strings.

Prefixes are the ones the SDK's docstrings name (``svac_``, ``uprof_``, ``ekey_``, ``tdst_``, ``slch_``...)
or the sandbox's hand-written areas already use; any other kind of object gets its own name as prefix.
"""

from __future__ import annotations

_PREFIXES = {
    "api_key": "apikey_",
    "bundle": "capp_",
    "bundle_target": "btgt_",
    "certificate": "tcrt_",
    "external_key": "ekey_",
    "external_storage": "estrg_",
    "file": "file_",
    "invite": "invite_",
    "marketplace": "marketplace_",
    "memory_store": "memstore_",
    "message": "msg_",
    "message_batch": "msgbatch_",
    "outcome": "outc_",
    "plugin": "plugin_",
    "plugin_marketplace": "marketplace_",
    "plugin_version": "pluginver_",
    "rate_limit_group": "rlg_",
    "runner_pool": "ccpool_",
    "service_account": "svac_",
    "session": "sesn_",
    "session_thread": "sthr_",
    "skill": "skill_",
    "slack_channel": "slch_",
    "slack_workspace": "slws_",
    "telemetry_destination": "tdst_",
    "thread": "sthr_",
    "tunnel": "tnl_",
    "tunnel_certificate": "tcrt_",
    "user": "user_",
    "user_profile": "uprof_",
    "vault": "vlt_",
    "workspace": "wrkspc_",
    "environment": "env_",
    "agent": "agent_",
    "actor": "user_",
}

# Names for the first objects of a collection, by the collection's last path segment.
SEED_NAMES: dict[str, tuple[str, ...]] = {
    "rbac_groups": ("Engineering", "Finance", "Support", "Security"),
    "rbac_roles": ("Workspace admin", "Billing viewer", "Developer"),
    "service_accounts": ("ci-deployer", "data-pipeline", "support-bot"),
    "agents": ("Support triage", "Code reviewer", "Research assistant"),
    "environments": ("python-sandbox", "node-sandbox", "data-science"),
    "vaults": ("Production secrets", "CI credentials", "Partner tokens"),
    "memory_stores": ("Customer notes", "Team handbook", "Incident history"),
    "webhooks": ("Billing events", "Security alerts", "Session updates"),
    "telemetry_destinations": ("Datadog", "Honeycomb", "Internal OTLP"),
    "external_keys": ("aws-kms-prod", "gcp-kms-eu", "aws-kms-staging"),
    "issuers": ("GitHub Actions", "Google Cloud", "Okta"),
    "rules": ("deploy-from-main", "nightly-evals", "data-export"),
    "user_profiles": ("Default profile", "Restricted research", "EU data"),
    "deployments": ("support-triage-prod", "code-review-staging", "research-nightly"),
    "plugins": ("jira-helper", "release-notes", "oncall-runbooks"),
    "tunnels": ("office-vpn", "datacenter-east", "staging-cluster"),
}
_GENERIC_NAMES = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot")


def noun_of(segment: str) -> str:
    """``rbac_groups`` → ``rbac_group``; ``memories`` → ``memory``; ``analytics`` stays."""
    if segment.endswith("ies"):
        return segment[:-3] + "y"
    if segment.endswith("sses") or segment.endswith("ches"):
        return segment[:-2]
    if segment.endswith("s") and not segment.endswith("ss") and not segment.endswith("ics"):
        return segment[:-1]
    return segment


def id_prefix(noun: str) -> str:
    noun = noun.lower()
    if noun in _PREFIXES:
        return _PREFIXES[noun]
    for known, prefix in _PREFIXES.items():  # rbac_group_member → nearest known suffix ("user" in "user_profile")
        if noun.endswith("_" + known):
            return prefix
    return noun + "_"


def seed_name(collection: str, index: int) -> str:
    names = SEED_NAMES.get(collection)
    if names:
        return names[index % len(names)]
    return f"{noun_of(collection).replace('_', ' ').capitalize()} {_GENERIC_NAMES[index % len(_GENERIC_NAMES)]}"


def string_for(name: str, fmt: str | None, noun: str, index: int) -> str:
    """A believable string for a field nothing else is known about, from its name."""
    words = noun.replace("_", " ")
    if fmt in ("uri", "url") or name in ("url", "uri", "endpoint", "homepage") or name.endswith("_url"):
        return f"https://hooks.acme.example/{noun.replace('_', '-')}/{index + 1}"
    if "email" in name:
        return "avery.chen@acme.example"
    if name in ("name", "display_name") and any(w in noun for w in ("actor", "user", "member", "person")):
        return "Avery Chen"
    if name in ("name", "display_name", "title", "label"):
        return f"{words.capitalize()} {_GENERIC_NAMES[index % len(_GENERIC_NAMES)]}"
    if name in ("description", "summary", "instructions", "system", "prompt"):
        return f"Sandbox {words} used by the platform team."
    if name == "model" or name.endswith("_model"):
        return "claude-sonnet-5-5"
    if name in ("content", "text", "message", "body"):
        return "Sample text from the sandbox."
    if name in ("mime_type", "media_type", "content_type"):
        return "text/plain"
    if name in ("filename", "file_name"):
        return "notes.txt"
    if name in ("path", "mount_path"):
        return "/notes/readme.md"
    if name in ("amount", "limit_amount") or name.endswith(("_spend", "_cost", "_amount")):
        return f"{250 * (index + 1)}.00"
    if name == "currency":
        return "USD"
    if name.endswith("arn"):
        return f"arn:aws:kms:us-east-1:123456789012:key/{noun.replace('_', '-')}-{index + 1}"
    if name.endswith("_pem"):
        return "-----BEGIN CERTIFICATE-----\nMIIBsandbox\n-----END CERTIFICATE-----\n"
    if "region" in name or "geo" in name:
        return "us"
    if name in ("sha", "hash", "checksum", "etag", "digest", "fingerprint") or name.endswith("_sha256"):
        return "9f2c4e1a7b3d5f60" * 4
    if "domain" in name:
        return "acme.example"
    if name in ("version", "version_id"):
        return str(1759000000000000 + index)
    if "hint" in name:
        return "sk-ant-api03-Xa9...Qz4"
    if name in ("status", "state"):
        return "active"
    if name == "type" or name.endswith("_type"):
        return "default"
    return _by_name(name, index)


_BY_NAME = {
    "product": "claude_code",
    "timezone": "UTC",
    "country": "US",
    "audience": "https://api.anthropic.com",
    "subject_prefix": "repo:acme/",
    "condition": 'claims.repository == "acme/app"',
    "expression": 'claims.repository == "acme/app"',
    "oauth_scope": "read",
    "bucket_name": "acme-sandbox-exports",
    "discovery_base": "https://token.actions.githubusercontent.com",
    "reason": "Requested by the sandbox's seed data.",
    "explanation": "Met the success criteria on the first attempt.",
    "result": "satisfied",
}


def _by_name(name: str, index: int) -> str:
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name.endswith("_name") or name.endswith("_display_name"):
        base = name.removesuffix("_display_name").removesuffix("_name").replace("_", " ")
        return f"{base.capitalize()} {_GENERIC_NAMES[index % len(_GENERIC_NAMES)]}"
    if name.endswith(("_sha", "_hash")):
        return "4f1c2b9e" * 5
    if name.endswith("version"):
        return f"1.{index}.0"
    if name.endswith("price"):
        return f"{12.5 * (index + 1):.2f}"
    if name.endswith("_names") or name.endswith("header_name"):
        return "x-request-id"
    if name.endswith(("reason", "explanation", "message")):
        return "Set by the sandbox."
    return f"{name.replace('_', '-')}-{index + 1}"
