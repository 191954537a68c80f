"""What the API refuses in a write's body before changing anything: references to nothing, misplaced ids, empty rules.

Generic, from field names: a ``*_id`` (or ``*_ids``) field, at any depth, naming a kind of thing the
organization has (users, workspaces, API keys, skills, files, and every generic collection) must name one it
has, and a bare ``agent``/``environment``… field holding an id (or ``{"id": ...}``) likewise; the API answers
``400 invalid_request_error`` with ``<kind>_not_found`` (as it does for ``user_profile_id``). Reviewed special
cases: Slack's own ids (``slack.workspace_id`` is a Slack team id, ``T…``, never an Anthropic ``wrkspc_…``),
and a federation rule's ``match``, which must constrain something.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from claude_api_mcp.sandbox.generic_state import reference_noun
from claude_api_mcp.sandbox.wire import SandboxError, invalid

# The ids of a kind the organization has, or None when the sandbox does not know that kind (nothing to check).
Known = Callable[[str], "set[str] | None"]
_SLACK_ID = re.compile(r"^[TCGDE][A-Z0-9]{6,}$")
_MATCHERS = ("audience", "claims", "condition", "subject_prefix")


def check_references(body: dict[str, Any], known: Known, bare_nouns: frozenset[str]) -> None:
    """Refuse the first reference in ``body`` to something the organization does not have."""
    _walk(body, "", known, bare_nouns, "")


def _walk(value: Any, holder: str, known: Known, bare: frozenset[str], where: str) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, holder, known, bare, f"{where}[{index}]")
        return
    if not isinstance(value, dict):
        return
    for field, inner in value.items():
        path = f"{where}.{field}" if where else field
        if holder == "slack" and field.endswith("_id"):
            _slack(path, inner)
            continue
        noun = reference_noun(field) if field.endswith(("_id", "_ids")) else (field if field in bare else None)
        if noun is not None:
            for ref in _ids(inner):
                _exists(path, noun, ref, known)
        if isinstance(inner, dict | list):
            _walk(inner, field, known, bare, path)


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and isinstance(value.get("id"), str):  # "agent": {"type": "agent", "id": ...}
        return [value["id"]]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _exists(path: str, noun: str, ref: str, known: Known) -> None:
    ids = known(noun)
    if ids is None or ref in ids:
        return
    what = noun.replace("_", " ")
    raise SandboxError(
        400, "invalid_request_error", f"{path}: {what.capitalize()} {ref!r} not found.", f"{noun}_not_found"
    )


def _slack(path: str, value: Any) -> None:
    if not isinstance(value, str) or _SLACK_ID.match(value):
        return
    hint = " That is an Anthropic workspace id;" if value.startswith("wrkspc_") else ""
    raise invalid(f"{path}: {value!r} is not a Slack id.{hint} Give Slack's own id (a team id like T0123ABCD).")


def check_rule_match(op_id: str, body: dict[str, Any]) -> None:
    """A federation rule must match something: at least one of audience, claims, condition, subject_prefix."""
    verb = op_id.rsplit(".", 1)[-1]
    if (
        "federation.rules" not in op_id
        or verb not in ("create", "update")
        or (verb == "update" and "match" not in body)
    ):
        return
    match = body.get("match")
    given = match if isinstance(match, dict) else {}
    if not any(given.get(name) not in (None, "", {}) for name in _MATCHERS):
        raise invalid(f"match: give at least one of {', '.join(_MATCHERS)}; an empty match would admit every token.")
