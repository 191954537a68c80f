"""build_tool(tool, settings): the SDK's tool for one typed tool, with every wrapper a call passes through.

ApiError mapped to an actionable ToolError, compact JSON text, schemas, strict arguments; write tools are also
audited and, when destructive, confirmed by the person first (``server/safety/confirm.py``). A server builds a
tool on its first call (``server/app/tool_index.py``); ``scripts/tool_index.py`` builds every one to record what
is published.
"""

from __future__ import annotations

import functools
import inspect
import logging
import typing
from typing import Annotated, Any

import httpx
import pydantic_core
from mcp.server.mcpserver import Context, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from claude_api_mcp.app.dashboards import tool_meta
from claude_api_mcp.app.strict import StrictTool, strict_arguments
from claude_api_mcp.client.deadline import call_deadline
from claude_api_mcp.client.http import tracking_sends
from claude_api_mcp.client.models import ApiObject
from claude_api_mcp.core import scrub
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.errors import ApiError, describe_unexpected, sent_note, tool_error, with_note
from claude_api_mcp.core.instruments import NONE as NO_INSTRUMENTS
from claude_api_mcp.core.tooldef import ToolDef
from claude_api_mcp.safety import audit
from claude_api_mcp.safety.audit import Attempt, AuditedTool, NotConfirmed, Refused
from claude_api_mcp.safety.confirm import (
    ANSWER_PARAM,
    PLAN_PARAM,
    gate_parameters,
    needs_confirmation,
    single_use,
    verdict,
)
from claude_api_mcp.safety.deps import state
from claude_api_mcp.safety.prepared import sending
from claude_api_mcp.tools._schema import tool_schema
from claude_api_mcp.tools._schema_output import from_model

log = logging.getLogger("claude_api_mcp")


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
    meta = _view_meta(result)  # MCP Apps clients only: what the view draws beyond the text (a time series)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data, _meta=meta)


def build_tool(tool: ToolDef, settings: Settings) -> Tool:
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


def _view_meta(result: BaseModel) -> dict[str, Any] | None:
    """The ``_meta`` a report result carries for its MCP Apps view (``tools/_dashboard.py`` sets it on report
    results only); read by name, so a call to any other tool does not import the report models."""
    meta = getattr(result, "_result_meta", None)
    return meta if isinstance(meta, dict) else None


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


__all__ = ["AuditedStrictTool", "build_tool", "to_result"]
