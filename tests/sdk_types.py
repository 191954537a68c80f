"""The official SDK's own types for a catalog operation: the authority the tests validate sandbox answers against.

Test-only: the server never imports the SDK (the sandbox reads ``server/client/catalog/shapes.json``, generated
from these same types by ``scripts/update_catalog.py``).
"""

from __future__ import annotations

import functools
import typing
from typing import Any

import anthropic
import anthropic.pagination

PAGE_CLASSES = {
    "cursor": "AsyncPage",
    "token": "AsyncPageCursor",
    "page_token": "AsyncTokenPage",
    "bidirectional": "AsyncBidirectionalPageCursor",
    "report": "AsyncReportPageCursor",
}


@functools.cache
def _client() -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-ant-api03-sandbox-shapes", base_url="http://sandbox.invalid")


@functools.cache
def sdk_return_type(op_id: str) -> Any:
    """The SDK method's return annotation (``beta.agents.list`` → ``SyncPageCursor[...]``); None if no such method."""
    target: Any = _client()
    for part in op_id.split("."):
        target = getattr(target, part, None)
        if target is None:
            return None
    try:
        return typing.get_type_hints(target).get("return")
    except (NameError, TypeError):
        return None


def page_class(pagination: str, item: Any) -> Any:
    """The SDK's async page model for a pagination style, parametrized by the item type."""
    return getattr(anthropic.pagination, PAGE_CLASSES[pagination])[item]


def item_type(op_id: str) -> Any:
    """The SDK type of one item (page, jsonl, sse) or of the object an operation returns."""
    hint = sdk_return_type(op_id)
    if hint is None:
        return None
    if typing.get_origin(hint) is typing.Union:
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    name, args = _generic(hint)
    if args and (name.startswith("Sync") or name in ("JSONLDecoder", "Stream")):
        return args[0]
    return hint


def _generic(hint: Any) -> tuple[str, tuple[Any, ...]]:
    """The class name and type arguments of ``Stream[X]`` (typing generic) or ``SyncPage[X]`` (pydantic's)."""
    meta = getattr(hint, "__pydantic_generic_metadata__", None)
    if meta and meta.get("origin") is not None:
        return meta["origin"].__name__, tuple(meta["args"])
    return getattr(typing.get_origin(hint) or hint, "__name__", ""), typing.get_args(hint)
