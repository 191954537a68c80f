"""``claude-api-mcp doctor``: explain the configuration the way a confused user needs it.

Which keys are set and of which kind (the public prefix only, never the key), whether each one reaches
the API (through the same client and retry code the server uses, so the sandbox works too), which tools
would be listed and why the others are not, and whether the HTTP bind is safe. Printed to stdout (doctor
is not the stdio transport). The exit code is the server's for what would stop it from starting (2: a
flag or environment value it would refuse; 3: it could not listen), else 1 when something is wrong, 0 when
nothing is.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import anyio

from claude_api_mcp import __version__
from claude_api_mcp.app.assemble import effective_settings
from claude_api_mcp.app.profiles import Selection, SelectionError, missing_keys_message, select, toolsets_of
from claude_api_mcp.app.tool_index import indexed_tools
from claude_api_mcp.cli.exits import EXIT_CANNOT_LISTEN, EXIT_OK, EXIT_PROBLEM, EXIT_USAGE
from claude_api_mcp.cli.serve import listen_problem
from claude_api_mcp.client.http import AnthropicAPI, make_client
from claude_api_mcp.client.platforms import MissingExtra
from claude_api_mcp.client.platforms import build as build_platform
from claude_api_mcp.client.platforms import summary as platform_summary
from claude_api_mcp.core import scrub
from claude_api_mcp.core.config import KeyKind, Profile, Settings, Transport, key_problem
from claude_api_mcp.core.errors import ApiError, describe
from claude_api_mcp.core.secret import API_KEY_PREFIX
from claude_api_mcp.safety import audit, confirm_policy
from claude_api_mcp.sandbox import Sandbox
from claude_api_mcp.web.http_app import bind_problem, is_loopback

OK, INFO, WARN, FAIL = "ok", "info", "warn", "FAIL"
KIND_NAMES = {KeyKind.ADMIN: "an Admin API key", KeyKind.API: "a standard API key"}


@dataclass
class Section:
    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)

    def add(self, level: str, text: str, *, exit_code: int = EXIT_PROBLEM) -> None:
        """A line; a FAIL line also gives the exit code: the server's own when it would refuse to start."""
        self.lines.append((level, text))
        if level == FAIL:
            self.exit_codes.append(exit_code)


@dataclass
class Report:
    sections: list[Section] = field(default_factory=list)

    def section(self, title: str) -> Section:
        self.sections.append(Section(title))
        return self.sections[-1]

    @property
    def exit_code(self) -> int:
        codes = {code for s in self.sections for code in s.exit_codes}
        # The server checks flags before it binds, so a refused flag is what a start would report first.
        return next((code for code in (EXIT_USAGE, EXIT_CANNOT_LISTEN, EXIT_PROBLEM) if code in codes), EXIT_OK)

    @property
    def problems(self) -> list[str]:
        return [text for s in self.sections for level, text in s.lines if level == FAIL]

    def render(self) -> str:
        out = [f"claude-api-mcp {__version__} doctor", ""]
        for s in self.sections:
            out.append(s.title)
            out.extend(f"  {level:<5} {text}" for level, text in s.lines)
            out.append("")
        n = len(self.problems)
        out.append(
            f"{n} problem{'s' if n != 1 else ''} found: fix the lines marked {FAIL}." if n else "No problems found."
        )
        return "\n".join(out) + "\n"


def _key_kind_problem(kind: KeyKind, value: str) -> str | None:
    """Why a key given for ``kind`` is the wrong kind, judged by its public prefix; doctor also flags a
    standard key of unknown shape, which tools still send (it may be meant for a proxy)."""
    if problem := key_problem(kind, value):
        return problem
    if kind is KeyKind.API and not value.startswith(API_KEY_PREFIX):
        return "this does not look like an Anthropic API key (they start with sk-ant-api…)"
    return None


