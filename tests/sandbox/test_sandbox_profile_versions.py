"""User profiles per ``user-profiles-*`` beta version, read and written through the official SDK's two resources.

``client.user_profiles`` (GA, no beta header) and ``client.beta.user_profiles`` (``user-profiles-2026-08-18``)
speak to the same profiles; each must get its own shape (``UserProfile`` / ``BetaUserProfile``, strictly, no
unknown field), and a legacy write's ``external_id`` must be the GA ``external_user_details.reference_id``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone

import anthropic
import httpx2
import pytest

from claude_api_mcp.sandbox import SANDBOX_API_KEY, Sandbox
from tests.generic_driver import no_extras

pytestmark = pytest.mark.anyio


@pytest.fixture
async def sdk() -> AsyncIterator[anthropic.AsyncAnthropic]:
    sandbox = Sandbox(clock=lambda: datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc))
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sandbox.app))
    client = anthropic.AsyncAnthropic(
        api_key=SANDBOX_API_KEY,
        base_url="http://sandbox.test",
        http_client=http,
        max_retries=0,
        _strict_response_validation=True,
    )
    async with client:
        yield client


async def test_a_legacy_write_is_read_back_by_every_version(sdk: anthropic.AsyncAnthropic) -> None:
    made = await sdk.beta.user_profiles.create(
        name="Acme Retail", external_id="crm-42", external_user_onboarded_at="2026-01-05T00:00:00Z"
    )
    no_extras(made)
    assert made.trust_grants == {} and made.external_id == "crm-42"
    assert made.external_user_onboarded_at is not None and made.external_user_details is None
    current = await sdk.user_profiles.retrieve(made.id)
    no_extras(current)  # no trust_grants, no legacy fields in the GA shape
    assert current.external_user_details.reference_id == "crm-42"
    assert current.external_user_details.onboarded_at is not None
    assert current.enforcement_status and current.programs is not None
    oldest = await sdk.beta.user_profiles.retrieve(
        made.id, extra_headers={"anthropic-beta": "user-profiles-2026-03-24"}
    )
    assert oldest.access_type is None and oldest.external_id == "crm-42"
    assert oldest.external_user_onboarded_at is None  # only 2026-08-18 serves it


async def test_every_profile_in_a_beta_list_has_its_trust_grants(sdk: anthropic.AsyncAnthropic) -> None:
    profiles = [p async for p in sdk.beta.user_profiles.list()]
    assert profiles
    for profile in profiles:
        no_extras(profile)
        assert profile.trust_grants == {}
    updated = await sdk.beta.user_profiles.update(profiles[0].id, external_id="crm-7")
    assert updated.external_id == "crm-7" and updated.trust_grants == {}
