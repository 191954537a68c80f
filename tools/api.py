"""api toolset: the whole Claude API through four generic tools driven by the operation catalog.

``search_api`` finds an operation, ``describe_api`` shows its arguments, ``read_api`` runs the ones that
change nothing and ``write_api`` the others. Safety comes from the catalog, never from the model: each
operation's safety class (``server/client/catalog/safety.py``, not its HTTP method) says which write (so
read_api refuses them and the read-only profile never lists write_api) and whose answers carry credentials
(never offered to the read-only profile); the catalog also says which key and beta header they need, and
where workspace ids sit (pinning). write_api goes through the typed tools' write path
(``server/safety/writes.py``) and their confirmation gate, for every call.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from claude_api_mcp.client.catalog import Operation, load_catalog
from claude_api_mcp.core.config import KeyKind, Profile
from claude_api_mcp.core.errors import ApiError, tool_error
from claude_api_mcp.core.tooldef import Ctx, ToolDef, tool
from claude_api_mcp.safety import audit
from claude_api_mcp.safety.api_args import build, find_operation, validate
from claude_api_mcp.safety.api_files import ApiRoots
from claude_api_mcp.safety.api_safety import describe_write, prepare_write
from claude_api_mcp.safety.deps import settings
from claude_api_mcp.safety.prepared import Prepared, confirmed
from claude_api_mcp.safety.questions import CONTEXT_DESCRIBERS
from claude_api_mcp.safety.writes import DryRunPlan, Writable, write
from claude_api_mcp.tools._api_search import search
from claude_api_mcp.tools._api_send import send
from claude_api_mcp.tools._args import AllPages, DryRun

OperationId = Annotated[str, Field(max_length=120, description="Operation id from search_api.")]
Arguments = Annotated[
    dict[str, Any], Field(description="Path, query and body fields by API name (describe_api shows them).")
]
_FILE_SHAPE = {
    "type": "object",
    "description": "path (absolute, local; a skill's folder for files) or filename + content_base64",
    "properties": {"path": {"type": "string"}, "filename": {"type": "string"}, "content_base64": {"type": "string"}},
}


class Hit(BaseModel):
    operation: str
    method: str
    path: str
    summary: str
    writes: bool
    key: str
    beta: str | None
    typed_tool: str | None = Field(description="A typed tool doing the same job: prefer it.")


class SearchResult(BaseModel):
    results: list[Hit]


class Description(BaseModel):
    operation: str
    method: str
    path: str
    summary: str
    writes: bool
    key: str
    beta: str | None
    typed_tool: str | None
    pagination: str | None
    arguments: dict[str, Any] = Field(description="JSON Schema of the arguments object.")
    returns: dict[str, Any] = Field(description="kind (object, page, jsonl, binary, sse, empty) and fields.")


class ApiResult(BaseModel):
    """The API's object (or page) as it sent it; a partial result says so in ``note``."""

    model_config = ConfigDict(extra="allow")  # no declared fields: an API object's own can never clash


class ApiDryRun(DryRunPlan):
    query: dict[str, Any] | None = None
    headers: dict[str, str] | None = Field(None, description="Besides the key and version headers.")


class _Sent(Writable):
    model_config = ConfigDict(extra="allow")


class ApiWriteResult(BaseModel):
    """The API's answer; on a dry run, the target's current state (when the catalog knows how to read it)."""

    model_config = ConfigDict(extra="allow")

    dry_run: ApiDryRun | None = Field(None, description="Present on dry runs only: what would be sent.")
    confirmation: str | None = Field(None, description="Dry runs: what the person would be asked to confirm.")


def _not_found_hint(op: Operation) -> str | None:
    parent = op.path.rsplit("/{", 1)[0]
    for other in load_catalog().operations:
        if other.method == "GET" and other.path == parent and other.response_kind == "page":
            return f"check the id; read_api {other.id} lists them"
    return None


def _upstream_error(ctx: Ctx, err: ApiError, op: Operation, req: Prepared) -> ToolError:
    if (attempt := audit.current()) is not None:
        attempt.failed_upstream(err.status, err.request_id)
    return tool_error(err, key=req.key, not_found_hint=_not_found_hint(op), base_url=settings(ctx).base_url)


def _withheld(ctx: Ctx, op: Operation) -> str | None:
    """Why this caller may not read ``op``: its answer carries credentials, which the read-only profile (or a
    token with only the read scope, which gets that profile) never sees."""
    if not op.safety.credentials or settings(ctx).profile is not Profile.READ_ONLY:
        return None
    return (
        f"{op.id} is not offered in the read-only profile: its answer carries credentials "
        f"({', '.join(op.safety.credentials)}). The admin profile (or the claude-api:admin scope) can call it. "
        "Nothing was sent."
    )


