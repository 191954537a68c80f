"""Every catalog operation is answered by the sandbox, and every answer validates strictly against the SDK's types.

Requests go through the project's own HTTP path (``AnthropicAPI`` over the sandbox transport, with the key
kind and beta header the catalog names). Ids come from lists and creates: a parent is listed (or created)
before its children, and deletes and archives act on items created for the purpose. Each JSON answer is
validated in strict JSON mode with the SDK's own type (the page class for lists, and the model the catalog
names) and then checked for fields the SDK does not declare, at any depth.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import TypeAdapter

from claude_api_mcp.client.catalog import Operation
from claude_api_mcp.client.http import AnthropicAPI, make_client
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import SANDBOX_ADMIN_KEY, SANDBOX_API_KEY, Sandbox
from claude_api_mcp.sandbox.generic_roles import role_of
from tests.generic_driver import NOT_FRESH, arguments_for, no_extras
from tests.sandbox_driver import CATALOG, Driver, order_of
from tests.sdk_types import item_type, page_class

pytestmark = pytest.mark.anyio
NO_SDK_TYPE = {
    "organization.usage_report.messages",
    "organization.cost_report",
    "organization.usage_report.claude_code",
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Sandbox:
    return Sandbox(clock=clock)


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[AnthropicAPI]:
    settings = Settings(
        sandbox=True, admin_key=Secret(SANDBOX_ADMIN_KEY), api_key=Secret(SANDBOX_API_KEY), max_retries=0
    )
    async with make_client(settings, sandbox.transport()) as client:
        yield AnthropicAPI(client, settings)


def validate(op: Operation, answer: Any) -> None:
    item = item_type(op.id)
    assert item is not None, f"{op.id}: no SDK type to validate against"
    if op.response_kind == "page":
        parsed = page_class(op.pagination or "token", item).model_validate_json(json.dumps(answer), strict=True)
    elif op.response_kind in ("binary", "sse", "jsonl"):
        content_type, body = answer
        assert body, f"{op.id}: empty body"
        if op.response_kind == "sse":
            assert content_type.startswith("text/event-stream")
            events = [json.loads(line[6:]) for line in body.decode().splitlines() if line.startswith("data: ")]
            assert events
            for event in events:
                no_extras(TypeAdapter(item).validate_json(json.dumps(event), strict=True))
        return
    else:
        parsed = TypeAdapter(item).validate_json(json.dumps(answer), strict=True)
    no_extras(parsed, op.id)
    declared = op.response.get("type")
    if declared:  # the catalog names the SDK model too: the answer is one of those as well
        module, name = declared.rsplit(".", 1)
        model = getattr(importlib.import_module(module), name)
        items = answer["data"] if op.response_kind == "page" else [answer]
        for one in items:
            no_extras(model.model_validate_json(json.dumps(one), strict=True), f"{op.id} as {name}")


async def test_every_catalog_operation_is_answered_and_validates_against_the_sdk(
    api: AnthropicAPI, sandbox: Sandbox, clock: Clock
) -> None:
    driver = Driver(api, sandbox)
    ops = sorted(CATALOG.operations, key=order_of)
    failures: list[str] = []
    for op in ops:
        verb = role_of(op, CATALOG).verb
        try:
            if op.id.startswith("messages.batches.") and op.id in NOT_FRESH:
                clock.now += timedelta(days=1)  # the batch made earlier has ended: results, and it may be deleted
            fresh = verb in ("delete", "action", "single_delete") and op.id not in NOT_FRESH
            path_args = await driver.path_args(op, fresh=fresh)
            args = {**path_args, **arguments_for(op, driver.synth, path_args, sandbox)}
            answer = await driver.call(op, args)
            if op.id in NO_SDK_TYPE:
                assert isinstance(answer["data"], list)
                continue
            validate(op, answer)
        except Exception as exc:
            failures.append(f"{op.id} ({op.method} {op.path}): {type(exc).__name__}: {str(exc)[:300]}")
    assert not failures, f"{len(failures)} of {len(ops)} operations failed:\n" + "\n".join(failures)
    answered = {found[0].id for r in sandbox.requests if (found := CATALOG.match(r.method, r.path))}
    assert answered == {op.id for op in ops}  # the sandbox itself saw every operation
