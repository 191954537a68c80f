"""Several workers, no shared state beyond configuration.

* ``--workers N`` runs uvicorn's process manager. Each worker rebuilds the app from the parent's Settings,
  handed over in the environment the parent gives its workers (``SETTINGS_ENV``), never in a file: a
  parent killed with SIGKILL leaves no secret behind on disk. The environment of a process is readable
  only by its own user (``/proc/<pid>/environ`` is mode 0400), as for ``CLAUDE_API_MCP_HTTP_TOKEN``
  itself; a worker removes the variable as soon as it has read it, so nothing it starts inherits it.
* The per-worker metrics files go to a private temp directory (mode 0700) that holds no secret and is
  removed when the parent exits.
"""

from __future__ import annotations

import atexit
import base64
import logging
import os
import pickle
import shutil
import tempfile
from pathlib import Path

from claude_api_mcp.core.config import Settings

SETTINGS_ENV = "CLAUDE_API_MCP__WORKER_SETTINGS"  # internal: set by the parent for its workers only


def prepare_workers(settings: Settings) -> Path:
    """Put the Settings where workers find them (the environment) and make the metrics directory."""
    runtime = Path(tempfile.mkdtemp(prefix="claude-api-mcp-"))  # mode 0700
    atexit.register(shutil.rmtree, runtime, True)
    (runtime / "metrics").mkdir()
    packed = pickle.dumps((settings, logging.getLogger().level))
    os.environ[SETTINGS_ENV] = base64.b64encode(packed).decode("ascii")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(runtime / "metrics")  # read by workers at import
    return runtime


def worker_settings() -> tuple[Settings, int]:
    """The parent's Settings and log level (the parent keeps them for the workers that replace this one)."""
    packed = os.environ.pop(SETTINGS_ENV, None)
    if not packed:
        raise RuntimeError("this entry point is for workers started by `claude-api-mcp --workers N`")
    settings, level = pickle.loads(base64.b64decode(packed))  # set by our parent, readable by this user only
    if not isinstance(settings, Settings) or not isinstance(level, int):
        raise RuntimeError("the worker settings are not ours")
    return settings, level
