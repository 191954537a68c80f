"""Every sentence about confirmation is true for every client: what ``auto`` does when the client cannot
ask, said at startup, when a client connects, and by doctor; ``always`` refuses with nothing sent."""

from __future__ import annotations

import io
import logging

import pytest

from claude_api_mcp.cli.doctor import run_doctor
from claude_api_mcp.core.config import ConfirmPolicy, Profile, Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.safety.confirm_policy import per_client
from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error, call_ok
from tests.safety.test_confirm import Person

pytestmark = pytest.mark.anyio
CREATE = {"operation": "organization.workspaces.create", "arguments": {"name": "Quantum Lab"}}


def _posts(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.method == "POST")


async def test_auto_without_elicitation_runs_write_api_unasked_and_says_so_when_the_client_connects(
    connect: Connect, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="claude_api_mcp"):
        async with connect(confirm=ConfirmPolicy.AUTO) as client:  # no elicitation_callback: cannot ask
            await call_ok(client, "write_api", CREATE)
    assert _posts(sandbox) == 1
    said = [r.getMessage() for r in caplog.records if "client" in r.getMessage()]
    assert any("cannot ask" in line and "host's own tool-approval prompt is the only check" in line for line in said)


async def test_auto_with_elicitation_asks_and_says_so_when_the_client_connects(
    connect: Connect, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    person = Person("decline")
    with caplog.at_level(logging.INFO, logger="claude_api_mcp"):
        async with connect(confirm=ConfirmPolicy.AUTO, client_kwargs=person.kwargs("legacy")) as client:
            await call_error(client, "write_api", CREATE)
    assert len(person.asked) == 1 and _posts(sandbox) == 0
    said = " ".join(r.getMessage() for r in caplog.records)
    assert per_client(ConfirmPolicy.AUTO, True) in said


@pytest.mark.parametrize("policy", [ConfirmPolicy.ALWAYS, ConfirmPolicy.WRITES])
async def test_always_refuses_write_api_on_a_client_that_cannot_ask_and_sends_nothing(
    policy: ConfirmPolicy, connect: Connect, sandbox: Sandbox
) -> None:
    async with connect(confirm=policy) as client:
        text = await call_error(client, "write_api", CREATE)
    assert "cannot ask them" in text and "Nothing was sent" in text and f"--confirm {policy.value}" in text
    assert _posts(sandbox) == 0


def test_doctor_says_what_auto_means_for_clients_with_and_without_elicitation() -> None:
    out = io.StringIO()
    run_doctor(Settings(sandbox=True, profile=Profile.ADMIN, confirm=ConfirmPolicy.AUTO), out=out, sandbox=Sandbox())
    text = out.getvalue()
    assert "with clients that can ask, the person confirms each destructive call (write_api included)" in text
    assert "with clients that cannot, writes, write_api included, run with no question from this server" in text


def test_several_instances_without_a_shared_store_are_told_replay_protection_is_per_instance() -> None:
    keyed = Settings(sandbox=True, profile=Profile.ADMIN, state_keys=(Secret("k" * 40),))
    out = io.StringIO()
    run_doctor(keyed, out=out, sandbox=Sandbox())
    assert "single use per instance only" in out.getvalue() and "--state-url" in out.getvalue()
    shared = Settings(sandbox=True, profile=Profile.ADMIN, workers=2, state_url=Secret("redis://127.0.0.1:1/0"))
    out = io.StringIO()
    run_doctor(shared, out=out, sandbox=Sandbox())
    assert "single use per instance only" not in out.getvalue()


def test_the_startup_warning_names_both_multi_instance_settings() -> None:
    from claude_api_mcp.safety.confirm_policy import replay_scope

    assert replay_scope(Settings(sandbox=True, workers=2)) is not None
    assert replay_scope(Settings(sandbox=True, state_keys=(Secret("k" * 40),))) is not None
    assert replay_scope(Settings(sandbox=True)) is None  # one instance: its own store is the whole story
