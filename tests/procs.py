"""Helpers for tests that start real processes: the server on stdio or HTTP, npx, cached virtual environments.

Every server started here is bounded: it gets a lifetime (SIGALRM) after which it stops by itself, even
if the test process dies, and the fixture stops it first in the normal case.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
MAX_SERVER_SECONDS = 300
# Runs the server module with an alarm: a server left behind stops by itself.
_LAUNCH = (
    "import runpy, signal, sys; seconds = int(sys.argv.pop(1)); "
    "hasattr(signal, 'alarm') and signal.alarm(seconds); "
    "runpy.run_module('server', run_name='__main__', alter_sys=True)"
)
_DROPPED = ("ANTHROPIC_", "CLAUDE_API_MCP_", "PYTHONPATH")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without keys or settings of ours (a developer's keys never leak in) and without
    PYTHONPATH (what a subprocess imports comes from its own installation or working directory)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED)}
    env.update(extra or {})
    return env


def server_command(args: Sequence[str], *, lifetime: int = MAX_SERVER_SECONDS) -> list[str]:
    return [sys.executable, "-c", _LAUNCH, str(lifetime), *args]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class HttpServer:
    url: str  # the MCP endpoint
    base: str
    stderr_path: Path
    proc: subprocess.Popen[bytes]

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")


@contextlib.contextmanager
def http_server(
    args: Sequence[str], tmp_path: Path, *, timeout: float = 30.0, env: Mapping[str, str] | None = None
) -> Iterator[HttpServer]:
    """``python -m server --transport http`` on a free loopback port; yields once /health answers."""
    port = free_port()
    stderr_path = tmp_path / f"server-{port}.stderr"
    cmd = server_command(["--transport", "http", "--host", "127.0.0.1", "--port", str(port), *args])
    with stderr_path.open("wb") as err:
        proc = subprocess.Popen(cmd, cwd=REPO, env=clean_env(env), stdin=subprocess.DEVNULL, stdout=err, stderr=err)
    base = f"http://127.0.0.1:{port}"
    server = HttpServer(url=f"{base}/mcp", base=base, stderr_path=stderr_path, proc=proc)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the HTTP server exited with {proc.returncode}:\n{server.stderr()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"the HTTP server did not answer /health within {timeout} s:\n{server.stderr()}")
            time.sleep(0.1)
        yield server
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def run(cmd: Sequence[str], *, timeout: float, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; on failure show its output, which is what one needs to see."""
    result = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, **kwargs)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, cmd))} exited with {result.returncode}\n"
            f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
        )
    return result


def require_npx() -> str:
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx is not installed (Node.js is needed for the MCP Bundle CLI and the Inspector)")
    return npx


def cache_dir() -> Path:
    """Where slow tests keep what they can reuse (virtual environments, npm packages)."""
    root = os.environ.get("CLAUDE_API_MCP_TEST_CACHE") or os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    path = Path(root).expanduser() / "claude-api-mcp-tests"
    path.mkdir(parents=True, exist_ok=True)
    return path


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def cached_venv(name: str, requirements: Sequence[str], *, editable_project: bool = True) -> Path:
    """A virtual environment with ``requirements`` (and this project, editable), reused while they are the same.

    Editable, so the code under test is always the checkout's; the key covers what would need a reinstall.
    """
    key_src = "\n".join([sys.version, str(REPO), (REPO / "pyproject.toml").read_text(), *requirements])
    key = hashlib.sha256(key_src.encode()).hexdigest()[:12]
    venv = cache_dir() / f"venv-{name}-{key}"
    done = venv / ".complete"
    if done.exists():
        return venv
    for stale in cache_dir().glob(f"venv-{name}-*"):  # older keys: the cache keeps one per example
        shutil.rmtree(stale, ignore_errors=True)
    run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    pip = [str(venv_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run([*pip, *requirements, *(["-e", str(REPO)] if editable_project else [])], timeout=900)
    done.write_text(key)
    return venv


def npm_package(spec: str) -> Path:
    """``npm install`` ``spec`` once into the cache; returns the prefix holding ``node_modules``."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed (Node.js is needed for the MCP Bundle CLI)")
    prefix = cache_dir() / ("npm-" + spec.replace("/", "_").replace("@", ""))
    if not (prefix / ".complete").exists():
        run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix), spec], timeout=600)
        (prefix / ".complete").write_text(spec)
    return prefix
