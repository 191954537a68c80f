"""Command line: flags and environment → Settings; then serve (stdio or HTTP) or run ``doctor``.

The flags are one table (``cli/flags.py``); a variable is checked against its flag's choices, and every value
is checked before anything starts. Logs go to stderr only: on stdio, stdout carries nothing but protocol
messages.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from claude_api_mcp.app import telemetry
from claude_api_mcp.cli.exits import EXIT_USAGE
from claude_api_mcp.cli.flags import command_of, option_actions, parser
from claude_api_mcp.cli.team import team_settings
from claude_api_mcp.core.config import (
    DEFAULT_ANTHROPIC_VERSION,
    DEFAULT_BASE_URL,
    ENV_PREFIX,
    ConfigError,
    ConfirmPolicy,
    Profile,
    Settings,
    Transport,
)
from claude_api_mcp.core.logs import configure_logging
from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName, from_env
from claude_api_mcp.core.secret import Secret

log = logging.getLogger("claude_api_mcp")


def _csv(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    items = frozenset(part.strip() for part in value.split(",") if part.strip())
    return items or None


def _size(value: str, source: str) -> int:
    """``1048576``, ``512K`` or ``32M`` → bytes."""
    text = value.strip().upper().removesuffix("B")
    scale = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    if not number.isdigit() or int(number) <= 0:
        raise ConfigError(
            f"{source}: the max request body must be a positive size like 1048576, 512K or 32M, got {value!r}"
        )
    return int(number) * scale


TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _platform(name: str | None, env: Mapping[str, str]) -> PlatformConfig | None:
    try:
        return from_env(PlatformName((name or "anthropic").strip().lower()), env)
    except ValueError:
        raise ConfigError(f"platform must be anthropic, bedrock, vertex or foundry, got {name!r}") from None


def _switch(env: Mapping[str, str], name: str) -> bool:
    """A switch's variable: 1/true/yes/on or 0/false/no/off; anything else is a mistake worth saying."""
    value = (env.get(name) or "").strip().lower()
    if value and value not in TRUE + FALSE:
        raise ConfigError(f"{name}={env[name]!r} is not valid; use 1 to turn it on or 0 to turn it off")
    return value in TRUE


def _env_choice(action: argparse.Action, name: str, raw: str) -> str:
    """A variable's value checked against its flag's choices, normalized the way the flag is (case)."""
    value = action.type(raw) if callable(action.type) else raw
    if action.choices is None or value not in action.choices:
        allowed = ", ".join(str(c) for c in action.choices or ())
        raise ConfigError(f"{name}={raw!r} is not valid; choose from: {allowed}")
    return str(value)