def _identity(op: Operation) -> dict[str, Any]:
    """What search and describe both say of an operation."""
    return {
        "operation": op.id,
        "method": op.method,
        "path": op.path,
        "summary": op.summary,
        "writes": op.writes,
        "key": op.key,
        "beta": op.beta,
        "typed_tool": op.typed_tool,
    }


@tool("api", KeyKind.API, title="Search the Claude API", read_only=True, any_key=True)
async def search_api(
    ctx: Ctx,
    query: Annotated[str, Field(max_length=300, description="What to do, in plain words.")],
    limit: Annotated[int, Field(ge=1, le=30, description="Results.")] = 8,
) -> SearchResult:
    """Find Claude API operations (~290: RBAC, service accounts, spend limits, analytics, webhooks, agents,
    sessions, vaults...) for read_api/write_api. Prefer typed_tool when given."""
    hidden = sum(1 for op in load_catalog().operations if _withheld(ctx, op))  # searched for, then left out
    offered = [op for op in search(query, limit + hidden) if not _withheld(ctx, op)]
    return SearchResult(results=[Hit(**_identity(op)) for op in offered[:limit]])


@tool("api", KeyKind.API, title="Describe an API operation", read_only=True, any_key=True)
async def describe_api(ctx: Ctx, operation: OperationId) -> Description:
    """An operation's arguments (JSON Schema) and what it returns."""
    op = find_operation(operation)
    if why := _withheld(ctx, op):
        raise ToolError(why)
    props = {k: _FILE_SHAPE if op.locations.get(k) == "file" else v for k, v in op.properties.items()}
    for name, where in op.locations.items():
        if where == "file" and op.properties[name].get("type") == "array":
            props[name] = {"type": "array", "items": _FILE_SHAPE}
    return Description(
        **_identity(op),
        pagination=op.pagination,
        arguments={**op.arguments, "properties": props},
        returns={"kind": op.response_kind, "fields": op.response.get("fields") or {}},
    )


@tool("api", KeyKind.API, title="Call a read API operation", read_only=True, any_key=True)
async def read_api(
    ctx: Ctx, operation: OperationId, arguments: Arguments | None = None, all_pages: AllPages = False
) -> ApiResult:
    """Run a catalog operation that changes nothing; returns the API's object or page."""
    op = find_operation(operation)
    if op.writes:  # the safety class, not the method: a GET that dequeues work is a write
        because = "" if op.safety.reason == op.method else f": {op.safety.reason}"
        raise ToolError(
            f"{op.id} changes things ({op.method} {op.path}{because}); use write_api (admin profile). Nothing was sent."
        )
    if withheld := _withheld(ctx, op):
        raise ToolError(withheld)
    req = build(op, validate(op, arguments or {}))
    try:
        return ApiResult.model_validate(await send(ctx, op, req, all_pages=all_pages))
    except ApiError as err:
        raise _upstream_error(ctx, err, op, req) from None


@tool("api", KeyKind.API, title="Call a write API operation", destructive=True, any_key=True)
async def write_api(
    ctx: Ctx,
    operation: OperationId,
    arguments: Arguments | None = None,
    dry_run: DryRun = False,
    roots: ApiRoots = None,
) -> ApiWriteResult:
    """Run a catalog operation that changes something (asks the person first when the client can). File arguments:
    {"path": local file or skill folder} or {filename, content_base64}."""
    # Prepared once: when the person was asked, the request they confirmed (files read before the question).
    req = confirmed() or await prepare_write(ctx, operation, arguments, roots)
    op = find_operation(operation)
    try:
        sent = await write(ctx, req, _Sent, dry_run=dry_run)
    except ApiError as err:
        raise _upstream_error(ctx, err, op, req) from None
    except ValidationError:  # an answer that is not an object (a hostile proxy, a broken upstream)
        raise ToolError(f"{op.id} was sent, but the API's answer was not a JSON object.") from None
    data = sent.model_dump(mode="json", exclude={"dry_run", "confirmation"})
    if not dry_run:
        # The API's object as sent, validated as a plain object so none of its fields can clash with ours.
        return cast("ApiWriteResult", ApiResult.model_validate(data))
    plan = ApiDryRun(
        method=req.method,
        path=req.path,
        body=req.shown_body,
        query=req.query or None,
        headers=req.headers or None,
    )
    return ApiWriteResult.model_validate({**data, "dry_run": plan, "confirmation": sent.confirmation})


CONTEXT_DESCRIBERS["write_api"] = describe_write
TOOLS: list[ToolDef] = [search_api, describe_api, read_api, write_api]
