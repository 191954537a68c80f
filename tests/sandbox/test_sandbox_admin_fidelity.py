"""Every Admin object the sandbox can return validates against the official SDK 2.14.0 types, with no extra fields.

The real ``anthropic.AsyncAnthropic`` client drives the sandbox (its paths, query encoding, Bearer auth and
``anthropic-version: 2026-10-21``), and each raw JSON body is then validated strictly: the SDK itself builds
responses without validation, so ``model_validate`` is what proves the shape.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

import anthropic
import httpx2
import pytest
from anthropic.pagination import AsyncPage
from anthropic.types import OrganizationInfo
from anthropic.types.organization import (
    APIKey,
    InviteDeleteResponse,
    OrganizationInvite,
    OrganizationUser,
    UserRemoveResponse,
    Workspace,
    WorkspaceMember,
)
from anthropic.types.organization.workspaces import MemberRemoveResponse
from anthropic.types.shared import ErrorDetails, ErrorResponse
from pydantic import BaseModel, TypeAdapter

from claude_api_mcp.sandbox import SANDBOX_ADMIN_KEY, Sandbox

pytestmark = pytest.mark.anyio
M = TypeVar("M", bound=BaseModel)


@pytest.fixture
async def sdk(sandbox: Sandbox) -> AsyncIterator[anthropic.AsyncAnthropic]:
    transport = httpx2.ASGITransport(app=sandbox.app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox.invalid") as http:
        yield anthropic.AsyncAnthropic(api_key=SANDBOX_ADMIN_KEY, base_url="http://sandbox.invalid", http_client=http)


def no_extras(value: Any, where: str = "$") -> None:
    """Fail on any field the SDK type does not declare, at any depth."""
    if isinstance(value, BaseModel):
        assert not value.model_extra, f"{where}: fields the SDK does not know: {sorted(value.model_extra or {})}"
        for name in type(value).model_fields:
            no_extras(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            no_extras(item, f"{where}[{n}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            no_extras(item, f"{where}.{key}")


async def strict(model: type[M], call: Awaitable[Any]) -> M:
    """Validate the raw JSON body of an SDK ``with_raw_response`` call against ``model``."""
    response = await call
    parsed = model.model_validate(response.http_response.json())
    no_extras(parsed)
    return parsed


async def page(item: type[M], call: Awaitable[Any]) -> list[M]:
    parsed = await strict(AsyncPage[item], call)  # type: ignore[valid-type]
    return list(parsed.data)


async def test_organization_and_users(sdk: anthropic.AsyncAnthropic, sandbox: Sandbox) -> None:
    org = sdk.organization
    await strict(OrganizationInfo, org.with_raw_response.retrieve())
    users = await page(OrganizationUser, org.users.with_raw_response.list(limit=1000))
    assert len(users) == len(sandbox.org.users)
    dev = next(u for u in users if u.role == "developer")
    await strict(OrganizationUser, org.users.with_raw_response.retrieve(dev.id))
    await strict(OrganizationUser, org.users.with_raw_response.update(dev.id, role="billing"))
    await strict(UserRemoveResponse, org.users.with_raw_response.remove(dev.id))


async def test_invites_in_every_status_and_their_deletion(sdk: anthropic.AsyncAnthropic, sandbox: Sandbox) -> None:
    invites = sdk.organization.invites
    listed = await page(OrganizationInvite, invites.with_raw_response.list(limit=1000))
    assert {i.status for i in listed} == {"pending", "accepted", "expired"}
    pending = await page(OrganizationInvite, invites.with_raw_response.list(statuses=["pending"], roles=["user"]))
    assert [(i.status, i.role) for i in pending] == [("pending", "user")]
    new = await strict(OrganizationInvite, invites.with_raw_response.create(email="new@acme.example", role="billing"))
    await strict(InviteDeleteResponse, invites.with_raw_response.delete(new.id))
    deleted = await strict(OrganizationInvite, invites.with_raw_response.retrieve(new.id))
    assert deleted.status == "deleted"


async def test_workspaces_active_archived_default_and_every_write(
    sdk: anthropic.AsyncAnthropic, sandbox: Sandbox
) -> None:
    workspaces = sdk.organization.workspaces
    every = await page(Workspace, workspaces.with_raw_response.list(include_archived=True, include_default=True))
    assert len(every) == len(sandbox.org.workspaces)
    assert any(w.archived_at for w in every) and sandbox.org.default_workspace_id in {w.id for w in every}
    assert any(isinstance(w.data_residency.allowed_inference_geos, list) for w in every)
    created = await strict(
        Workspace,
        workspaces.with_raw_response.create(
            name="Fidelity",
            display_color="#123456",
            tags={"team": "qa"},
            data_residency={"allowed_inference_geos": ["global", "us"], "default_inference_geo": "us"},
        ),
    )
    await strict(Workspace, workspaces.with_raw_response.retrieve(created.id))
    await strict(Workspace, workspaces.with_raw_response.update(created.id, name="Fidelity 2", tags={"team": None}))
    archived = await strict(Workspace, workspaces.with_raw_response.archive(created.id))
    assert archived.archived_at is not None


async def test_workspace_members_of_every_workspace_and_every_write(
    sdk: anthropic.AsyncAnthropic, sandbox: Sandbox
) -> None:
    members = sdk.organization.workspaces.members
    for ws_id in sandbox.org.workspaces:
        listed = await page(WorkspaceMember, members.with_raw_response.list(ws_id, limit=1000))
        assert len(listed) == len(sandbox.org.workspace_members(ws_id))
    ws = next(w["id"] for w in sandbox.org.workspaces.values() if w["name"] == "Research")
    user = next(u["id"] for u in sandbox.org.users.values() if u["email"].startswith("noah.williams@"))
    await strict(WorkspaceMember, members.with_raw_response.add(ws, user_id=user, workspace_role="workspace_user"))
    await strict(WorkspaceMember, members.with_raw_response.retrieve(user, workspace_id=ws))
    await strict(
        WorkspaceMember, members.with_raw_response.update(user, workspace_id=ws, workspace_role="workspace_admin")
    )
    await strict(MemberRemoveResponse, members.with_raw_response.remove(user, workspace_id=ws))


async def test_api_keys_in_every_status_and_updates(sdk: anthropic.AsyncAnthropic, sandbox: Sandbox) -> None:
    keys = sdk.organization.api_keys
    listed = await page(APIKey, keys.with_raw_response.list(limit=1000))
    assert {k.status for k in listed} == {"active", "inactive", "archived", "expired"}
    assert any(k.principal is not None for k in listed)
    prod = next(w["id"] for w in sandbox.org.workspaces.values() if w["name"] == "Prod")
    inactive = await page(APIKey, keys.with_raw_response.list(status="inactive", workspace_id=prod))
    assert [k.name for k in inactive] == ["prod-backend-2024"]
    updated = await strict(APIKey, keys.with_raw_response.update(inactive[0].id, name="renamed", status="archived"))
    assert updated.status == "archived"
    await strict(APIKey, keys.with_raw_response.retrieve(updated.id))


async def test_errors_use_the_sdk_error_envelope_and_codes(sdk: anthropic.AsyncAnthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as missing:
        await sdk.organization.invites.retrieve("invite_01nope")
    with pytest.raises(anthropic.BadRequestError) as dup:
        await sdk.organization.invites.create(email="riley.morgan@acme.example", role="user")
    with pytest.raises(anthropic.BadRequestError) as member:
        await sdk.organization.invites.create(email="sam.rivera@acme.example", role="user")
    for err in (missing.value, dup.value, member.value):
        body = err.response.json()
        details = body["error"].pop("details", None)  # ErrorResponse leaves details to ErrorDetails
        envelope = ErrorResponse.model_validate(body)
        no_extras(envelope)
        assert envelope.request_id == err.response.headers["request-id"]
        if details is not None:
            no_extras(TypeAdapter(ErrorDetails).validate_python(details))
    assert (dup.value.error_code, member.value.error_code) == ("invite_already_exists", "already_member")
