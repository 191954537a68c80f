"""The operation catalog: regenerated from the installed SDK it is byte-for-byte the committed file, and
what it says holds together (ids, keys, path parameters, response types, typed tools)."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys

import anthropic
import pydantic

from claude_api_mcp.client.catalog import load_catalog
from claude_api_mcp.tools.registry import ALL_TOOLS
from tests.paths import REPO

ROOT = REPO
CATALOG = load_catalog()


def test_the_committed_catalog_is_what_the_installed_sdk_generates() -> None:
    """Both files: operations.json and shapes.json (the sandbox's full response schemas)."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_catalog.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert CATALOG.sdk_version == anthropic.__version__


def test_ids_are_unique_and_one_per_request() -> None:
    ids = [op.id for op in CATALOG.operations]
    assert len(ids) == len(set(ids)) and len(ids) > 250
    requests = [(op.method, op.path) for op in CATALOG.operations]
    assert len(requests) == len(set(requests))


def test_ga_and_plain_ids_win_and_the_reports_are_there() -> None:
    assert CATALOG.get("messages.create") is not None and CATALOG.get("messages.stream") is None
    assert CATALOG.get("beta.messages.create") is None  # the same request as messages.create
    assert CATALOG.get("organization.users.list") is not None and CATALOG.get("beta.organization.users.list") is None
    for op_id in (
        "organization.usage_report.messages",
        "organization.cost_report",
        "organization.usage_report.claude_code",
    ):
        op = CATALOG.get(op_id)
        assert op is not None and op.key == "admin" and not op.writes and op.pagination == "token"


def test_keys_writes_and_path_parameters_follow_the_request() -> None:
    for op in CATALOG.operations:
        assert op.key == ("admin" if op.path.startswith("/v1/organizations/") else "api"), op.id
        # From the safety class (test_catalog_safety.py): the method, except the reviewed decisions.
        assert op.writes == (op.safety.cls != "read"), op.id
        assert op.writes or op.method == "GET" or op.id == "messages.count_tokens", op.id
        for name in op.path_params:
            assert op.locations[name] == "path" and name in op.required, op.id
        assert set(op.locations) == set(op.properties), op.id
        assert op.arguments["additionalProperties"] is False


def test_beta_headers_are_the_sdks() -> None:
    assert CATALOG.get("beta.agents.create").beta == "managed-agents-2026-04-01"  # type: ignore[union-attr]
    assert CATALOG.get("beta.organization.users.sign_out").beta == "admin-user-sign-out-2026-10-08"  # type: ignore[union-attr]
    assert CATALOG.get("organization.rbac_groups.members.add").beta is None  # type: ignore[union-attr]


def test_every_response_type_is_an_sdk_model() -> None:
    for op in CATALOG.operations:
        dotted = op.response["type"]
        if dotted is None:
            continue
        module, _, name = dotted.rpartition(".")
        model = getattr(importlib.import_module(module), name)
        assert issubclass(model, pydantic.BaseModel), op.id


def test_every_typed_tool_names_its_operation_once() -> None:
    typed = [op.typed_tool for op in CATALOG.operations if op.typed_tool]
    assert sorted(typed) == sorted(t.name for t in ALL_TOOLS if t.toolset != "api")


def test_match_finds_the_operation_and_literal_segments_win() -> None:
    found = CATALOG.match("POST", "/v1/organizations/rbac_groups/rbacgrp_1/members")
    assert found is not None and found[0].id == "organization.rbac_groups.members.add"
    assert found[1] == {"rbac_group_id": "rbacgrp_1"}
    work = CATALOG.match("GET", "/v1/environments/env_1/work/stats")
    assert work is not None and work[0].id == "beta.environments.work.stats"
    assert CATALOG.match("GET", "/v1/nowhere") is None


def test_shapes_cover_every_sdk_operation_and_every_ref_resolves_in_the_shared_defs() -> None:
    shapes = json.loads((ROOT / "server" / "client" / "catalog" / "shapes.json").read_text(encoding="utf-8"))
    hand_added = {
        "organization.usage_report.messages",
        "organization.cost_report",
        "organization.usage_report.claude_code",
    }
    assert set(shapes["operations"]) == {op.id for op in CATALOG.operations} - hand_added
    for op_id, entry in shapes["operations"].items():
        op = CATALOG.get(op_id)
        assert op is not None and (entry["kind"], entry["pagination"]) == (op.response_kind, op.pagination), op_id
    refs = set(re.findall(r'"\$ref":"#/\$defs/([^"]+)"', json.dumps(shapes, separators=(",", ":"))))
    assert refs and refs <= set(shapes["$defs"])


def test_the_generator_refuses_a_catalog_the_sdk_would_send_differently() -> None:
    """The 2.14.0 catalog's two mistakes, put back: update_catalog.refusals names both; the real entries pass."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import update_catalog

    data = json.loads((ROOT / "server" / "client" / "catalog" / "operations.json").read_text(encoding="utf-8"))
    ops = {op["id"]: op for op in data["operations"]}
    folded = json.loads(json.dumps(ops["beta.agents.list"]))  # created_at[gte] / [lte] folded into one name
    for name in ("created_at[gte]", "created_at[lte]"):
        folded["arguments"]["properties"].pop(name)
        folded["locations"].pop(name)
    folded["arguments"]["properties"]["created_at"] = {"type": "string"}
    folded["locations"]["created_at"] = "query"
    folded.pop("aliases")
    wrapped = json.loads(json.dumps(ops["beta.organization.claude_tag.bundles.targets.create"]))
    wrapped.pop("whole_body")  # the target's fields sent as named body fields is not what the SDK sends: {"type"...}
    wrapped["arguments"]["properties"] = {"bundle_id": {"type": "string"}, "target": {"type": "object"}}
    wrapped["locations"] = {"bundle_id": "path", "target": "body"}
    wrapped["arguments"]["required"] = ["bundle_id", "target"]
    good = ops["beta.organization.spend_limits.set"]
    found = update_catalog.refusals({"sdk_version": data["sdk_version"], "operations": [folded, wrapped, good]})
    assert [line.split(":")[0] for line in found] == [folded["id"], wrapped["id"]]
    assert update_catalog.refusals({"sdk_version": data["sdk_version"], "operations": [good]}) == []


def test_the_bump_summary_names_operations_and_arguments_that_changed() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from catalog_diff import changes

    data = json.loads((ROOT / "server" / "client" / "catalog" / "operations.json").read_text(encoding="utf-8"))
    old = json.loads(json.dumps(data))
    old["sdk_version"] = "0.0.1"
    ops = {op["id"]: op for op in old["operations"]}
    old["operations"] = [op for op in old["operations"] if op["id"] != "beta.organization.analytics.projects.list"]
    agents = ops["beta.agents.list"]
    agents["arguments"]["properties"]["created_at"] = {"type": "string"}
    agents["locations"]["created_at"] = "query"
    spend = ops["beta.organization.spend_limits.set"]["arguments"]
    spend["properties"]["period"] = {"type": "string"}
    spend["properties"]["amount"] = {**spend["properties"]["amount"], "description": "Old words."}
    lines = changes(old, data)
    assert lines[0] == f"SDK 0.0.1 -> {data['sdk_version']}"
    assert "+ operation beta.organization.analytics.projects.list (GET /v1/organizations/analytics/projects)" in lines
    assert "~ beta.agents.list: - argument created_at" in lines
    assert "~ beta.organization.spend_limits.set: argument period: schema changed" in lines
    assert lines[-1].startswith("~ 1 argument descriptions reworded")
    assert changes(data, data) == []
