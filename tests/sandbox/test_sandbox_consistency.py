"""The sandbox is one consistent organization: every list operation of the catalog, walked and cross-checked.

Every list is read (archived items included where the list can show them), and then every item of every list,
at any depth, is checked:

- references: a ``*_id``/``*_ids`` field (and a ``{"type": "user", "id": ...}`` actor) naming a kind of thing
  the organization lists (a top-level list of the catalog, users, workspaces, the organization) names one
  that list holds. The one deliberate exception is the departed member on an old API key
  (``OrgState.departed_user_ids``), and it must be the only one. Ids under ``slack`` are Slack's own (T…/C…).
  An object's ``*_version_id`` names an item of its own ``versions`` list.
- enums: each item parses strictly as the SDK's own type (no value outside its enums, no unknown field).
- paired fields: an ``X_by…`` actor only with its ``X_at`` time; an approved or denied request has its
  ``resolved_at``, a pending one none; an ``archived`` status has its ``archived_at``.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import pytest
from pydantic import TypeAdapter

from claude_api_mcp.client.catalog import Operation
from claude_api_mcp.client.http import AnthropicAPI, make_client
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.sandbox import SANDBOX_ADMIN_KEY, SANDBOX_API_KEY, Sandbox
from claude_api_mcp.sandbox.generic_roles import is_param, role_of
from claude_api_mcp.sandbox.generic_seed import noun_of
from tests.generic_driver import arguments_for
from tests.sandbox_driver import CATALOG, Driver
from tests.sdk_types import item_type

pytestmark = pytest.mark.anyio
LISTS = sorted((op for op in CATALOG.operations if role_of(op, CATALOG).verb == "list"), key=lambda o: o.id)
# Field names that are not their kind's name (a Claude tag user is an organization user).
ALIASES = {"claude_tag_user": "user", "scoped_api_key": "api_key", "issuer": "federation_issuer"}
SLACK_ID = re.compile(r"^[TCGDE][A-Z0-9]{6,}$")
NO_SDK_TYPE = {
    "organization.usage_report.messages",
    "organization.cost_report",
    "organization.usage_report.claude_code",
}


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(clock=lambda: datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
async def driver(sandbox: Sandbox) -> AsyncIterator[Driver]:
    settings = Settings(
        sandbox=True, admin_key=Secret(SANDBOX_ADMIN_KEY), api_key=Secret(SANDBOX_API_KEY), max_retries=0
    )
    async with make_client(settings, sandbox.transport()) as client:
        yield Driver(AnthropicAPI(client, settings), sandbox)


async def _read(driver: Driver, op: Operation) -> tuple[str, list[dict[str, Any]]]:
    """Every item of a list (its concrete path, its items)."""
    path_args = await driver.path_args(op, fresh=False)
    args = {**path_args, **arguments_for(op, driver.synth, path_args, driver.sandbox), "limit": 31}
    if "include_archived" in op.properties:
        args["include_archived"] = True
    page = await driver.call(op, args)
    assert not page.get("has_more") and not page.get("next_page"), f"{op.id}: more than one page"
    concrete = op.path
    for name, value in path_args.items():
        concrete = concrete.replace("{" + name + "}", value)
    return concrete, list(page["data"])


def _kinds(listed: dict[str, tuple[str, list[dict[str, Any]]]], sandbox: Sandbox) -> dict[str, set[str]]:
    """Each kind of thing the organization lists at the top level, and the ids it holds."""
    kinds: dict[str, set[str]] = {"organization": {sandbox.org.organization["id"]}}
    kinds["workspace"] = {sandbox.org.default_workspace_id}  # the Default workspace is never listed
    for op_id, (_, items) in listed.items():
        op = CATALOG.by_id[op_id]
        if op.path_params:
            continue
        ids = {item["id"] for item in items if isinstance(item.get("id"), str)}
        if not ids:
            continue  # report rows: nothing refers to them
        item_params = [o.path.rsplit("/", 1)[-1] for o in CATALOG.operations if o.path.rsplit("/", 1)[0] == op.path]
        nouns = {noun_of(op.path.rsplit("/", 1)[-1])} | {p[1:-4] for p in item_params if is_param(p)}
        for noun in nouns:
            kinds.setdefault(noun, set()).update(ids)
    return kinds


def _noun(field: str) -> str:
    noun = field.removesuffix("_ids").removesuffix("_id")
    return ALIASES.get(noun, noun)


def _references(value: Any, where: str, holder: str, kinds: dict[str, set[str]], found: list[str]) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _references(item, f"{where}[{index}]", holder, kinds, found)
        return
    if not isinstance(value, dict):
        return
    if value.get("type") == "user" and isinstance(value.get("id"), str) and value["id"] not in kinds["user"]:
        found.append(f"{where}.id = {value['id']} (user)")
    for field, inner in value.items():
        here = f"{where}.{field}"
        if holder == "slack" and field.endswith("_id"):
            if not SLACK_ID.match(str(inner)):
                found.append(f"{here} = {inner} is not a Slack id")
        elif field.endswith(("_id", "_ids")) and _noun(field) in kinds:
            for ref in inner if isinstance(inner, list) else [inner]:
                if isinstance(ref, str) and ref not in kinds[_noun(field)]:
                    found.append(f"{here} = {ref} ({_noun(field)})")
        _references(inner, here, field, kinds, found)


def _pairs(value: Any, where: str, found: list[str]) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _pairs(item, f"{where}[{index}]", found)
        return
    if not isinstance(value, dict):
        return
    for field, stamp in value.items():
        if field.endswith("_at"):
            for partner, actor in value.items():
                if partner.startswith(field[:-3] + "_by") and (stamp is None) != (actor is None):
                    found.append(f"{where}: {field}={stamp} but {partner}={actor}")
    status = value.get("status")
    decided = status in ("approved", "denied", "pending")
    if decided and "resolved_at" in value and (status == "pending") != (value["resolved_at"] is None):
        found.append(f"{where}: status {status} with resolved_at={value['resolved_at']}")
    if status == "archived" and "archived_at" in value and value["archived_at"] is None:
        found.append(f"{where}: status archived without archived_at")
    for field, inner in value.items():
        _pairs(inner, f"{where}.{field}", found)


async def test_every_list_shows_one_consistent_organization(driver: Driver, sandbox: Sandbox) -> None:
    listed = {op.id: await _read(driver, op) for op in LISTS}
    kinds = _kinds(listed, sandbox)
    kinds["user"] = set(sandbox.org.users) | {u["id"] for u in listed["organization.users.list"][1]}
    assert len(kinds) > 20, sorted(kinds)  # the walk saw the organization, not an empty one
    by_path = {op.path: op for op in LISTS}
    by_concrete = {concrete: {i.get("id") for i in items} for concrete, items in listed.values()}
    problems: list[str] = []
    dangling_departed: set[str] = set()
    for op_id, (concrete, items) in listed.items():
        op = CATALOG.by_id[op_id]
        if not items and op.id not in EMPTY_BY_DESIGN:
            problems.append(f"{op.id}: an empty list checks nothing")
        model = item_type(op.id)
        for index, item in enumerate(items):
            where = f"{op.id}[{index}]"
            if op.id not in NO_SDK_TYPE:
                TypeAdapter(model).validate_json(json.dumps(item), strict=True)  # enums the SDK allows
            refs: list[str] = []
            _references(item, where, "", kinds, refs)
            for ref in refs:
                departed = next((d for d in sandbox.org.departed_user_ids if d in ref), None)
                if departed and op.id == "organization.api_keys.list":
                    dangling_departed.add(departed)
                else:
                    problems.append(ref)
            _pairs(item, where, problems)
            if op.path_params:  # sub-collections: their siblings under the same parent
                problems.extend(_sibling_references(item, where, concrete, by_concrete))
            versions = by_path.get(op.path + "/{" + (op.path.rsplit("/", 1)[-1][:-1]) + "_id}/versions")
            if versions is not None and isinstance(item.get("id"), str):
                held = {v["id"] for v in (await _read_versions(driver, versions, concrete, item["id"]))}
                for field, value in item.items():
                    if field.endswith("_version_id") and value not in held:
                        problems.append(f"{where}.{field} = {value} is none of its versions")
    assert not problems, f"{len(problems)} inconsistencies:\n" + "\n".join(problems)
    assert dangling_departed == sandbox.org.departed_user_ids != set()  # the one deliberate exception, and only it


def _sibling_references(item: dict[str, Any], where: str, concrete: str, lists: dict[str, set[Any]]) -> list[str]:
    """A sub-collection item's ``Y_id`` names an item of its sibling list ``…/{parent}/Ys`` (one walked here)."""
    found = []
    base, own = concrete.rsplit("/", 1)
    for field, value in item.items():
        noun = field.removesuffix("_id")
        if not field.endswith("_id") or field == "id" or value is None:
            continue
        if noun == "parent_" + own.removesuffix("s"):  # a thread's parent thread: the same list
            sibling = concrete
        else:
            plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
            sibling = f"{base}/{plural}"
            if sibling == concrete:  # the list's own key (a group's members: rbac_group_id), not a reference
                continue
        if sibling in lists and value not in lists[sibling]:
            found.append(f"{where}.{field} = {value} is none of {sibling}")
    return found


