"""What an action (``POST /x/{id}/archive``, ``approve``, ``pause``…) does to the item it acts on.

It stamps its time (``archived_at``, ``resolved_at``…), leaves who did it (``archived_by…``, ``resolved_by``) to
be filled when the answer is built, and moves ``status`` to the matching value the SDK allows.
"""

from __future__ import annotations

from typing import Any

from claude_api_mcp.sandbox.generic_state import properties_of

Record = dict[str, Any]
_STAMPS = {"archive": "archived_at", "cancel": "cancelled_at", "pause": "paused_at", "redact": "redacted_at"}
_STAMPS |= {"approve": "resolved_at", "deny": "resolved_at"}
_STATUS = {"unpause": "active", "activate": "active", "approve": "approved", "deny": "denied"}


def act(record: Record, action: str, schema: dict[str, Any], moment: str) -> None:
    stamp = _STAMPS.get(action)
    if stamp:
        record.setdefault(stamp, None)
        if record[stamp] is None:
            record[stamp] = moment
    for name in [k for k, v in record.items() if v is None and "_by" in k and k.split("_by")[0] + "_at" in record]:
        del record[name]  # archived_by_…/resolved_by: filled with who did it when the answer is built
    if action in ("unpause", "unarchive", "restore", "activate"):
        record["paused_at"] = None
    stem = action.rstrip("e")
    wanted = _STATUS.get(action)
    for value in _status_values(schema):
        if value == wanted or (wanted is None and value.startswith(stem)):
            record["status"] = value
            break


def _status_values(schema: dict[str, Any]) -> list[str]:
    status = properties_of(schema).get("status", {})
    defs = schema.get("$defs", {})
    if "$ref" in status:
        status = defs[status["$ref"].rsplit("/", 1)[-1]]
    values = status.get("enum") or [o.get("const") for o in status.get("anyOf", []) if "const" in o]
    return [v for v in values if isinstance(v, str)]
