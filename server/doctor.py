"""claude-api-mcp doctor: explain the configuration (replaced by the full checker in the clients work)."""

from __future__ import annotations

import sys

from server.app import build_server, selection_of
from server.config import Settings


def run_doctor(settings: Settings) -> int:
    server = build_server(settings)
    selection = selection_of(server)
    out = sys.stderr
    print(f"profile: {settings.profile.value}; tools listed: {len(selection.tools)}", file=out)
    for toolset, why in selection.omitted_toolsets.items():
        print(f"  {toolset}: left out ({why})", file=out)
    return 0
