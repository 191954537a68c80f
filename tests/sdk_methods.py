"""Every method of the official SDK's client, and the HTTP request each one sends, read from the SDK itself.

The SDK's generated methods each end in one ``self._get/_post/_put/_patch/_delete/_get_api_list(path...)``
call; its literal path template names the catalog operation the method speaks to (the ``beta.*`` copies of
GA resources speak to the same path, with their own beta header and often their own response type).
Methods that send no request of their own (helpers that wrap another method, local parsers) have no path.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import anthropic
from anthropic._resource import SyncAPIResource

_CALL = re.compile(
    r"self\._(get|post|put|patch|delete|get_api_list)\(\s*(?:path_template\(\s*)?\"(/v1/[^\"]*)\"",
    re.S,
)


@dataclass(frozen=True)
class SdkMethod:
    name: str  # beta.agents.list
    http: tuple[str, str] | None  # ("GET", "/v1/agents"), or None for a method that sends no request itself


def sdk_methods(client: anthropic.Anthropic) -> list[SdkMethod]:
    """Every public method of every resource of ``client``, by dotted name."""
    found: dict[str, SdkMethod] = {}
    for name, resource in _resources(client, ""):
        for attr_name, attr in inspect.getmembers(type(resource), inspect.isfunction):
            if attr_name.startswith(("_", "with_")):
                continue
            calls = _CALL.findall(inspect.getsource(attr))
            http = ({"get_api_list": "GET"}.get(calls[-1][0], calls[-1][0].upper()), calls[-1][1]) if calls else None
            found[name + attr_name] = SdkMethod(name + attr_name, http)
    return [found[k] for k in sorted(found)]


def _resources(owner: Any, prefix: str) -> Iterator[tuple[str, SyncAPIResource]]:
    for name in dir(type(owner)):
        if name.startswith(("_", "with_")):
            continue
        descriptor = inspect.getattr_static(type(owner), name, None)
        if not isinstance(descriptor, property) and type(descriptor).__name__ != "cached_property":
            continue
        try:
            child = getattr(owner, name)
        except Exception:  # a client property that needs configuration the walk does not give (platform auth)
            continue
        if isinstance(child, SyncAPIResource):
            yield prefix + name + ".", child
            yield from _resources(child, prefix + name + ".")


def bound(client: anthropic.Anthropic, name: str) -> Callable[..., Any]:
    target: Any = client
    for part in name.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]