def check_keys(report: Report, settings: Settings) -> list[KeyKind]:
    """Report each key's presence and kind; return the kinds worth trying against the API."""
    section = report.section("Keys")
    usable: list[KeyKind] = []
    for kind in KeyKind:
        if kind is KeyKind.API and settings.platform is not None:  # see the Platform section
            section.add(INFO, f"{kind.env_var}: not used: the core API goes to {settings.platform.label}")
            continue
        secret = settings.key(kind)
        if secret is None:
            if settings.sandbox and settings.platform is None:
                section.add(INFO, f"{kind.env_var}: not set; the sandbox stands in for it")
                usable.append(kind)
            else:
                section.add(INFO, f"{kind.env_var}: not set, so {_unlisted_for(kind, settings)}")
            continue
        problem = _key_kind_problem(kind, secret.reveal())
        if problem:
            section.add(FAIL, f"{kind.env_var}: set (starts {secret.hint}), but {problem}")
        else:
            section.add(OK, f"{kind.env_var}: set, {KIND_NAMES[kind]} (starts {secret.hint})")
            usable.append(kind)
    if (message := missing_keys_message(settings)) is not None:
        section.add(FAIL, message, exit_code=EXIT_USAGE)
    return usable


def _unlisted_for(kind: KeyKind, settings: Settings) -> str:
    """What a missing key hides, in the words the Tools section uses. A toolset that either key lists (api)
    stays listed with the other key; only its operations that need this one are refused, saying so."""
    other_key = settings.admin_key is not None or settings.api_key is not None
    needs = [t for t in indexed_tools() if t.key is kind]
    hidden = ", ".join(toolsets_of([t for t in needs if not (t.any_key and other_key)]))
    kept = ", ".join(toolsets_of([t for t in needs if t.any_key and other_key]))
    text = f"these toolsets are not listed: {hidden}"
    if kept:
        text += f"; {kept} stays listed, and a call of an operation that needs this key says to set it"
    return text


async def _probe_admin(api: AnthropicAPI) -> str:
    org = await api.request("GET", "/v1/organizations/me", key=KeyKind.ADMIN)
    return f'organization "{org.get("name")}" ({org.get("id")})'


async def _probe_api(api: AnthropicAPI) -> str:
    page = await api.request("GET", "/v1/models", key=KeyKind.API, params={"limit": 100})
    models = page.get("data") or []
    more = "+" if page.get("has_more") else ""
    first = f", e.g. {models[0].get('id')}" if models else ""
    return f"{len(models)}{more} models available{first}"


PROBES: dict[KeyKind, tuple[str, Callable[[AnthropicAPI], Awaitable[str]]]] = {
    KeyKind.ADMIN: ("GET /v1/organizations/me", _probe_admin),
    KeyKind.API: ("GET /v1/models", _probe_api),
}


async def check_reachability(report: Report, settings: Settings, kinds: list[KeyKind], sandbox: Sandbox | None) -> None:
    section = report.section("Reaching the API")
    if settings.sandbox:
        section.add(INFO, "upstream: the sandbox, a simulated organization (nothing real is read or changed)")
    else:
        section.add(INFO, f"upstream: {settings.base_url}")
    if not kinds:
        section.add(INFO, "no key to try")
        return
    # A diagnosis should answer quickly: one retry, short waits.
    quick = dataclasses.replace(settings, max_retries=1, max_retry_wait=5.0, connect_timeout=5.0, read_timeout=30.0)
    transport: Any = None
    if settings.sandbox:
        transport = (sandbox or Sandbox()).transport()
    async with make_client(quick, transport) as client:
        api = AnthropicAPI(client, quick)
        for kind in kinds:
            what, probe = PROBES[kind]
            try:
                found = await probe(api)
            except ApiError as err:
                section.add(FAIL, f"{kind.env_var} ({what}): {describe(err, key=kind, base_url=settings.base_url)}")
            else:
                section.add(OK, f"{kind.env_var} ({what}): reaches the API: {found}")


def check_platform(report: Report, settings: Settings) -> None:
    """--platform: where the core API goes, the region/project/endpoint, and where the credentials come from."""
    if settings.platform is None:
        return
    config = effective_settings(settings).platform or settings.platform
    section = report.section(f"Platform: {config.label}")
    if settings.sandbox:
        section.add(INFO, f"the sandbox answers at {config.label}'s URL shapes, with stand-in credentials")
    for name, value in (("region", config.region), ("project", config.project), ("resource", config.resource)):
        if value:
            section.add(INFO, f"{name}: {value}")
    if (problem := config.problem()) is not None:
        section.add(FAIL, problem)
        return
    section.add(INFO, f"endpoint: {config.endpoint()}")
    try:
        platform = build_platform(config)
    except MissingExtra as exc:
        section.add(FAIL, str(exc))
        return
    assert platform is not None
    found = platform.credentials_found()
    section.add(FAIL if found.startswith("none") else OK, f"credentials: {found}")
    core = [t.name for t in indexed_tools() if t.key is KeyKind.API]
    for line in platform_summary(config, core):
        section.add(INFO, line)


