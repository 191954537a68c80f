"""ToolDef: a typed async function plus the metadata the profile filter and the metadata tests read.

A tool module writes::

    @tool("users", KeyKind.ADMIN, title="List users", read_only=True)
    async def list_users(ctx: Ctx, limit: Limit = 20, ...) -> CursorPage[User]:
        \"\"\"One-line description the model reads.\"\"\"

The decorator returns a ``ToolDef``; ``tools/registry.py`` collects them into the one registry. A server
starts from ``server/app/tool_index.json`` instead, the registry's metadata and published schemas computed at
build time: its ToolDefs import their module on the first call (start-up time, issue 22).

The body raises ``ApiError`` freely: registration maps it through ``server/core/errors.py`` with this tool's
key kind and not-found hint.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations

from claude_api_mcp.core.config import KeyKind

# A runtime class (not a string) so the SDK can find the context parameter by its annotation.
Ctx: TypeAlias = Context[Any, Any]
ToolFn = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class ToolDef:
    name: str
    title: str
    toolset: str
    key: KeyKind
    read_only: bool
    destructive: bool
    idempotent: bool
    not_found_hint: str | None = None
    any_key: bool = False  # listed when either key is set (the api toolset: each call uses its operation's key)
    op: str | None = None  # the catalog operation it is a curated view of: its method, path and beta come from there
    ui: str | None = None  # an MCP Apps view (``ui://`` resource) that hosts render next to the result
    description: str = ""  # the docstring, on one line: what the model reads
    module: str = ""  # the tools module that defines it (``users``)
    # The function itself, or how to import it on first use (a ToolDef read from the tool index).
    defined: ToolFn | None = field(default=None, repr=False, compare=False)
    loader: Callable[[], ToolFn] | None = field(default=None, repr=False, compare=False)

    @property
    def fn(self) -> ToolFn:
        if self.defined is not None:
            return self.defined
        assert self.loader is not None, f"{self.name} has neither a function nor a loader"
        return self.loader()

    @property
    def annotations(self) -> ToolAnnotations:
        return ToolAnnotations(  # the title is the tool's own; repeating it here costs tokens in every list
            read_only_hint=self.read_only,
            destructive_hint=self.destructive,
            idempotent_hint=self.idempotent,
            open_world_hint=True,  # every tool reaches the Claude API
        )


def tool(
    toolset: str,
    key: KeyKind,
    *,
    title: str,
    read_only: bool = False,
    destructive: bool = False,
    idempotent: bool = False,
    not_found_hint: str | None = None,
    any_key: bool = False,
    op: str | None = None,
    ui: str | None = None,
) -> Callable[[ToolFn], ToolDef]:
    """Declare a tool. Read-only tools are idempotent and never destructive by definition."""

    def wrap(fn: ToolFn) -> ToolDef:
        return ToolDef(
            defined=fn,
            description=" ".join((fn.__doc__ or "").split()),
            module=fn.__module__.rpartition(".")[2],
            name=fn.__name__,
            title=title,
            toolset=toolset,
            key=key,
            read_only=read_only,
            destructive=destructive and not read_only,
            idempotent=idempotent or read_only,
            not_found_hint=not_found_hint,
            any_key=any_key,
            op=op,
            ui=ui,
        )

    return wrap
