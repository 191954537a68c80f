"""Issue 19 #6: every secret the configuration holds is registered with the scrubber, not only the API keys."""

from __future__ import annotations

import secrets

from claude_api_mcp.core import scrub
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName
from claude_api_mcp.core.secret import Secret


def test_state_keys_and_the_state_store_password_are_scrubbed() -> None:
    old, new, password = (secrets.token_urlsafe(32) for _ in range(3))
    settings = Settings(state_keys=(Secret(new), Secret(old)), state_url=Secret(f"redis://app:{password}@redis:6379/0"))
    scrub.register_settings(settings)
    echoed = f"unseal failed with {old}; AUTH {password} refused; key {new}"
    assert scrub.text(echoed) == "unseal failed with [redacted]; AUTH [redacted] refused; key [redacted]"


def test_a_percent_encoded_state_store_password_is_scrubbed_as_written_and_decoded() -> None:
    password = secrets.token_urlsafe(16) + "/+:@"
    written = "".join(c if c.isalnum() else f"%{ord(c):02X}" for c in password)
    scrub.register_settings(Settings(state_url=Secret(f"rediss://:{written}@redis")))
    assert password not in scrub.text(f"password {password}") and written not in scrub.text(f"url {written}")


def test_each_platform_credential_in_the_configuration_is_scrubbed() -> None:
    token, aws_secret, session = (secrets.token_urlsafe(30) for _ in range(3))
    config = PlatformConfig(
        PlatformName.BEDROCK,
        token=Secret(token),
        aws_secret_access_key=Secret(aws_secret),
        aws_session_token=Secret(session),
    )
    scrub.register_settings(Settings(platform=config))
    assert scrub.text(f"{token} {aws_secret} {session}") == "[redacted] [redacted] [redacted]"
