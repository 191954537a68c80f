"""Frozen settings, built once at startup from flags and environment (see server/cli/main.py)."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path

from claude_api_mcp.core.platform_config import PlatformConfig
from claude_api_mcp.core.secret import ADMIN_KEY_PREFIX, Secret

ENV_PREFIX = "CLAUDE_API_MCP_"  # every flag --some-name reads CLAUDE_API_MCP_SOME_NAME (server/cli/flags.py)
DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_ANTHROPIC_VERSION = "2023-06-01"


class ConfigError(ValueError):
    """A flag or environment value that cannot be used; the message says what to set."""


class Profile(str, enum.Enum):
    READ_ONLY = "read-only"
    ADMIN = "admin"


class KeyKind(str, enum.Enum):
    """Which credential a tool sends: the Admin API key or a standard API key."""

    ADMIN = "admin"
    API = "api"

    @property
    def env_var(self) -> str:
        return "ANTHROPIC_ADMIN_KEY" if self is KeyKind.ADMIN else "ANTHROPIC_API_KEY"

    @property
    def label(self) -> str:
        return "an Admin API key (sk-ant-admin…)" if self is KeyKind.ADMIN else "a standard API key (sk-ant-api…)"


class Transport(str, enum.Enum):
    STDIO = "stdio"
    HTTP = "http"


class ConfirmPolicy(str, enum.Enum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"
    WRITES = "writes"  # every write tool, not only destructive ones


def key_problem(kind: KeyKind, value: str) -> str | None:
    """Why a key given for ``kind`` cannot be the right kind, judged by its public prefix (no call needed)."""
    if kind is KeyKind.ADMIN and not value.startswith(ADMIN_KEY_PREFIX):
        return (
            f"{kind.env_var} is not an Admin API key: Admin keys start with {ADMIN_KEY_PREFIX}… "
            "(create one in the Claude Console under Settings → Admin keys)."
        )
    if kind is KeyKind.API and value.startswith(ADMIN_KEY_PREFIX):
        return f"{kind.env_var} holds an Admin key; the core API needs a standard API key (sk-ant-api…)."
    return None


def default_audit_log_path() -> Path:
    """The user's state directory (XDG on Linux, the usual places elsewhere)."""
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif os.uname().sysname == "Darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
    return base / "claude-api-mcp" / "audit.jsonl"


@dataclass(frozen=True)
class Settings:
    admin_key: Secret | None = None
    api_key: Secret | None = None
    base_url: str = DEFAULT_BASE_URL
    anthropic_version: str = DEFAULT_ANTHROPIC_VERSION
    profile: Profile = Profile.READ_ONLY
    toolsets: frozenset[str] | None = None  # None: every toolset
    tools: frozenset[str] | None = None  # None: no allow-list
    exclude_tools: frozenset[str] = frozenset()
    transport: Transport = Transport.STDIO
    host: str = "127.0.0.1"
    port: int = 8765
    sandbox: bool = False
    platform: PlatformConfig | None = None  # --platform: the core API on Bedrock/Vertex/Foundry; None: Anthropic's
    http_token: Secret | None = None
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    max_request_body_size: int = 32 * 1024 * 1024  # HTTP transport; the Messages API's own request limit
    confirm: ConfirmPolicy = ConfirmPolicy.AUTO
    workspaces: frozenset[str] | None = None  # None: writes allowed in every workspace
    audit_log: Path | None = None  # None: default_audit_log_path()
    # Team deployments (HTTP): shared request-state keys, worker processes, OAuth resource-server mode.
    state_keys: tuple[Secret, ...] = ()  # first seals, all unseal; empty: a per-process key
    state_url: Secret | None = None  # --state-url: the store instances share (Redis); None: each process its own
    workers: int = 1
    oauth_issuer: str | None = None
    oauth_jwks_url: str | None = None  # None: from the issuer's metadata
    oauth_audience: str | None = None  # None: http://host:port/mcp
    # HTTP listener limits (docs/safety.md, "HTTP listener").
    max_connections: int = 256  # per worker; beyond it new requests get 503
    header_timeout: float = 10.0  # seconds to send a request's headers
    body_timeout: float = 30.0  # seconds to send a request's body
    max_body_in_flight: int = 64 * 1024 * 1024  # request bodies held at once, per worker
    max_sessions: int = 1000  # older-protocol sessions, per worker
    max_sessions_per_client: int = 16  # beyond it a new session ends the client's least recently used idle one
    session_idle_timeout: float = 300.0
    forwarded_allow_ips: tuple[str, ...] = ()  # proxies whose X-Forwarded-For names the client; none: the peer
    auth_failures_allowed: int = 5  # failed authentications per client before backoff starts
    # Upstream behaviour.
    connect_timeout: float = 10.0  # also the wait for a free pooled connection
    read_timeout: float = 60.0  # non-streaming calls: longest wait for the answer, and between its chunks
    # Limits against a hostile or broken upstream (docs/safety.md, "Hostile upstream").
    stream_idle_timeout: float = 120.0  # streams (SSE replies, JSONL results): longest silence between events
    call_timeout: float = 90.0  # --call-deadline: one tool call, whole: every attempt, body, retry wait and page
    stream_total_timeout: float = 900.0  # a streamed body (SSE, JSONL, download), once its headers arrived
    max_response_bytes: int = 32 * 1024 * 1024  # one JSON answer, decoded
    max_stream_bytes: int = 64 * 1024 * 1024  # one streamed Messages reply, decoded
    max_line_bytes: int = 16 * 1024 * 1024  # one SSE line or one batch result line
    max_retries: int = 3
    max_retry_wait: float = 30.0  # a longer retry-after is reported to the model, not slept through
    report_concurrency: int = 16  # requests one report call keeps in flight (its windows or days)
    # Output bounds: a capped list says so; nothing exceeds a client's tool-result limit.
    list_item_cap: int = 1000
    output_char_budget: int = 60_000  # ≈ 15,000 tokens at 4 chars per token
    # Local files and report reach (docs/safety.md).
    allow_files: tuple[Path, ...] = ()  # directories upload tools may read, besides the client's roots
    max_report_requests: int = 500  # upstream requests one report call may make

    def key(self, kind: KeyKind) -> Secret | None:
        return self.admin_key if kind is KeyKind.ADMIN else self.api_key

    @property
    def audit_log_path(self) -> Path:
        return self.audit_log or default_audit_log_path()
