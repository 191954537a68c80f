"""An object's ``*_version_id`` fields name items of its own ``versions`` sub-collection (a plugin's served version).

Seeding: the first versions seeded under an object take the ids the object already shows (its
``latest_version_id`` and ``served_version_id``), so what a retrieve showed is what the versions list holds.
Writes: a ``served_version_id`` the object's versions do not hold is refused like the API refuses it.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from claude_api_mcp.sandbox.wire import SandboxError

Record = dict[str, Any]
SUB = "versions"


def version_fields(record: Record) -> list[str]:
    """The version ids an object names, newest first (``latest_version_id`` before ``served_version_id``)."""
    named = [v for k, v in sorted(record.items()) if k.endswith("_version_id") and isinstance(v, str)]
    return list(dict.fromkeys(named))


def adopt(owner: Record | None, seeded: MutableMapping[str, Record]) -> None:
    """Give freshly seeded versions the ids their owner already names (rekeying them by id)."""
    wanted = version_fields(owner or {})
    if not wanted or not seeded:
        return
    items = list(seeded.items())
    seeded.clear()
    for index, (key, record) in enumerate(items):
        if index < len(wanted) and record.get("id") == key:
            record["id"] = key = wanted[index]
        seeded[key] = record


def check(body: Record, versions: MutableMapping[str, Record], owner: str) -> None:
    for field, value in body.items():
        if field.endswith("_version_id") and isinstance(value, str) and value not in versions:
            raise SandboxError(
                400,
                "invalid_request_error",
                f"{field}: {owner} has no version {value!r}; list its versions for the ids it has.",
                "version_not_found",
            )
