"""The README's "Team deployment" section: its commands, proxy configuration, URLs and Dockerfile are the
ones the suite runs (tests/web/test_team_proxy.py starts the workers from the command lines read here)."""

from __future__ import annotations

import re
import shlex

from claude_api_mcp.cli.flags import parser
from claude_api_mcp.cli.main import settings_from
from claude_api_mcp.core.config import Profile, Transport
from claude_api_mcp.web.http_app import MIN_TOKEN_LENGTH, bind_problem
from claude_api_mcp.web.oauth import metadata_url
from tests.procs import REPO
from tests.proxy_support import haproxy_config

README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Team deployment") : README.index("\n## ", README.index("## Team deployment") + 5)]
ISSUER = "https://idp.example.com"
AUDIENCE = "https://mcp.example.com/mcp"


def worker_lines() -> list[str]:
    return [line for line in SECTION.splitlines() if line.startswith(".venv/bin/claude-api-mcp --transport http")]


def worker_args(line: str) -> list[str]:
    """The flags of one README worker line, without the trailing ``&``."""
    return shlex.split(line.split("claude-api-mcp", 1)[1].rstrip(" &"))


def test_the_haproxy_configuration_is_the_one_the_suite_runs() -> None:
    block = re.search(r"<!-- haproxy:start -->\n```\n(.*?)```\n<!-- haproxy:end -->", SECTION, re.S)
    assert block is not None
    assert block.group(1) == haproxy_config("127.0.0.1:8800", ["127.0.0.1:8801", "127.0.0.1:8802"])


def test_the_two_worker_commands_configure_sign_in_and_differ_only_in_port() -> None:
    lines = worker_lines()
    assert len(lines) == 2 and lines[0].replace("8801", "8802") == lines[1]
    env = {"CLAUDE_API_MCP_STATE_KEY": "0" * 64}
    settings = settings_from(parser().parse_args(worker_args(lines[0])), env)
    assert settings.transport is Transport.HTTP and settings.profile is Profile.ADMIN and settings.port == 8801
    assert (settings.oauth_issuer, settings.oauth_audience) == (ISSUER, AUDIENCE)
    assert settings.allowed_hosts == ("mcp.example.com",) and len(settings.state_keys) == 1
    assert bind_problem(settings) is None


def test_the_sign_in_hint_shown_is_the_one_the_server_sends() -> None:
    settings = settings_from(parser().parse_args(worker_args(worker_lines()[0])), {})
    assert f'WWW-Authenticate: Bearer resource_metadata="{metadata_url(settings)}"' in SECTION
    assert f"at least {MIN_TOKEN_LENGTH} characters" in SECTION


def test_the_dockerfile_is_configured_by_environment_and_never_starts_open() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    env_block = dockerfile.split("ENV CLAUDE_API_MCP_TRANSPORT", 1)[1].split("EXPOSE", 1)[0]
    env = dict(re.findall(r"(CLAUDE_API_MCP_\w+)=(\S+)", "CLAUDE_API_MCP_TRANSPORT" + env_block))
    image = settings_from(parser().parse_args([]), env)
    assert image.transport is Transport.HTTP and image.host == "0.0.0.0" and image.workers == 2
    assert bind_problem(image) is not None  # no token and no IdP: refuses to start
    signed_in = settings_from(parser().parse_args([]), {**env, "CLAUDE_API_MCP_OAUTH_ISSUER": ISSUER})
    assert bind_problem(signed_in) is None
    assert 'ENTRYPOINT ["claude-api-mcp"]' in dockerfile and "USER mcp" in dockerfile
