"""Confirmation of writes by the person, through MCP elicitation, never by a model argument.

Which tools ask (``needs_confirmation``): destructive ones, and under ``--confirm writes`` every write
(invites, new members, batches, messages and uploads spend money or grant access without destroying
anything). ``gate_parameters`` gives each of them two extra parameters filled by resolvers (``Resolve``), which
the SDK keeps out of the input schema, so no model can set them:

* ``plan`` decides, before the tool body runs, whether to ask: not on a dry run, not with
  ``--confirm never``; when the client cannot elicit, ``auto`` relies on the client's own approval prompt
  (driven by ``destructiveHint``) and ``always`` / ``writes`` refuse. Otherwise it prepares the request once
  (``prepare``: the tool body run with sending cut off, local files read), fetches the target's name and the
  consequence from the API (``server/safety/consequences.py``) and checks workspace pinning first, so nobody is
  asked about a call that would be refused anyway. The plan carries the prepared request to the send.
* ``ask`` turns that plan into an ``Elicit`` question. The SDK sends it as ``elicitation/create`` on
  2025-11-25 connections and as an ``InputRequiredResult`` round trip on 2026-07-28 ones.

``verdict()`` then runs in the wrapper, before the body: a decline or cancel raises ``NotConfirmed`` and
nothing is sent; ``single_use()`` claims an accepted 2026-07-28 answer once (``server/safety/rounds.py``).
Both declines and refusals are ``isError`` results: a non-error result would have to
pass for the object the tool returns, and a model must never read "not done" as done.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from mcp.server.mcpserver import (
    AcceptedElicitation,
    Context,
    DeclinedElicitation,
    Elicit,
    ElicitationResult,
    Resolve,
)
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from claude_api_mcp.core import scrub
from claude_api_mcp.core.config import ConfirmPolicy, Settings
from claude_api_mcp.core.errors import ApiError, tool_error
from claude_api_mcp.core.instruments import NONE as NO_INSTRUMENTS
from claude_api_mcp.core.instruments import Instruments
from claude_api_mcp.core.tooldef import Ctx, ToolDef
from claude_api_mcp.core.wording import one_line, plain
from claude_api_mcp.safety import pinning, rounds
from claude_api_mcp.safety.audit import NotConfirmed, Refused
from claude_api_mcp.safety.deps import settings, state, store
from claude_api_mcp.safety.describe import describe
from claude_api_mcp.safety.prepared import Captured, NotPreparable, Prepared, capturing
from claude_api_mcp.safety.questions import MAX_TEXT, Described
from claude_api_mcp.safety.shown_args import shown

PLAN_PARAM = "confirmation_plan__"
ANSWER_PARAM = "confirmation__"
INJECTED = (PLAN_PARAM, ANSWER_PARAM)


class Confirmation(BaseModel):
    """The form the person sees: one checkbox."""

    confirm: bool = Field(title="Go ahead", description="Tick to go ahead. Nothing is sent otherwise.")


@dataclass(frozen=True)
class Plan:
    """What the confirmation step decided before the tool body runs."""

    prompt: str | None = None  # set when the person is asked
    skipped: str | None = None  # why nobody is asked
    refusal: str | None = None  # why the call is refused outright
    error: ToolError | None = None  # the target could not be described (e.g. it does not exist)
    prepared: Prepared | None = None  # the request the question describes, and the one sent if confirmed
    tool: str = ""


def needs_confirmation(tool: ToolDef, settings: Settings) -> bool:
    """Destructive tools always go through the confirmation step; every write does under --confirm writes."""
    return tool.destructive or (not tool.read_only and settings.confirm is ConfirmPolicy.WRITES)


def can_elicit(ctx: Context[Any, Any]) -> bool:
    """Whether the client declared form elicitation (a bare ``elicitation: {}`` counts, as in the SDK)."""
    caps = ctx.client_capabilities
    elicitation = caps.elicitation if caps is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


async def make_plan(tool: ToolDef, ctx: Context[Any, Any], args: Mapping[str, Any]) -> Plan:
    conf = settings(ctx)
    if args.get("dry_run"):
        return Plan(skipped="dry run")
    if conf.confirm is ConfirmPolicy.NEVER:
        return Plan(skipped="--confirm never")
    if not can_elicit(ctx):
        if conf.confirm in (ConfirmPolicy.ALWAYS, ConfirmPolicy.WRITES):
            kind = "destructive" if tool.destructive else "a write"
            return Plan(
                refusal=(
                    f"Refused: {tool.name} is {kind} and this server requires the person to confirm it "
                    f"(--confirm {conf.confirm.value}), but this client cannot ask them (it does not support MCP "
                    "elicitation). Nothing was sent. Use a client that supports elicitation, or ask the operator."
                )
            )
        return Plan(skipped="the client cannot ask the person; its own approval prompt applies")
    if isinstance(kept := rounds.kept_plan(), Plan) and kept.tool == tool.name:
        return kept  # the retry that answers this plan's question: the same value, not prepared again
    try:
        prepared = await prepare(tool, ctx, args)
        described = await describe(ctx, tool.name, args, prepared)
        if described is None:  # a tool without a describer still gets a question naming every argument
            what = "a destructive action" if tool.destructive else "a write"
            given = {k: plain(v) for k, v in args.items() if k not in _UNSHOWN and v is not None}
            head, tail = f"{tool.title} (", f"): this is {what}."
            text = head + shown(given, MAX_TEXT - len(head) - len(tail), what=tool.name) + tail
            described = Described(text, prepared.method if prepared else "", prepared.path if prepared else "")
        if prepared is not None:  # pinning decides on what is sent
            described = Described(described.text, prepared.method, prepared.path)
        why = await pinning.refusal(state(ctx).api, conf, described.method, described.path) if described.path else None
    except ApiError as err:
        return Plan(error=tool_error(err, key=tool.key, not_found_hint=tool.not_found_hint, base_url=conf.base_url))
    except Refused as err:
        return Plan(refusal=str(err))
    except ToolError as err:
        return Plan(error=err)
    if why is not None:
        return Plan(refusal=why)
    text = described.text
    if prepared is not None and prepared.parts:  # file content is not in the question: its fingerprint is
        text = one_line(text, MAX_TEXT - 40) + f" Content sha256 {prepared.digest()[:16]}."
    plan = Plan(prompt=text, prepared=prepared, tool=tool.name)
    rounds.planned(plan)
    return plan


async def prepare(tool: ToolDef, ctx: Context[Any, Any], args: Mapping[str, Any]) -> Prepared | None:
    """The request the tool body would send for ``args``, built by the body itself with nothing sent.

    The body runs in ``capturing()`` mode: ``write()`` hands its prepared value back instead of sending,
    and the API client is out of reach. A body that needs the API before it can build its request
    (send_message streams) is not prepared ahead: it is confirmed on its arguments, all of them shown.
    """
    params = inspect.signature(tool.fn).parameters
    ctx_name = next((n for n, p in params.items() if p.annotation in (Ctx, "Ctx")), "ctx")
    given = {k: v for k, v in args.items() if k in params}
    with capturing():
        try:
            await tool.fn(**{ctx_name: ctx}, **given)
        except Captured as captured:
            return captured.prepared
        except NotPreparable:
            return None
    return None


_UNSHOWN = frozenset({"dry_run", "roots"})


def gate_parameters(
    tool: ToolDef, arg_names: list[str], injected: Mapping[str, Any] | None = None
) -> list[inspect.Parameter]:
    """The two resolver-filled parameters to add to ``tool``'s signature.

    ``injected`` are the tool's own resolver-filled parameters (name → annotation), e.g. the client's roots:
    the plan depends on them too, so an upload's question is built under the same confinement as the upload.
    """

    async def plan(ctx: Context, **args: Any) -> Plan:
        return await make_plan(tool, ctx, args)

    # The SDK passes tool arguments to a resolver by parameter name: declare exactly this tool's.
    resolved = dict(injected or {})
    plan.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
        + [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in arg_names]
        + [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=a) for name, a in resolved.items()]
    )
    plan.__annotations__ = {"ctx": Context, **resolved, "return": Plan}
    planned = Annotated[Plan, Resolve(plan)]

    async def ask(decided: Plan) -> Any:
        if decided.prompt is None:
            return decided
        return Elicit(scrub.text(decided.prompt), Confirmation)  # an upstream may have echoed a key into it

    ask.__annotations__ = {"decided": planned, "return": Any}
    kw = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter(PLAN_PARAM, kw, annotation=planned),
        inspect.Parameter(ANSWER_PARAM, kw, annotation=Annotated[ElicitationResult[Confirmation], Resolve(ask)]),
    ]


async def single_use(tool: ToolDef, ctx: Context[Any, Any]) -> None:
    """Claim this confirmation, once: a retry replayed with the same answer is refused on every instance
    that shares the store (``--state-url``). A question asked inside the call (2025-11-25) has no round."""
    round_id = rounds.round_id()
    if round_id is None:
        return
    if not await store(ctx).claim_once(f"confirmation:{round_id}", rounds.ROUND_TTL):
        raise Refused(
            f"Refused: this confirmation of {tool.name} was already used; each one allows a single call. Nothing "
            "was sent. Call the tool again to ask the person anew."
        )
    rounds.forget()


def verdict(tool: ToolDef, decided: Plan, answer: Any, instruments: Instruments = NO_INSTRUMENTS) -> str:
    """How the call was confirmed (for the audit line); raises when it must not go ahead."""
    if decided.error is not None:
        raise decided.error
    if decided.refusal is not None:
        raise Refused(decided.refusal)
    if decided.skipped is not None:
        return f"not asked: {decided.skipped}"
    instruments.confirmation("asked")
    if isinstance(answer, AcceptedElicitation) and isinstance(answer.data, Confirmation) and answer.data.confirm:
        instruments.confirmation("confirmed")
        return "confirmed by the person"
    declined = isinstance(answer, DeclinedElicitation | AcceptedElicitation)  # accepted without the tick: a no
    action = "declined" if declined else "cancelled"
    instruments.confirmation(action)
    raise NotConfirmed(
        action,
        f"Not done: the person {action} the confirmation. Nothing was sent. They were asked: {decided.prompt} "
        "Do not retry unless they ask you to.",
    )
