"""Items of a sub-collection name items of their sibling collections under the same parent.

A memory store's memory versions carry the ``memory_id`` of one of that store's memories, and its memories
the ``memory_version_id`` of one of its versions. When a collection is seeded, each top-level ``Y_id`` field
whose sibling collection (``…/{parent}/Ys``) is a list the catalog has is pointed at an item of it, seeding
the sibling first if needed (the two refer to each other: the second one seeded picks from the first, which
is already registered, so neither waits on the other).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

Record = dict[str, Any]
Collection = MutableMapping[str, Record]


def sibling_path(concrete: str, field: str, is_list: Callable[[str], bool]) -> str | None:
    """``/v1/memory_stores/S/memory_versions`` + ``memory_id`` → ``/v1/memory_stores/S/memories``, if listed."""
    base = concrete.rsplit("/", 1)[0]
    noun = field.removesuffix("_id")
    plurals = [noun + "s"] + ([noun[:-1] + "ies"] if noun.endswith("y") else [])
    for plural in plurals:
        path = f"{base}/{plural}"
        if path != concrete and is_list(path):
            return path
    return None


def link(concrete: str, items: Collection, is_list: Callable[[str], bool], seed: Callable[[str], Collection]) -> None:
    """Point the items' sibling references at items of those siblings (seeded here when not yet).

    A ``parent_<noun>_id`` of the collection's own kind (a session's threads) makes the first item the root
    (``None``; the SDK's strict validation in the tests says the field may be null) and the others its children.
    """
    keys = [key for key, record in items.items() if record.get("id") == key]
    own = "parent_" + _singular(concrete.rsplit("/", 1)[-1]) + "_id"
    for index, record in enumerate(list(items.values())):
        if own in record and keys and (index == 0 or record.get("id") != keys[0]):
            record[own] = keys[0] if index else None
        for field in [f for f in record if f.endswith("_id") and f not in ("id", own)]:
            path = sibling_path(concrete, field, is_list)
            if path is None:
                continue
            found = [key for key, other in seed(path).items() if other.get("id") == key]
            if found:
                record[field] = found[index % len(found)]


def _singular(segment: str) -> str:
    return segment[:-3] + "y" if segment.endswith("ies") else segment.removesuffix("s")
