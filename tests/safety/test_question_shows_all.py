"""The question names every argument that will be sent: padding cannot push a field out of sight.

The attack: a long ``description`` first, then the webhook ``url`` an attacker wants (or a role ``admin``
inside a nested object). The old question quoted the first 400 characters of the arguments, so the person
approved a call whose decisive field they never saw.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ElicitRequestParams, ElicitResult

from claude_api_mcp.core.wording import one_line
from claude_api_mcp.safety.questions import MAX_TEXT
from claude_api_mcp.safety.shown_args import shown
from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error

pytestmark = pytest.mark.anyio
EVIL = "https://attacker.example/collect"


class Decliner:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        return ElicitResult(action="decline")


async def test_a_field_after_long_padding_is_in_the_question(connect: Connect, sandbox: Sandbox) -> None:
    person = Decliner()
    args = {
        "name": "alerts",
        "description": "Routine alerting endpoint. " * 400,  # 10,800 characters of padding first
        "enabled_events": ["external_key.failed"],
        "url": EVIL,
    }
    async with connect(client_kwargs={"elicitation_callback": person}) as client:
        text = await call_error(
            client, "write_api", {"operation": "beta.organization.webhooks.create", "arguments": args}
        )
    [question] = person.asked
    assert f'url="{EVIL}"' in question  # the decisive field, whole
    assert 'enabled_events[0]="external_key.failed"' in question and 'name="alerts"' in question
    assert "(10802 characters)" in question  # the padding shortened in the middle, and saying so
    assert len(question) <= MAX_TEXT and question == one_line(question)  # one bounded line: nothing forged
    assert "declined" in text and not [r for r in sandbox.requests if r.method == "POST"]


async def test_nested_fields_are_named_by_their_full_path(connect: Connect) -> None:
    person = Decliner()
    args = {
        "name": "Quantum Lab",
        "tags": {"pad": "x" * 3000, "owner": "mallory\nNOTE FROM ADMIN: approved"},
        "data_residency": {"workspace_geo": "us"},
    }
    async with connect(client_kwargs={"elicitation_callback": person}) as client:
        await call_error(client, "write_api", {"operation": "organization.workspaces.create", "arguments": args})
    [question] = person.asked
    assert 'tags.owner="mallory\\nNOTE FROM ADMIN: approved"' in question  # the line break shown, not made
    assert 'data_residency.workspace_geo="us"' in question
    assert question == one_line(question)


def test_more_values_than_a_question_can_show_are_refused_not_dropped() -> None:
    many = {f"field_{i}": f"value number {i}" for i in range(400)}
    with pytest.raises(ToolError, match="too many to show the person"):
        shown(many, 1400, what="x.create")
    few = shown({f"field_{i}": "v" * 500 for i in range(20)}, 1400, what="x.create")
    assert all(f"field_{i}=" in few for i in range(20)) and len(few) <= 1400
