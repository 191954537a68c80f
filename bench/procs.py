"""Processes under test: the shared upstream, our server, the peer (in its own venv), and their RSS."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
PEER_SPEC = "anthropic-admin-mcp==0.1.1"
# Bench credentials: correctly prefixed (the upstream and both servers check prefixes), obviously not secrets.
BENCH_ADMIN_KEY = "sk-ant-admin01-bench-not-a-secret"
BENCH_API_KEY = "sk-ant-api03-bench-not-a-secret"
PASS_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def base_env() -> dict[str, str]:
    """A small, explicit environment, so neither server picks up the caller's real keys or settings."""
    env = {k: os.environ[k] for k in PASS_THROUGH if k in os.environ}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def ours_env(upstream: str, *, api_key: bool = False) -> dict[str, str]:
    env = base_env() | {"ANTHROPIC_ADMIN_KEY": BENCH_ADMIN_KEY, "ANTHROPIC_BASE_URL": upstream}
    env["CLAUDE_API_MCP_LOG_LEVEL"] = "WARNING"
    if api_key:
        env["ANTHROPIC_API_KEY"] = BENCH_API_KEY
    return env


def ours_cmd(profile: str = "read-only", http_port: int | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "claude_api_mcp", "--profile", profile]
    return cmd + (["--transport", "http", "--port", str(http_port)] if http_port else [])


def peer_env(upstream: str) -> dict[str, str]:
    # The peer reads ANTHROPIC_ADMIN_KEY. Its framework (fastmcp) would otherwise ask PyPI for updates and draw a
    # banner at every start: turned off, which only helps the peer's startup figure.
    return base_env() | {
        "ANTHROPIC_ADMIN_KEY": BENCH_ADMIN_KEY,
        "BENCH_UPSTREAM_URL": upstream,
        "FASTMCP_CHECK_FOR_UPDATES": "off",
        "FASTMCP_SHOW_SERVER_BANNER": "false",
        "AUDIT_LOG_PATH": str(RESULTS / "peer-audit.jsonl"),
    }


def peer_cmd(python: str, *, read_only: bool = False, http_port: int | None = None) -> list[str]:
    cmd = [python, str(REPO / "bench" / "peer_launcher.py")]
    if read_only:
        cmd.append("--read-only")
    return cmd + (["--http", "--port", str(http_port)] if http_port else [])


@dataclass
class Peer:
    python: str | None
    reason: str = ""  # why the peer is unavailable, when python is None


def cache_dir() -> Path:
    base = os.environ.get("CLAUDE_API_MCP_BENCH_CACHE") or Path.home() / ".cache" / "claude-api-mcp-bench"
    return Path(base)


def ensure_peer(install: bool = True) -> Peer:
    """The peer's interpreter, installing ``PEER_SPEC`` into a cached venv of its own on first use."""
    venv = cache_dir() / ("venv-" + PEER_SPEC.replace("==", "-"))
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    done = venv / ".installed"
    if done.exists() and python.exists():
        return Peer(str(python))
    if not install:
        return Peer(None, "peer not installed (--no-install)")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", PEER_SPEC],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        tail = detail.decode(errors="replace").strip().splitlines()[-1:] if detail else [str(exc)]
        return Peer(None, f"could not install {PEER_SPEC}: {' '.join(tail)[:160]}")
    done.write_text(PEER_SPEC + "\n")
    return Peer(str(python))


def spawn(cmd: list[str], env: dict[str, str], log: Path, cwd: Path = REPO) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as err:
        return subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=err, stderr=err)


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Until ``url`` answers anything over HTTP (any status means the server is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before it was ready")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} not ready after {timeout:.0f}s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_upstream(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = spawn([sys.executable, "-m", "claude_api_mcp.sandbox.serve", "--port", str(port)], base_env(), log)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/", proc)
    return proc, url


def child_pids(parent: int | None = None) -> set[int]:
    """Direct children of ``parent`` (this process by default), from /proc."""
    parent = os.getpid() if parent is None else parent
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name in parentheses may contain spaces; the ppid is the second field after it.
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.add(int(entry.name))
    return found


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of ``pid`` so far, or None when unknown."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int | None) -> float | None:
    """VmRSS of ``pid`` in MiB, or None when unknown (not Linux, or the process is gone)."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
