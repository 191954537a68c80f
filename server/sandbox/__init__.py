"""The embedded simulated organization: a fake upstream that speaks the API's exact wire format.

``Sandbox`` holds the state, the ASGI app and the recorded requests. It plugs into the server as the
transport of the one httpx client (``Sandbox.transport()``), so every sandbox call runs through the real
request code, and it can be served on a loopback port (``claude_api_mcp.sandbox.serve``) for the official SDK,
benchmarks and other clients.
"""

from claude_api_mcp.sandbox.core import Sandbox
from claude_api_mcp.sandbox.state import SANDBOX_ADMIN_KEY, SANDBOX_API_KEY, RecordedRequest
from claude_api_mcp.sandbox.transport import Fault

__all__ = ["SANDBOX_ADMIN_KEY", "SANDBOX_API_KEY", "Fault", "RecordedRequest", "Sandbox"]
