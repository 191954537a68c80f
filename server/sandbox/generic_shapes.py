"""The JSON Schema of what each catalog operation returns, as exact as the installed software allows.

With the official SDK installed (always in development and tests: it is the project's reference), the
schema comes from the SDK method's own return type (``Page[Item]``, a union of events, a model), so every
object the simulator builds validates against the SDK. Without it (a plain install running ``--sandbox``),
the catalog's compact ``response.fields`` is used: nesting cut at a few levels, still plausible.
"""

from __future__ import annotations

import functools
import importlib
import typing
from dataclasses import dataclass
from typing import Any

import pydantic

# The SDK's page classes by the catalog's pagination name, and the fields each page object carries.
PAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "cursor": ("data", "has_more", "first_id", "last_id"),
    "token": ("data", "next_page"),
    "page_token": ("data", "has_more", "next_page"),
    "bidirectional": ("data", "next_page", "prev_page"),
    "report": ("data", "has_more", "next_page", "data_refreshed_at"),
}
PAGE_CLASSES = {
    "cursor": "AsyncPage",
    "token": "AsyncPageCursor",
    "page_token": "AsyncTokenPage",
    "bidirectional": "AsyncBidirectionalPageCursor",
    "report": "AsyncReportPageCursor",
}


@dataclass(frozen=True)
class Shape:
    kind: str  # object | page | jsonl | binary | sse | empty
    schema: dict[str, Any]  # of the object, or of one item (page, jsonl) or event (sse)
    exact: bool  # True when taken from the SDK's own types


def sdk_return_type(op_id: str) -> Any:
    """The SDK method's return annotation for an operation id (``beta.agents.list`` → ``SyncPageCursor[...]``).

    None when the SDK is not installed or has no such method (the hand-added report endpoints).
    """
    return _sdk_return_type(op_id)


@functools.lru_cache(maxsize=512)
def _sdk_return_type(op_id: str) -> Any:
    client = _sdk_client()
    if client is None:
        return None
    target: Any = client
    for part in op_id.split("."):
        target = getattr(target, part, None)
        if target is None:
            return None
    try:
        return typing.get_type_hints(target).get("return")
    except (NameError, TypeError):
        return None


@functools.lru_cache(maxsize=1)
def _sdk_client() -> Any:
    try:
        anthropic = importlib.import_module("anthropic")
    except ImportError:
        return None
    return anthropic.Anthropic(api_key="sk-ant-api03-sandbox-shapes", base_url="http://sandbox.invalid")


@functools.lru_cache(maxsize=512)
def _sdk_shape(op_id: str) -> Shape | None:
    hint = _sdk_return_type(op_id)
    if hint is None:
        return None
    if typing.get_origin(hint) is typing.Union:  # Optional[Model]: a poll that may find nothing
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    name, args = _generic(hint)
    if name == "BinaryAPIResponse":
        return Shape("binary", {}, True)
    if hint is type(None) or hint is None:
        return Shape("empty", {}, True)
    kind = "object"
    if name.startswith("Sync") and args:
        kind, hint = "page", args[0]
    elif name == "JSONLDecoder":
        kind, hint = "jsonl", args[0]
    elif name == "Stream":
        kind, hint = "sse", args[0]
    try:
        schema = pydantic.TypeAdapter(hint).json_schema()
    except (pydantic.PydanticUserError, pydantic.PydanticSchemaGenerationError, TypeError):
        return None
    return Shape(kind, schema, True)


def shape_of(op_id: str, response: dict[str, Any]) -> Shape:
    """The response description of an operation: the SDK's when available, else the catalog's."""
    exact = _sdk_shape(op_id)
    if exact is not None:
        return exact
    return Shape(str(response.get("kind", "object")), dict(response.get("fields") or {}), False)


def page_class(pagination: str, item: Any) -> Any:
    """The SDK's async page model for a pagination style, parametrized by the item type (for validation)."""
    pagination_module = importlib.import_module("anthropic.pagination")
    return getattr(pagination_module, PAGE_CLASSES[pagination])[item]


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
