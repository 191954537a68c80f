"""build_server(settings): the MCP server with the selected tools and a lifespan that owns the one client."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
import typing
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import pydantic_core
from mcp.server import MCPServer
from mcp.server.mcpserver import Context, RequestStateSecurity, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.server.subscriptions import InMemorySubscriptionBus
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from claude_api_mcp import __version__
from claude_api_mcp.app import dashboards, telemetry
from claude_api_mcp.app.dashboards import tool_meta
from claude_api_mcp.app.features import register_features
from claude_api_mcp.app.profiles import Selection, select
from claude_api_mcp.app.prompts import register_prompts
from claude_api_mcp.app.strict import ClaudeApiServer, StrictTool, strict_arguments
from claude_api_mcp.app.unlisted import not_enabled
from claude_api_mcp.client.deadline import call_deadline
from claude_api_mcp.client.http import AnthropicAPI, make_client, tracking_sends
from claude_api_mcp.client.models import ApiObject
from claude_api_mcp.client.platforms import build as build_platform
from claude_api_mcp.core import scrub
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.errors import ApiError, describe_unexpected, sent_note, tool_error, with_note
from claude_api_mcp.core.instruments import NONE as NO_INSTRUMENTS
from claude_api_mcp.core.instruments import Combined, Instruments
from claude_api_mcp.core.secret import Secret
from claude_api_mcp.core.store import MemoryStore, Store, open_store
from claude_api_mcp.core.tooldef import ToolDef
from claude_api_mcp.safety import audit
from claude_api_mcp.safety.audit import Attempt, AuditedTool, AuditLog, NotConfirmed, Refused
from claude_api_mcp.safety.confirm import (
    ANSWER_PARAM,
    PLAN_PARAM,
    gate_parameters,
    needs_confirmation,
    single_use,
    verdict,
)
from claude_api_mcp.safety.confirm_policy import announcing
from claude_api_mcp.safety.deps import state
from claude_api_mcp.safety.prepared import sending
from claude_api_mcp.safety.rounds import remember_rounds
from claude_api_mcp.tools import ALL_TOOLS
from claude_api_mcp.tools._dashboard import result_meta
from claude_api_mcp.tools._schema import tool_schema
from claude_api_mcp.tools._schema_output import from_model

if TYPE_CHECKING:  # the sandbox is imported only when it is used (start-up time: bench/startup_split.py)
    from claude_api_mcp.sandbox import Sandbox

log = logging.getLogger("claude_api_mcp")

INSTRUCTIONS = (
    "Tools for one Claude API organization: members, invites, workspaces, API keys, usage and cost reports "
    "(Admin API key), and messages, models, batches, files, skills (standard API key). Times are UTC. "
    "Lists may be partial: has_more true means more exist."
)


@dataclass
class AppState:
    settings: Settings
    api: AnthropicAPI
    sandbox: Sandbox | None
    audit: AuditLog | None = None  # None when nothing is logged (read-only selection, or the sandbox by default)
    instruments: Instruments = NO_INSTRUMENTS
    store: Store = field(default_factory=MemoryStore)  # single-use confirmations; Redis with --state-url


def effective_settings(settings: Settings) -> Settings:
    """In the sandbox, keys that were not given are stand-ins, so every tool works with no credential.

    With --platform, the platform gets stand-in cloud credentials instead, and the Admin API (Anthropic's
    own) is listed only when an Admin key is given, as outside the sandbox."""
    if not settings.sandbox:
        return settings
    if settings.platform is not None:
        from claude_api_mcp.sandbox.platform_auth import stand_in

        return dataclasses.replace(settings, platform=stand_in(settings.platform))
    from claude_api_mcp.sandbox import SANDBOX_ADMIN_KEY, SANDBOX_API_KEY

    return dataclasses.replace(
        settings,
        admin_key=settings.admin_key or Secret(SANDBOX_ADMIN_KEY),
        api_key=settings.api_key or Secret(SANDBOX_API_KEY),
    )


def build_server(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    sandbox: Sandbox | None = None,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    instruments: Instruments = NO_INSTRUMENTS,
) -> MCPServer:
    """The server for ``settings``. Tests pass their own ``sandbox`` (to inspect it), ``transport``, or a
    ``sleep`` that records retry waits instead of spending them. The web layer passes its ``instruments``
    (Prometheus counters and JSON call logs)."""
    settings = effective_settings(settings)
    if (otel := telemetry.instruments()) is not None:  # OTEL_* set and the SDK installed (app/telemetry.py)
        instruments = Combined(instruments, otel)
    scrub.register_settings(settings)  # before anything is logged or answered: every text is scrubbed of them
    scrub.install_logging()
    selection = select(ALL_TOOLS, settings)
    platform = build_platform(settings.platform)  # raises MissingExtra, naming the extra to install
    if settings.sandbox and transport is None:
        from claude_api_mcp.sandbox import Sandbox

        sandbox = sandbox or Sandbox()
        transport = sandbox.transport()

    audit_path = audit.target(settings, has_writes=any(not t.read_only for t in selection.tools))

    @asynccontextmanager
    async def lifespan(_: MCPServer[Any]) -> AsyncIterator[AppState]:
        log_file = (
            AuditLog(audit_path, (settings.admin_key, settings.api_key, settings.http_token)) if audit_path else None
        )
        store = open_store(settings.state_url)
        try:
            async with make_client(settings, transport) as client:
                instruments.observe_client(client)  # upstream status codes, retries, request ids per tool call
                api = AnthropicAPI(client, settings) if sleep is None else AnthropicAPI(client, settings, sleep=sleep)
                api.platform = platform  # --platform: standard-key calls go to Bedrock/Vertex/Foundry
                yield AppState(settings, api, sandbox, audit=log_file, instruments=instruments, store=store)
        finally:
            await store.close()
            if log_file is not None:
                log_file.close()

    bus = InMemorySubscriptionBus()  # resource updates for 2026-07-28 listeners (app/subscriptions.py)
    server = ClaudeApiServer(
        "claude-api-mcp",
        tools=[make_tool(tool, settings) for tool in selection.tools],
        title="Claude API",
        version=__version__,
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        subscriptions=bus,
        warn_on_duplicate_tools=True,
        unlisted={t.name: not_enabled(t, settings) for t in ALL_TOOLS if t not in selection.tools},
        request_state_security=state_security(settings),  # --state-key: any worker resumes a confirmation
        middleware=instruments.middleware(),
        extensions=[apps] if (apps := dashboards.extension(selection.tools)) else None,
    )
    # Outside the SDK's sealing boundary: a confirmation round is named by its sealed token (safety/rounds.py).
    server.middleware.insert(0, remember_rounds)
    server.middleware.append(announcing(settings))  # each client: whether this server can ask its person
    register_prompts(server, selection)  # prompts and resources whose tools are listed
    register_features(server, selection, bus)  # logging, completions, templates, subscriptions
    server.selection = selection  # type: ignore[attr-defined]  # read by the CLI's startup report and doctor
    return server


def state_security(settings: Settings) -> RequestStateSecurity | None:
    """The SDK's sealing policy from ``--state-key``; None keeps the SDK's per-process key.

    Confirmations on the 2026-07-28 protocol travel as sealed request state; sealed with the ``--state-key``
    ring (first seals, all unseal), any worker can open what another sealed."""
    if not settings.state_keys:
        return None
    return RequestStateSecurity(keys=[k.reveal() for k in settings.state_keys])


def selection_of(server: MCPServer[Any]) -> Selection:
    selection: Selection = server.selection  # type: ignore[attr-defined]
    return selection


def to_result(result: BaseModel) -> CallToolResult:
    """Structured content with the API's field names, and the same JSON, compact, as the text the model reads;
    both scrubbed of secrets (an upstream may echo a key)."""
    data = result.model_dump(mode="json", by_alias=True)
    for name in ("dry_run", "confirmation"):  # only dry runs carry them; omitting them is schema-valid
        if name in data and data[name] is None:
            del data[name]
    text = pydantic_core.to_json(data).decode()
    # One pass over the JSON text finds whatever a pass over every string of ``data`` would, when every secret
    # reads the same inside a JSON string; only then is the per-string pass (~25% of a call's CPU) skipped.
    if scrub.text(text) != text or not scrub.survives_json():
        data = scrub.value(data)
        text = pydantic_core.to_json(data).decode()
    meta = result_meta(result)  # MCP Apps clients only: what the view draws beyond the text (a time series)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data, _meta=meta)


def make_tool(tool: ToolDef, settings: Settings) -> Tool:
    """The SDK's tool for ``tool``: ApiError mapped to an actionable ToolError, compact JSON text and schemas.

    Write tools also get the safety features here, so none can skip them: every call is audited, and
    destructive ones are confirmed by the person first (``server/safety/confirm.py``).
    """
    fn = tool.fn
    signature = inspect.signature(fn, eval_str=True)
    output_model = signature.return_annotation
    ctx_name = next((n for n, p in signature.parameters.items() if _is_context(p.annotation)), None)
    # Resolver-filled parameters (the client's roots) are the SDK's to fill, not tool arguments.
    injected = {n for n, p in signature.parameters.items() if _is_resolved(p.annotation)}
    arg_names = [n for n in signature.parameters if n != ctx_name and n not in injected]
    injected_params = {n: signature.parameters[n].annotation for n in injected}
    extra = gate_parameters(tool, arg_names, injected_params) if needs_confirmation(tool, settings) else []

    async def run(kwargs: dict[str, Any]) -> Any:
        # Every failure leaves here as a ToolError the model can act on (a write's says whether anything was
        # sent), every text scrubbed of secrets, and the whole call within settings.call_timeout.
        with tracking_sends() as sends:
            try:
                with call_deadline(settings.call_timeout) as budget:  # the client spends it, says what it tried
                    result = await fn(**kwargs)
            except ApiError as err:
                if (attempt := audit.current()) is not None:
                    attempt.failed_upstream(err.status, err.request_id)
                text = str(
                    tool_error(err, key=tool.key, not_found_hint=tool.not_found_hint, base_url=settings.base_url)
                )
                if err.status is None and "processed" not in text:  # the message does not say yet whether it
                    text = with_note(text, sent_note(tool.read_only, sends))  # was sent
                raise ToolError(scrub.text(text)) from None
            except ToolError as exc:
                text = str(exc)
                if " sent" not in text:
                    text = with_note(text, sent_note(tool.read_only, sends))
                exc.args = (scrub.text(text),)  # the same exception: its type tells the audit line the outcome
                raise
            except httpx.InvalidURL as exc:  # e.g. a huge filter value: refused before anything is sent
                raise ToolError(f"The arguments do not fit in a request URL ({exc}); use shorter values.") from None
            except TimeoutError:
                text = f"{tool.name} did not finish within {budget.limit()} (the API is too slow or not "
                text += "answering) and was stopped."
                raise ToolError(scrub.text(with_note(text, sent_note(tool.read_only, sends)))) from None
            except Exception as exc:  # a shape nobody expected, a bad local path, a bug: never a bare crash
                log.debug("%s failed unexpectedly", tool.name, exc_info=True)  # scrubbed by scrub.SecretFilter
                text = with_note(describe_unexpected(exc), sent_note(tool.read_only, sends))
                raise ToolError(scrub.text(text)) from None
        if isinstance(result, CallToolResult):  # a tool that builds its own result (a BaseModel too) passes through
            return _scrubbed(result)
        return to_result(result) if isinstance(result, BaseModel) else scrub.value(result)

    @functools.wraps(fn)
    async def call(**kwargs: Any) -> Any:
        gate = (kwargs.pop(PLAN_PARAM, None), kwargs.pop(ANSWER_PARAM, None))
        if tool.read_only:
            return await run(kwargs)
        app = state(kwargs[ctx_name]) if ctx_name else None
        attempt = Attempt(
            tool=tool.name,
            arguments={k: v for k, v in kwargs.items() if k != ctx_name and k not in injected},
            resolved={k: kwargs[k] for k in injected if k in kwargs},
            confirmable=bool(extra),
            dry_run=bool(kwargs.get("dry_run")),
            log=app.audit if app is not None else None,
        )
        token = audit.begin(attempt)
        try:
            if gate[0] is not None:
                attempt.confirmation = verdict(tool, gate[0], gate[1], app.instruments if app else NO_INSTRUMENTS)
                if gate[0].prompt is not None and ctx_name is not None:
                    await single_use(tool, kwargs[ctx_name])  # a replayed answer goes no further
            with sending(gate[0].prepared if gate[0] is not None else None):  # what the person confirmed
                result = await run(kwargs)
            attempt.outcome = "dry_run" if attempt.dry_run else "succeeded"
            return result
        except BaseException as exc:
            attempt.outcome, attempt.error = _outcome(exc, attempt)
            raise
        finally:
            audit.end(token)
            if app is not None and app.audit is not None:
                try:
                    app.audit.write(attempt)
                except OSError as exc:  # the write itself is done: say so loudly rather than hide its result
                    log.error("could not append to the audit log %s: %s", app.audit.path, exc)

    # The SDK derives the input schema from the parameters and the output schema from the return annotation;
    # ``Annotated[CallToolResult, Model]`` publishes Model's schema while we build the content ourselves.
    # Resolver-filled parameters (the confirmation) are left out of the input schema by the SDK.
    returns = (
        Annotated[CallToolResult, output_model]
        if isinstance(output_model, type) and issubclass(output_model, BaseModel)
        else output_model
    )
    params = [*signature.parameters.values(), *extra]
    call.__signature__ = signature.replace(parameters=params, return_annotation=returns)  # type: ignore[attr-defined]
    call.__annotations__ = {**{p.name: p.annotation for p in params}, "return": returns}
    del call.__wrapped__  # make the SDK read the signature above, not fn's
    passthrough = isinstance(output_model, type) and issubclass(output_model, ApiObject)
    # The published output schema, read from the model's fields when they are plain (the SDK would generate
    # every nested model's full schema only for tool_schema to cut it away: a quarter of start-up's build).
    quick = from_model(output_model, passthrough=passthrough) if returns is not output_model else None
    sdk_tool = (StrictTool if tool.read_only else AuditedStrictTool).from_function(
        call,
        name=tool.name,
        title=tool.title,
        description=tool.description,
        annotations=tool.annotations,
        structured_output=False if quick is not None else None,
    )
    sdk_tool.meta = tool_meta(tool)  # MCP Apps: the view a host draws the result in (none for most tools)
    sdk_tool.parameters = tool_schema(sdk_tool.parameters, output=False)
    strict_arguments(sdk_tool)
    if quick is not None:
        sdk_tool.fn_metadata.output_schema = quick
    elif sdk_tool.fn_metadata.output_schema is not None:  # published only; results are validated by the model
        schema = sdk_tool.fn_metadata.output_schema
        sdk_tool.fn_metadata.output_schema = tool_schema(schema, output=True, passthrough=passthrough)
    # The result was built from a validated model (to_result); without this the SDK validates every result
    # against the model a second time, on every call (a schema without a model is published, not checked).
    if returns is not output_model:  # Annotated[CallToolResult, Model]: run() always builds the result
        sdk_tool.fn_metadata.output_model = None
    return sdk_tool


def _scrubbed(result: CallToolResult) -> CallToolResult:
    """The result with secrets scrubbed from its text and structured content (an upstream may echo a key)."""
    content = [
        block.model_copy(update={"text": scrub.text(block.text)}) if isinstance(block, TextContent) else block
        for block in result.content
    ]
    structured = scrub.value(result.structured_content) if result.structured_content is not None else None
    return result.model_copy(update={"content": content, "structured_content": structured})


class AuditedStrictTool(AuditedTool, StrictTool):
    """A write tool: strict arguments in plain words (StrictTool), and refused ones audited (AuditedTool)."""


def _is_context(annotation: Any) -> bool:
    origin = typing.get_origin(annotation) or annotation
    return isinstance(origin, type) and issubclass(origin, Context)


def _is_resolved(annotation: Any) -> bool:
    return typing.get_origin(annotation) is Annotated and any(
        isinstance(m, Resolve) for m in typing.get_args(annotation)[1:]
    )


def _outcome(exc: BaseException, attempt: Attempt) -> tuple[str, str | None]:
    """How a write attempt ended, for its audit line."""
    if isinstance(exc, NotConfirmed):
        return exc.action, None
    if isinstance(exc, Refused):
        return "refused", str(exc)
    if isinstance(exc, ToolError):
        # An upstream failure arrives here already mapped to text; run() marked the attempt.
        return ("failed" if attempt.upstream_failed else "error"), str(exc)
    if isinstance(exc, Exception):
        return "crashed", type(exc).__name__
    return "interrupted", None  # the client cancelled the call (or the server is shutting down)


__all__ = ["AppState", "ToolError", "build_server", "effective_settings", "make_tool", "selection_of", "to_result"]
