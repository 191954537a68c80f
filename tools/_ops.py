"""A typed tool's wire facts, read from the operation catalog: each is written once, there.

A typed tool names its operation (``@tool(..., op="organization.users.update")``) and adds only what it
curates: its name, a short description, defaults, the summary it returns. Method, path template, the key
it needs and any beta header come from the catalog, which is generated from the pinned official SDK
(``docs/CATALOG_FORMAT.md``). The catalog is read on the first call, not at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from claude_api_mcp.client.catalog import Operation, load_catalog
from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.safety.prepared import Part, Prepared


@dataclass(frozen=True)
class Op:
    """One catalog operation, looked up when first used."""

    id: str

    @cached_property
    def operation(self) -> Operation:
        found = load_catalog().get(self.id)
        if found is None:  # a typed tool naming an operation the catalog lacks: tests/tools/test_ops.py
            raise LookupError(f"the catalog has no operation {self.id!r}")
        return found

    @property
    def method(self) -> str:
        return self.operation.method

    @property
    def beta(self) -> str | None:
        return self.operation.beta

    def path(self, **params: str) -> str:
        """The path with its parameters filled in (each already checked as a safe id by its argument type)."""
        path = self.operation.path
        for name, value in params.items():
            placeholder = "{" + name + "}"
            if placeholder not in path:
                raise KeyError(f"{self.id} has no path parameter {name!r}")
            path = path.replace(placeholder, value)
        if "{" in path:
            raise KeyError(f"{self.id} needs more path parameters: {path}")
        return path

    def prepared(
        self,
        key: KeyKind,
        *,
        body: dict[str, Any] | None = None,
        parts: tuple[Part, ...] | None = None,
        form: dict[str, Any] | None = None,
        shown: Any = None,
        headers: dict[str, str] | None = None,
        idempotent: bool = False,
        current: Op | None = None,
        **params: str,
    ) -> Prepared:
        """This operation's request for the one write path; ``current`` is the read, with the same path
        parameters, that shows the target's state in a dry run and a confirmation."""
        return Prepared(
            self.method,
            self.path(**params),
            key,
            body=body,
            parts=parts,
            form=form,
            shown=shown,
            headers=headers,
            idempotent=idempotent,
            current_path=current.path(**params) if current is not None else None,
        )


def op(op_id: str) -> Op:
    return Op(op_id)