def check_tools(report: Report, settings: Settings) -> Selection | None:
    section = report.section("Tools")
    try:
        selection = select(indexed_tools(), settings)
    except SelectionError as exc:
        section.add(FAIL, str(exc), exit_code=EXIT_USAGE)
        return None
    listed, profile = len(selection.tools), settings.profile.value
    if listed:
        section.add(OK, f"profile {profile}: {listed} of {len(indexed_tools())} tools would be listed")
    else:
        section.add(
            FAIL, f"profile {profile}: no tool would be listed; check the keys, --toolsets, --tools, --exclude-tools"
        )
    for toolset in toolsets_of(indexed_tools()):
        names = [t.name for t in selection.tools if t.toolset == toolset]
        if names:
            section.add(INFO, f"{toolset}: {', '.join(names)}")
    for toolset, why in selection.omitted_toolsets.items():
        section.add(INFO, f"{toolset}: not listed, {why}")
    if settings.profile is Profile.READ_ONLY:  # only what --profile admin would add, not what a key would
        admin = select(indexed_tools(), dataclasses.replace(settings, profile=Profile.ADMIN))
        if hidden := len(admin.tools) - listed:
            section.add(INFO, f"the read-only profile hides {hidden} tools that write (--profile admin lists them)")
    return selection


def check_transport(report: Report, settings: Settings) -> None:
    section = report.section("Transport")
    if settings.transport is Transport.STDIO:
        section.add(OK, "stdio: the client starts the server; nothing listens on the network")
        return
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    url = f"http://{host}:{settings.port}/mcp"
    token = settings.http_token is not None
    if (problem := bind_problem(settings)) is not None:
        section.add(FAIL, problem, exit_code=EXIT_USAGE)
    elif (problem := listen_problem(settings)) is not None:
        section.add(FAIL, problem, exit_code=EXIT_CANNOT_LISTEN)
    elif is_loopback(settings.host):
        guard = "a bearer token is required" if token else "no token (any local process can connect)"
        section.add(OK, f"HTTP at {url}: loopback only, {guard}")
    else:
        section.add(OK, f"HTTP at {url}: reachable from other machines; a bearer token is required")
    if not is_loopback(settings.host) and not settings.allowed_hosts:
        section.add(
            WARN,
            "requests whose Host is not localhost or the bind address get HTTP 421: list the names "
            "clients use in --allowed-hosts",
        )


def check_writes(report: Report, settings: Settings, selection: Selection | None) -> None:
    writes = [t for t in selection.tools if not t.read_only] if selection else []
    if not writes:
        return
    section = report.section("Writes")
    section.add(INFO, f"{len(writes)} tools that write; confirmation {confirm_policy.both(settings.confirm)}")
    if scope := confirm_policy.replay_scope(settings):
        section.add(WARN, scope)
    pinned = ", ".join(sorted(settings.workspaces)) if settings.workspaces else "every workspace"
    section.add(INFO, f"writes may touch: {pinned}")
    path = audit.target(settings, has_writes=True)
    if path is None:
        section.add(INFO, "audit log: off (sandbox writes are logged only with --audit-log)")
        return
    try:  # the server refuses to start without its audit log, so doctor checks it the same way
        audit.check_writable(path)
    except audit.AuditLogError as exc:
        section.add(FAIL, str(exc), exit_code=EXIT_USAGE)
    else:
        section.add(OK, f"audit log: {path}")


async def diagnose(settings: Settings, *, sandbox: Sandbox | None = None) -> Report:
    report = Report()
    kinds = check_keys(report, settings)
    await check_reachability(report, effective_settings(settings), kinds, sandbox)
    check_platform(report, settings)
    selection = check_tools(report, settings)
    check_transport(report, settings)
    check_writes(report, settings, selection)
    return report


def run_doctor(settings: Settings, *, sandbox: Sandbox | None = None, out: TextIO | None = None) -> int:
    scrub.register_settings(settings)  # an upstream may echo a key back into an error doctor prints
    report = anyio.run(lambda: diagnose(settings, sandbox=sandbox))
    (out or sys.stdout).write(scrub.text(report.render()))
    return report.exit_code
