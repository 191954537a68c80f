"""One relation seen from both sides: a service account's workspaces are the workspaces' service accounts.

When two sub-collections list the same SDK model, each keyed by the other's parent
(``/service_accounts/{service_account_id}/workspaces`` and ``/workspaces/{workspace_id}/service_accounts``
both list ``ServiceAccountWorkspaceMember``), their items are links stored once: adding a service account to
a workspace from either side shows on both, and removing it removes it from both.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

Record = dict[str, Any]
Pair = tuple[str, str]


class LinkView(MutableMapping[str, Record]):
    """The links of one parent (one service account), keyed by the other side's id (the workspace's)."""

    def __init__(self, store: dict[Pair, Record], fields: Pair, parent_field: str, parent: str, key: str) -> None:
        self.store, self.fields = store, fields
        self.parent_field, self.parent, self.key = parent_field, parent, key

    def _pair(self, key: str) -> Pair:
        values = {self.parent_field: self.parent, self.key: key}
        return values[self.fields[0]], values[self.fields[1]]

    def __getitem__(self, key: str) -> Record:
        return self.store[self._pair(key)]

    def __setitem__(self, key: str, record: Record) -> None:
        record[self.parent_field], record[self.key] = self.parent, key
        self.store[self._pair(key)] = record

    def __delitem__(self, key: str) -> None:
        del self.store[self._pair(key)]

    def __iter__(self) -> Iterator[str]:
        for record in list(self.store.values()):
            if record.get(self.parent_field) == self.parent and isinstance(record.get(self.key), str):
                yield record[self.key]

    def __len__(self) -> int:
        return sum(1 for _ in self)


def relations(lists: dict[str, tuple[str | None, str | None, str]]) -> dict[str, tuple[str, Pair]]:
    """Collections that are two sides of one relation: path → (relation name, its two id fields, sorted).

    ``lists`` maps a sub-collection's path template to (item model name, its parent parameter, its key field).
    """
    by_model: dict[str, list[tuple[str, str, str]]] = {}
    for path, (model, parent_param, key) in lists.items():
        if model and parent_param:
            by_model.setdefault(model, []).append((path, parent_param, key))
    found: dict[str, tuple[str, Pair]] = {}
    for model, sides in by_model.items():
        if len(sides) == 2 and (sides[0][1], sides[0][2]) == (sides[1][2], sides[1][1]):
            fields: Pair = tuple(sorted((sides[0][1], sides[0][2])))  # type: ignore[assignment]
            for path, _, _ in sides:
                found[path] = (model, fields)
    return found
