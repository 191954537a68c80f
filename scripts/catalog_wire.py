"""The request-side check: for one catalog operation, the official SDK and our generic tools send the same
request (docs/CATALOG_FORMAT.md, "The request-side check").

Used twice, with the same functions: ``update_catalog.py`` runs it on the catalog it is about to write (our
side built by ``safety/api_args.py`` and sent by the real HTTP client) and refuses to write on any
difference; ``tests/tools/test_api_sdk_requests.py`` runs it through an MCP client's ``read_api`` /
``write_api`` against a recording upstream. Arguments come from the operation's own schema: every argument,
each with a value that fits it, so each lands somewhere the comparison sees.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anthropic
import anyio
import httpx
import httpx2

from claude_api_mcp.client.catalog import Operation
from claude_api_mcp.client.http import AnthropicAPI, make_client
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.safety.api_args import build, validate

HAND_WRITTEN = "a report endpoint the SDK lacks (scripts/catalog_extra.py): no SDK request to compare with"
FILE_BYTES = b"hello"
FILE = {"filename": "notes.txt", "content_base64": base64.b64encode(FILE_BYTES).decode(), "media_type": "text/plain"}


def skip_reason(op: Operation, sdk_methods: set[str]) -> str | None:
    """Why ``op`` is not compared (None: it is). Every skip names its reason; there is no other kind."""
    return HAND_WRITTEN if op.id not in sdk_methods else None


def sdk_methods(client: Any, prefix: str = "") -> set[str]:
    """Every method the SDK client has, by dotted name (the catalog's ids are these names)."""
    from anthropic._resource import SyncAPIResource

    out: set[str] = set()
    for name in dir(type(client)):
        if name.startswith("_") or name.startswith("with_"):
            continue
        value = getattr(client, name)
        if isinstance(value, SyncAPIResource):
            out |= sdk_methods(value, f"{prefix}{name}.")
        elif prefix and callable(value):
            out.add(f"{prefix}{name}")
    return out


def sample(schema: Mapping[str, Any], name: str = "") -> Any:
    """A value that fits ``schema``: objects with every property (to the catalog's depth), path-safe strings."""
    if "anyOf" in schema:  # a branch that says more (a date-time beside a plain string) is the likelier value
        branches = schema["anyOf"]
        return sample(next((b for b in branches if "format" in b or "enum" in b), branches[0]), name)
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    kind = schema.get("type", "string")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    if schema.get("format") == "binary":
        return dict(FILE)
    if kind == "array":
        items = schema.get("items") or {"type": "string"}
        return [dict(FILE)] if items.get("format") == "binary" else [sample(items, name)]
    if kind == "object":
        props = schema.get("properties") or {}
        return {k: sample(v, k) for k, v in props.items()}
    if kind == "integer":
        return 2
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if schema.get("format") == "date-time":
        return "2026-11-01T00:00:00Z"
    if schema.get("format") == "date":
        return "2026-11-01"
    return f"{re.sub(r'[^a-z0-9]', '', name.lower()) or 'value'}_01abc"


def arguments(op: Operation, *, everything: bool = True) -> dict[str, Any]:
    """Arguments for ``op`` by its catalog names: every one (or only the required ones)."""
    names = list(op.properties) if everything else op.required
    return {name: sample(op.properties[name], name) for name in names}


def sdk_call(op: Operation, args: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The SDK method (dotted, from the client) and its keyword arguments for the same call."""
    sdk_name = {argument: param for param, argument in op.aliases.items() if param.isidentifier()}
    kwargs: dict[str, Any] = {}
    whole: dict[str, Any] = {}
    for name, value in args.items():
        if op.whole_body and op.locations.get(name) == "body":
            whole[name] = value
        elif op.locations.get(name) == "file":
            files = [_sdk_file(v) for v in value] if isinstance(value, list) else _sdk_file(value)
            kwargs[sdk_name.get(name, name)] = files
        else:
            kwargs[sdk_name.get(name, name)] = value
    if op.whole_body:
        kwargs[op.whole_body] = whole
    return op.id, kwargs


def _sdk_file(value: Mapping[str, Any]) -> tuple[str, bytes, str]:
    return (value["filename"], base64.b64decode(value["content_base64"]), value.get("media_type", "text/plain"))


class _Recorded(Exception):
    def __init__(self, request: httpx2.Request) -> None:
        self.request = request


_LOOKUP_FIRST: list[bool] = [False]


def _recorder(request: httpx2.Request) -> httpx2.Response:
    if _LOOKUP_FIRST[0] and not request.url.path.endswith("/results"):
        # batches.results: the SDK first reads the batch for its results_url, then sends the request we compare
        return httpx2.Response(200, json={"id": "batch", "results_url": f"{request.url}/results"})
    raise _Recorded(request)


def sdk_client() -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key="sk-ant-api03-wire-check",
        base_url="https://api.example.invalid",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(_recorder)),
    )


def sdk_request(client: anthropic.Anthropic, method_path: str, kwargs: Mapping[str, Any]) -> Any:
    """The request the SDK sends for this call (raises what the SDK raises when it refuses the arguments)."""
    method: Any = client
    _LOOKUP_FIRST[0] = method_path.endswith("batches.results")
    for part in method_path.split("."):
        method = getattr(method, part)
    try:
        method(**kwargs)
    except _Recorded as rec:
        return rec.request
    except anthropic.APIConnectionError as exc:
        if isinstance(exc.__cause__, _Recorded):
            return exc.__cause__.request
        raise
    raise RuntimeError(f"{method_path} returned without sending a request")


@dataclass(frozen=True)
class Wire:
    """What a request says, in a form two HTTP libraries agree on."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: Any
    betas: frozenset[str]
    headers: tuple[tuple[str, str], ...]  # anthropic-* headers besides beta and version


def wire(request: Any) -> Wire:
    """``request``: an httpx or httpx2 request (the SDK's and ours), body already readable."""
    content = request.read()
    kind = request.headers.get("content-type", "")
    body: Any = None
    if kind.startswith("multipart/"):
        body = _parts(content, kind.split("boundary=")[1].encode())
    elif content:
        body = json.loads(content)
    beta = request.headers.get("anthropic-beta") or ""
    headers = sorted(
        (k.lower(), v)
        for k, v in request.headers.items()
        if k.lower().startswith("anthropic-") and k.lower() not in ("anthropic-beta", "anthropic-version")
    )
    return Wire(
        method=request.method,
        path=request.url.raw_path.decode().split("?")[0],
        query=tuple(sorted((str(k), str(v)) for k, v in request.url.params.multi_items())),
        body=body,
        betas=frozenset(b.strip() for b in beta.split(",") if b.strip()),
        headers=tuple(headers),
    )


def _parts(content: bytes, boundary: bytes) -> list[tuple[str, str | None, str | None, str]]:
    """Multipart parts as (name, filename, media type, content), sorted: boundaries and order are noise."""
    parts = []
    for chunk in content.split(b"--" + boundary)[1:-1]:
        head, _, data = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        text = head.decode()
        name = re.search(r'name="([^"]*)"', text)
        filename = re.search(r'filename="([^"]*)"', text)
        media = re.search(r"(?i)content-type:\s*([^\r\n]+)", text)
        parts.append(
            (
                name.group(1) if name else "",
                filename.group(1) if filename else None,
                media.group(1).strip() if media else None,
                data.decode("utf-8", "replace"),
            )
        )
    return sorted(parts, key=lambda p: (p[0], p[3]))


def differences(sdk: Wire, ours: Wire) -> list[str]:
    """How our request differs from the SDK's (empty: the same). Betas: ours must include the SDK's."""
    out = []
    for name in ("method", "path", "query", "body", "headers"):
        if getattr(sdk, name) != getattr(ours, name):
            out.append(f"{name}: SDK {getattr(sdk, name)!r}, ours {getattr(ours, name)!r}")
    if not sdk.betas <= ours.betas:
        out.append(f"betas: SDK {sorted(sdk.betas)}, ours {sorted(ours.betas)}")
    return out


def sdk_wire(op: Operation, args: Mapping[str, Any], client: Any) -> Wire:
    method_path, kwargs = sdk_call(op, args)
    return wire(sdk_request(client, method_path, kwargs))


def compare(
    op: Operation, args: Mapping[str, Any], ours: Callable[[Operation, Mapping[str, Any]], Any], client: Any
) -> list[str]:
    """Send ``args`` through the SDK and through ``ours``; the differences (a refusal counts as one)."""
    try:
        sdk = sdk_wire(op, args, client)
    except Exception as exc:  # the SDK refused what the catalog accepts: a finding too
        return [f"the SDK refused the arguments: {type(exc).__name__}: {str(exc)[:200]}"]
    try:
        mine = wire(ours(op, args))
    except Exception as exc:
        return [f"ours refused the arguments: {type(exc).__name__}: {str(exc)[:200]}"]
    return differences(sdk, mine)


def built_request(op: Operation, args: Mapping[str, Any]) -> httpx.Request:
    """Our request without the MCP layer: ``api_args`` validates and builds it, the real client encodes it."""
    req = build(op, validate(op, args))
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    async def send() -> None:
        settings = Settings(admin_key=Secret("sk-ant-admin01-wire-check"), api_key=Secret("sk-ant-api03-wire-check"))
        async with make_client(settings, httpx.MockTransport(record)) as http:
            api = AnthropicAPI(http, settings)
            await req.send(api)

    anyio.run(send)
    return sent[0]


@dataclass
class Report:
    compared: int = 0
    same: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # op id -> reason
    different: dict[str, list[str]] = field(default_factory=dict)  # op id -> how

    def line(self) -> str:
        return f"compared {self.compared}, same {self.same}, skipped {len(self.skipped)}"


def check_catalog(operations: Any) -> Report:
    """The check ``update_catalog.py`` runs before it writes: every operation, all arguments and only the
    required ones, our side built in-process (``built_request``)."""
    client = sdk_client()
    methods = sdk_methods(client)
    report = Report()
    for op in operations:
        if reason := skip_reason(op, methods):
            report.skipped[op.id] = reason
            continue
        report.compared += 1
        found = [*compare(op, arguments(op), built_request, client)]
        found += [f"(required only) {d}" for d in compare(op, arguments(op, everything=False), built_request, client)]
        if found:
            report.different[op.id] = found
        else:
            report.same += 1
    return report
