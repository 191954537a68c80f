"""Several workers, no shared state beyond configuration.

* ``--workers N`` runs uvicorn's own process manager. Each worker rebuilds the app from the parent's
  Settings, handed over in a file readable only by this user (not the environment, not the command line),
  inside a private directory that also holds the per-worker metrics files. The directory is removed
  when the parent exits.
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import shutil
import tempfile
from pathlib import Path

from claude_api_mcp.core.config import Settings

RUNTIME_ENV = "CLAUDE_API_MCP__RUNTIME_DIR"  # internal: set by the parent for its workers only


def prepare_workers(settings: Settings) -> Path:
    """The private directory workers read their Settings from; metrics go to a subdirectory."""
    runtime = Path(tempfile.mkdtemp(prefix="claude-api-mcp-"))  # mode 0700
    atexit.register(shutil.rmtree, runtime, True)
    (runtime / "metrics").mkdir()
    target = runtime / "settings.pickle"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        pickle.dump((settings, logging.getLogger().level), out)
    os.environ[RUNTIME_ENV] = str(runtime)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(runtime / "metrics")  # read by workers at import
    return runtime


def worker_settings() -> tuple[Settings, int]:
    """The parent's Settings and log level."""
    runtime = os.environ.get(RUNTIME_ENV)
    if not runtime:
        raise RuntimeError("this entry point is for workers started by `claude-api-mcp --workers N`")
    with open(Path(runtime) / "settings.pickle", "rb") as source:
        settings, level = pickle.load(source)  # written by our parent process into a 0700 directory
    if not isinstance(settings, Settings) or not isinstance(level, int):
        raise RuntimeError("the worker settings file is not ours")
    return settings, level
