"""Run the peer, anthropic-admin-mcp 0.1.1, against the bench upstream instead of api.anthropic.com.

The peer hard-codes ``BASE_URL`` in ``anthropic_admin_mcp.client`` and reads it when ``AdminClient`` is built
(inside ``build_server``), so setting the module attribute before its ``main()`` runs is enough; nothing else of
the peer changes. It reads its key from ``ANTHROPIC_ADMIN_KEY`` (must start with ``sk-ant-admin``).

Run with the peer's own interpreter:  <peer venv>/bin/python bench/peer_launcher.py [--read-only] [--http --port N]
with ``BENCH_UPSTREAM_URL`` set. Its flags are the peer's own.
"""

import os
import sys

# Run as a script, this file's folder is sys.path[0]; drop it so bench's modules never shadow the peer's imports.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

from anthropic_admin_mcp import client as peer_client
from anthropic_admin_mcp.server import main

peer_client.BASE_URL = os.environ["BENCH_UPSTREAM_URL"]

if __name__ == "__main__":
    main()