# Lists the seed leaves empty on purpose, and why.
EMPTY_BY_DESIGN = {
    "messages.batches.list": "a new organization has sent no batches; messages.batches.create adds one",
}


async def _read_versions(driver: Driver, versions: Operation, owner_path: str, owner: str) -> list[dict[str, Any]]:
    param = next(seg[1:-1] for seg in versions.path.split("/") if is_param(seg))
    page = await driver.call(versions, {param: owner, "limit": 31})
    return list(page["data"])


async def test_what_an_action_settles_carries_its_time_and_who_did_it(driver: Driver, sandbox: Sandbox) -> None:
    """Archiving stamps archived_at and archived_by; approving and denying stamp resolved_at and resolved_by."""
    users = set(sandbox.org.users)
    archived = await driver.call(
        CATALOG.by_id["organization.service_accounts.archive"],
        await driver.path_args(CATALOG.by_id["organization.service_accounts.archive"], fresh=True),
    )
    assert archived["archived_at"] is not None and archived["archived_by_actor_id"] in users
    for verb, status in (("approve", "approved"), ("deny", "denied")):
        op = CATALOG.by_id[f"organization.spend_limits.increase_requests.{verb}"]
        requests = await driver.call(CATALOG.by_id["organization.spend_limits.increase_requests.list"], {"limit": 31})
        pending = next(r for r in requests["data"] if r["status"] == "pending")
        args = {"spend_limit_increase_request_id": pending["id"], **arguments_for(op, driver.synth, {}, sandbox)}
        settled = await driver.call(op, args)
        assert settled["status"] == status and settled["resolved_at"] is not None
        assert settled["resolved_by"]["user_id"] in users
        problems: list[str] = []
        _pairs(settled, op.id, problems)
        assert not problems, problems
