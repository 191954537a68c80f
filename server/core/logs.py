"""The process's log records: to stderr (stdout is the stdio transport), scrubbed of every secret."""

from __future__ import annotations

import logging
import sys

from claude_api_mcp.core import scrub


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)  # a client asking for debug lowers our loggers (app/client_logs.py), not this
    handler.addFilter(scrub.FILTER)  # secrets are registered once settings are read; the filter reads them then
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))  # request lines are ours to log