def settings_from(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    """Flags first, then CLAUDE_API_MCP_* / ANTHROPIC_* variables, then defaults."""
    choices = {a.dest: a for a in option_actions(parser()) if a.choices}

    def pick(flag: str, name: str) -> str | None:
        value = getattr(args, flag, None)
        if value is not None:
            return str(value)
        raw = (env.get(name) or "").strip()
        if raw and flag in choices:  # argparse checks the flag; the same choices hold for its variable
            return _env_choice(choices[flag], name, raw)
        return raw or None

    def where(flag: str, name: str) -> str:
        """Where a value came from, for the error message: the flag or the variable."""
        return "--" + flag.replace("_", "-") if getattr(args, flag, None) is not None else name

    def secret(name: str) -> Secret | None:
        value = (env.get(name) or "").strip()
        return Secret(value) if value else None

    profile = Profile(pick("profile", ENV_PREFIX + "PROFILE") or Profile.READ_ONLY.value)
    transport = Transport(pick("transport", ENV_PREFIX + "TRANSPORT") or Transport.STDIO.value)
    confirm = ConfirmPolicy(pick("confirm", ENV_PREFIX + "CONFIRM") or ConfirmPolicy.AUTO.value)
    port_text = pick("port", ENV_PREFIX + "PORT") or "8765"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(
            f"{where('port', ENV_PREFIX + 'PORT')}: the port must be a number from 1 to 65535, got {port_text!r}"
        )
    token = pick("http_token", ENV_PREFIX + "HTTP_TOKEN")
    concurrency = pick("report_concurrency", ENV_PREFIX + "REPORT_CONCURRENCY") or str(Settings.report_concurrency)
    if not concurrency.isdigit() or not 1 <= int(concurrency) <= 64:
        source = where("report_concurrency", ENV_PREFIX + "REPORT_CONCURRENCY")
        raise ConfigError(f"{source}: the report concurrency must be a number from 1 to 64, got {concurrency!r}")
    audit = pick("audit_log", ENV_PREFIX + "AUDIT_LOG")
    body_limit = pick("max_request_body", ENV_PREFIX + "MAX_REQUEST_BODY")
    base_url = (pick("base_url", "ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"{where('base_url', 'ANTHROPIC_BASE_URL')}: the base URL must start with http:// or https://, "
            f"got {base_url!r}"
        )
    settings = Settings(
        admin_key=secret("ANTHROPIC_ADMIN_KEY"),
        api_key=secret("ANTHROPIC_API_KEY"),
        base_url=base_url,
        anthropic_version=pick("anthropic_version", ENV_PREFIX + "ANTHROPIC_VERSION") or DEFAULT_ANTHROPIC_VERSION,
        profile=profile,
        toolsets=_csv(pick("toolsets", ENV_PREFIX + "TOOLSETS")),
        tools=_csv(pick("tools", ENV_PREFIX + "TOOLS")),
        exclude_tools=_csv(pick("exclude_tools", ENV_PREFIX + "EXCLUDE_TOOLS")) or frozenset(),
        transport=transport,
        host=pick("host", ENV_PREFIX + "HOST") or "127.0.0.1",
        port=int(port_text),
        sandbox=bool(args.sandbox) or _switch(env, ENV_PREFIX + "SANDBOX"),
        platform=_platform(pick("platform", ENV_PREFIX + "PLATFORM"), env),
        http_token=Secret(token) if token else None,
        allowed_hosts=tuple(sorted(_csv(pick("allowed_hosts", ENV_PREFIX + "ALLOWED_HOSTS")) or ())),
        allowed_origins=tuple(sorted(_csv(pick("allowed_origins", ENV_PREFIX + "ALLOWED_ORIGINS")) or ())),
        max_request_body_size=(
            _size(body_limit, where("max_request_body", ENV_PREFIX + "MAX_REQUEST_BODY"))
            if body_limit
            else Settings.max_request_body_size
        ),
        confirm=confirm,
        workspaces=_csv(pick("workspaces", ENV_PREFIX + "WORKSPACES")),
        audit_log=Path(audit).expanduser() if audit else None,
        report_concurrency=int(concurrency),
        allow_files=_allowed_dirs(pick("allow_files", ENV_PREFIX + "ALLOW_FILES")),
        call_timeout=_seconds(
            pick("call_deadline", ENV_PREFIX + "CALL_DEADLINE"), Settings.call_timeout, "--call-deadline"
        ),
        max_report_requests=_positive(
            pick("max_report_requests", ENV_PREFIX + "MAX_REPORT_REQUESTS"),
            Settings.max_report_requests,
            "--max-report-requests",
        ),
    )
    return dataclasses.replace(settings, **team_settings(args, env))  # type: ignore[arg-type]


def _allowed_dirs(value: str | None) -> tuple[Path, ...]:
    """--allow-files: existing directories, as real paths (a typo must not silently allow nothing)."""
    out: list[Path] = []
    for part in sorted(_csv(value) or ()):
        folder = Path(part).expanduser()
        if not folder.is_absolute() or not folder.is_dir():
            raise ConfigError(f"--allow-files: {part!r} is not an absolute path to an existing directory")
        out.append(folder.resolve())
    return tuple(out)


def _positive(value: str | None, default: int, flag: str) -> int:
    if value is None:
        return default
    if not value.strip().isdigit() or int(value) <= 0:
        raise ConfigError(f"{flag} must be a positive whole number, got {value!r}")
    return int(value)


def _seconds(value: str | None, default: float, flag: str) -> float:
    """A duration in seconds: 1 to 3600 (a deadline of hours would not bound anything a person waits for)."""
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 1 <= seconds <= 3600:
        raise ConfigError(f"{flag} must be a number of seconds from 1 to 3600, got {value!r}")
    return seconds


def log_level(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    """--log-level or CLAUDE_API_MCP_LOG_LEVEL, in any case; INFO by default."""
    if args.log_level is not None:
        return str(args.log_level)
    raw = (env.get(ENV_PREFIX + "LOG_LEVEL") or "").strip()
    if not raw:
        return "INFO"
    action = next(a for a in option_actions(parser()) if a.dest == "log_level")
    return _env_choice(action, ENV_PREFIX + "LOG_LEVEL", raw)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser(command_of(argv)).parse_args(argv)  # exits 2 on an unknown flag or value
    env = os.environ if env is None else env
    try:
        configure_logging(log_level(args, env))
        settings = settings_from(args, env)
    except ConfigError as exc:
        print(f"claude-api-mcp: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "doctor":
        from claude_api_mcp.cli.doctor import run_doctor

        return run_doctor(settings)
    from claude_api_mcp.cli.serve import serve
    from claude_api_mcp.safety.audit import install_sigterm_hook

    install_sigterm_hook()  # before any transport takes SIGTERM over: in-flight writes get an outcome line
    if settings.workers <= 1:  # with --workers each worker process installs its own (web.http_app.app_factory)
        try:
            telemetry.setup(env)  # OTEL_* set: traces and metrics over OTLP; otherwise nothing is imported
        except ConfigError as exc:
            print(f"claude-api-mcp: {exc}", file=sys.stderr)
            return EXIT_USAGE
    return serve(settings)
