"""The registry of questions: for each write tool, a describer that says what the call will do.

Describers register by tool name (``consequences.py`` for destructive writes, ``costs.py`` for the ones that
spend money or grant access, ``tools/api.py`` for write_api); ``describe.py`` asks them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from claude_api_mcp.core.config import KeyKind
from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.safety.prepared import Prepared

Args = Mapping[str, Any]
Get = Callable[..., Awaitable[Any]]  # get(path, params=None) -> parsed JSON
ORG = "/v1/organizations"


@dataclass(frozen=True)
class Described:
    text: str  # "Archive workspace 'Prod' (wrkspc_…): its 4 active API keys stop working immediately; ..."
    method: str
    path: str


Describer = Callable[[Get, Args], Awaitable[Described]]
# Uploads and write_api describe the prepared request itself (its file names and sizes, its arguments).
LocalDescriber = Callable[[Ctx, Args, Prepared | None], Awaitable[Described]]
DESCRIBERS: dict[str, tuple[KeyKind, Describer]] = {}
# Tools whose key depends on the call (write_api: the catalog operation's) describe with the context.
CONTEXT_DESCRIBERS: dict[str, LocalDescriber] = {}
LOCAL_DESCRIBERS: dict[str, LocalDescriber] = {}
MAX_TEXT = 1500  # a question longer than this is not read; the tail is cut, never a line added


def describes(tool_name: str, key: KeyKind) -> Callable[[Describer], Describer]:
    def register(fn: Describer) -> Describer:
        DESCRIBERS[tool_name] = (key, fn)
        return fn

    return register


def describes_local(tool_name: str) -> Callable[[LocalDescriber], LocalDescriber]:
    def register(fn: LocalDescriber) -> LocalDescriber:
        LOCAL_DESCRIBERS[tool_name] = fn
        return fn

    return register
