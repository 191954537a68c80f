"""Every catalog operation's safety class: derived from the SDK, with reviewed decisions where it cannot be.

The review tests fail when a regenerated catalog brings an operation or an answer field that matches the
review patterns (poll, claim, lease, ack, secret, token, credential, key...) and has no recorded decision.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

from claude_api_mcp.client.catalog import load_catalog
from claude_api_mcp.client.catalog.safety import classify, fields, needs_review, suspicious
from claude_api_mcp.client.catalog.safety_reviewed import CREDENTIAL_FIELDS, NOT_CREDENTIAL_FIELDS, OPERATIONS

CATALOG = load_catalog()


def test_every_operation_matching_the_review_patterns_has_a_recorded_decision() -> None:
    unreviewed = [op.id for op in CATALOG.operations if needs_review(op.id, op.path) and op.id not in OPERATIONS]
    assert unreviewed == [], f"record a decision with its reason in safety_reviewed.py for: {unreviewed}"
    assert len([op for op in CATALOG.operations if needs_review(op.id, op.path)]) >= 29


def test_every_answer_field_that_looks_like_a_credential_was_reviewed() -> None:
    reviewed = CREDENTIAL_FIELDS.keys() | NOT_CREDENTIAL_FIELDS.keys()
    unreviewed = sorted(
        {
            f"{op.id}: {name}"
            for op in CATALOG.operations
            for name, schema in fields(op.response.get("fields"))
            if suspicious(name, schema) and name not in reviewed
        }
    )
    assert unreviewed == [], f"decide in safety_reviewed.py whether these carry credentials: {unreviewed}"


def _deep_fields(schema: Any, defs: dict[str, Any], seen: frozenset[str] = frozenset()) -> Iterator[tuple[str, Any]]:
    """Every named field of a shapes.json schema, following its $refs (the full depth the SDK types have)."""
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _deep_fields(defs[name], defs, seen | {name})
        return
    for name, sub in (schema.get("properties") or {}).items():
        yield name, sub
        yield from _deep_fields(sub, defs, seen)
    for key in ("items", "additionalProperties"):
        yield from _deep_fields(schema.get(key), defs, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or ():
            yield from _deep_fields(sub, defs, seen)


def test_fields_deeper_than_the_catalogs_own_were_reviewed_and_credentials_reach_the_class() -> None:
    """operations.json keeps a compact answer schema; shapes.json holds the SDK's whole type. A field that
    looks like a credential at any depth needs a decision, and a credential there must be in the class."""
    shapes = json.loads(resources.files("claude_api_mcp.client.catalog").joinpath("shapes.json").read_text())
    reviewed = CREDENTIAL_FIELDS.keys() | NOT_CREDENTIAL_FIELDS.keys()
    unreviewed: set[str] = set()
    unclassed: list[str] = []
    for op_id, shape in shapes["operations"].items():
        names = {n for n, sub in _deep_fields(shape.get("schema"), shapes["$defs"]) if suspicious(n, sub)}
        unreviewed |= {f"{op_id}: {n}" for n in names - reviewed}
        unclassed += [
            f"{op_id}: {n}"
            for n in names & CREDENTIAL_FIELDS.keys()
            if n not in CATALOG.by_id[op_id].safety.credentials
        ]
    assert sorted(unreviewed) == [], "decide in safety_reviewed.py whether these carry credentials"
    assert unclassed == [], "record credentials=(...) for these operations in safety_reviewed.py"
    assert set(shapes["operations"]) <= set(CATALOG.by_id) and len(shapes["operations"]) > 280


def test_every_decision_names_a_real_operation_and_gives_a_reason() -> None:
    assert set(OPERATIONS) <= {op.id for op in CATALOG.operations}, "a decision for an operation that is gone"
    assert all(len(d.reason) > 15 for d in OPERATIONS.values())
    shapes = json.loads(resources.files("claude_api_mcp.client.catalog").joinpath("shapes.json").read_text())
    seen = {name for op in CATALOG.operations for name, _ in fields(op.response.get("fields"))}
    seen |= {
        name
        for shape in shapes["operations"].values()
        for name, _ in _deep_fields(shape.get("schema"), shapes["$defs"])
    }
    assert set(CREDENTIAL_FIELDS) | set(NOT_CREDENTIAL_FIELDS) <= seen, "a field decision no answer has"


def test_the_work_queue_is_classed_by_what_it_does_not_by_its_method() -> None:
    poll = CATALOG.by_id["beta.environments.work.poll"]
    assert poll.method == "GET" and poll.writes and poll.safety.cls == "write" and poll.safety.side_effects
    assert poll.safety.credentials == ("secret",)
    for op_id in ("beta.environments.work.list", "beta.environments.work.retrieve"):
        safety = CATALOG.by_id[op_id].safety
        assert (safety.cls, safety.credentials, safety.plain_read) == ("read", ("secret",), False), op_id
    assert CATALOG.by_id["beta.environments.work.stats"].safety.plain_read


def test_classes_are_consistent_and_cover_the_whole_catalog() -> None:
    for op in CATALOG.operations:
        s = op.safety
        assert s.side_effects == (s.cls != "read"), op.id
        assert op.writes == (s.cls != "read"), op.id
        assert (op.method == "DELETE") <= (s.cls == "destructive"), op.id
        assert s.plain_read == (s.cls == "read" and not s.credentials), op.id
    counts = {c: sum(op.safety.cls == c for op in CATALOG.operations) for c in ("read", "write", "destructive")}
    assert counts["read"] > 120 and counts["write"] > 100 and counts["destructive"] > 30


def test_an_unreviewed_queue_verb_or_credential_field_fails_closed() -> None:
    """What a future SDK could bring before anyone reviews it: treated as the dangerous kind."""
    claim = classify("beta.jobs.claim", "GET", "/v1/jobs/claim", False, {"fields": {}})
    assert (claim.cls, claim.side_effects) == ("write", True)
    answer = {"fields": {"type": "object", "properties": {"client_password": {"type": "string"}}}}
    fresh = classify("beta.things.retrieve", "GET", "/v1/things/{id}", False, answer)
    assert fresh.cls == "read" and fresh.credentials == ("client_password",) and not fresh.plain_read
    nested = {
        "fields": {
            "type": "object",
            "properties": {
                "items": {
                    "type": "array",
                    "items": {"anyOf": [{"type": "object", "properties": {"api_token": {"type": ["string", "null"]}}}]},
                }
            },
        }
    }
    assert classify("x.list", "GET", "/v1/x", False, nested).credentials == ("api_token",)
    counts = {"fields": {"type": "object", "properties": {"input_tokens": {"type": "integer"}, "key_id": {}}}}
    assert classify("x.get", "GET", "/v1/x", False, counts).credentials == ()


def test_a_current_state_read_is_only_ever_a_plain_read() -> None:
    assert not CATALOG.plain_read_at("/v1/environments/env_1/work/poll")  # routed to poll, not retrieve
    assert not CATALOG.plain_read_at("/v1/environments/env_1/work/work_1")  # retrieve answers with a secret
    assert CATALOG.plain_read_at("/v1/environments/env_1")
    assert not CATALOG.plain_read_at("/v1/nowhere")


def test_docs_list_every_operation_whose_class_is_not_its_methods_or_that_returns_credentials() -> None:
    from tests.paths import REPO

    docs = (REPO / "docs" / "safety.md").read_text(encoding="utf-8")
    by_method = {"GET": "read", "DELETE": "destructive"}
    changed = [
        op.id
        for op in CATALOG.operations
        if op.safety.credentials
        or op.safety.cls != by_method.get(op.method, "read" if op.id == "messages.count_tokens" else "write")
    ]
    assert "beta.environments.work.poll" in changed and len(changed) >= 13
    assert [op_id for op_id in changed if f"`{op_id}`" not in docs] == []
