"""The command line's one table: every flag, its environment variable, its help; the two commands' texts.

Every flag has an environment variable (flags win), named from the flag (``ENV_NAMES`` lists the
exceptions). ``parser()`` is what --help, validation (``cli/main.py``) and the README's flag table
(scripts/sync_docs.py) read.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from claude_api_mcp import __version__
from claude_api_mcp.cli.team import add_team_flags
from claude_api_mcp.core.config import (
    DEFAULT_ANTHROPIC_VERSION,
    DEFAULT_BASE_URL,
    ENV_PREFIX,
    ConfirmPolicy,
    Profile,
    Transport,
)
from claude_api_mcp.core.platform_config import PlatformName

# Every flag --some-name reads CLAUDE_API_MCP_SOME_NAME, except where the upstream has its own variable.
ENV_NAMES = {"base_url": "ANTHROPIC_BASE_URL"}
LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"]


EXIT_CODES = """exit codes:
  0  stopped normally
  1  an unexpected error (the traceback is on stderr)
  2  a flag or environment value it cannot start with (the message says which)
  3  it cannot listen on --host/--port (the port is taken, the address is not local, no permission)"""
KEYS_HELP = """environment:
  ANTHROPIC_ADMIN_KEY   Admin API key (sk-ant-admin...): Admin API tools and reports
  ANTHROPIC_API_KEY     standard API key (sk-ant-api...): models, messages, batches, files, skills
  Every option also reads the environment variable shown in [brackets]; the option wins."""
DESCRIPTIONS = {
    "serve": """MCP server for the Claude API, over stdio (default) or streamable HTTP.

commands:
  serve    run the server (the default)
  doctor   explain the configuration and check the keys (claude-api-mcp doctor --help)""",
    "doctor": """Explain the configuration the server would run with: which keys are set and whether
they reach the API, which tools would be listed and why the others are not, whether the
HTTP address is safe and free, and the write settings. Same options and environment as
the server; the report goes to stdout.""",
}
DOCTOR_EXIT_CODES = """exit codes (the server's own, for what would stop it from starting):
  0  no problem found
  1  a problem the server meets only when called (a key the API rejects, an unreachable upstream,
     no tool listed)
  2  a flag or environment value the server would refuse
  3  the server could not listen on --host/--port"""


def env_var(dest: str) -> str:
    """The environment variable of the option whose argparse ``dest`` is ``dest``."""
    return ENV_NAMES.get(dest, ENV_PREFIX + dest.upper())


def env_help(action: argparse.Action) -> str:
    """What --help shows after an option's meaning: its variable (``=1`` for a switch)."""
    return f"[{env_var(action.dest)}{'=1' if action.nargs == 0 else ''}]"


def option_actions(p: argparse.ArgumentParser) -> list[argparse.Action]:
    """The options that read an environment variable (all but --help and --version)."""
    return [a for a in p._actions if a.option_strings and a.dest not in ("help", "version")]


def meaning(action: argparse.Action) -> str:
    """An option's help without its environment variable (the README's flag table has its own column)."""
    return (action.help or "").removesuffix(" " + env_help(action))


def parser(command: str = "serve") -> argparse.ArgumentParser:
    """The command line of ``command`` (serve or doctor): the same options, each command's own help."""
    p = argparse.ArgumentParser(
        prog="claude-api-mcp" if command == "serve" else "claude-api-mcp doctor",
        description=DESCRIPTIONS[command],
        epilog=KEYS_HELP + "\n\n" + (EXIT_CODES if command == "serve" else DOCTOR_EXIT_CODES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "command",
        nargs="?",
        choices=["serve", "doctor"],
        default="serve",
        help="serve (default) or doctor: explain the configuration and check the keys",
    )
    p.add_argument("--version", action="version", version=f"claude-api-mcp {__version__}")
    p.add_argument("--profile", type=str.lower, choices=[x.value for x in Profile], help="read-only (default) or admin")
    p.add_argument("--toolsets", help="comma-separated toolsets, or all")
    p.add_argument("--tools", help="comma-separated allow-list of tool names")
    p.add_argument("--exclude-tools", help="comma-separated tool names to hide")
    p.add_argument("--transport", type=str.lower, choices=[x.value for x in Transport], help="stdio (default) or http")
    p.add_argument("--host", help="HTTP bind address, default 127.0.0.1")
    p.add_argument("--port", type=int, help="HTTP port, default 8765; the endpoint is /mcp")
    p.add_argument(
        "--sandbox",
        action="store_true",
        default=None,
        help="serve a simulated organization instead of the real API; no keys needed",
    )
    p.add_argument("--base-url", help=f"upstream API, default {DEFAULT_BASE_URL}")
    p.add_argument("--anthropic-version", help=f"anthropic-version header, default {DEFAULT_ANTHROPIC_VERSION}")
    p.add_argument("--http-token", help="bearer token required on HTTP; prefer the variable or --http-token-file")
    p.add_argument("--allowed-hosts", help="Host headers accepted over HTTP, behind a proxy")
    p.add_argument("--allowed-origins", help="Origin headers accepted over HTTP")
    p.add_argument("--max-request-body", help="largest HTTP request body, bytes or with K/M suffix, default 32M")
    p.add_argument(
        "--confirm",
        type=str.lower,
        choices=[x.value for x in ConfirmPolicy],
        help="confirmation of destructive calls, every write_api call included: auto (default; a client that "
        "cannot ask leaves only the host's approval prompt), always (refused when it cannot ask), never; "
        "writes: every write",
    )
    p.add_argument("--workspaces", help="restrict writes to these workspace ids")
    p.add_argument(
        "--allow-files",
        help="comma-separated directories whose files upload tools may read, besides the client's roots",
    )
    p.add_argument(
        "--audit-log",
        help="JSON-lines log of every write attempt; its directory must exist (the default one is created)",
    )
    p.add_argument("--report-concurrency", type=int, help="requests one report keeps in flight, default 16")
    p.add_argument("--max-report-requests", type=int, help="upstream requests one report call may make, default 500")
    p.add_argument(
        "--call-deadline",
        help="seconds one tool call may take upstream, every attempt and retry included, default 90 (a streamed "
        "reply's body has its own limits)",
    )
    p.add_argument(
        "--platform",
        type=str.lower,
        choices=[x.value for x in PlatformName],
        help="where the core API's calls go: anthropic (default), bedrock, vertex or foundry, configured by the "
        "official SDKs' variables (AWS_REGION, CLOUD_ML_REGION, ANTHROPIC_FOUNDRY_RESOURCE...)",
    )
    p.add_argument("--log-level", type=str.upper, choices=LOG_LEVELS, help="stderr log level, default INFO")
    add_team_flags(p)
    for action in option_actions(p):  # one place names the variables, so a new flag cannot forget its own
        action.help = f"{action.help} {env_help(action)}"
    return p


def command_of(argv: Sequence[str]) -> str:
    """The command word in ``argv`` (serve when there is none), skipping the values of options."""
    takes_value = {s for a in option_actions(parser()) if a.nargs != 0 for s in a.option_strings}
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            break
        if token.startswith("-"):
            if token in takes_value:
                next(tokens, None)
            continue
        return token if token in DESCRIPTIONS else "serve"  # argparse then names the bad word and the choices
    return "serve"
