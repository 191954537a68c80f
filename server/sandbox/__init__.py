"""The embedded simulated organization: a fake upstream that speaks the API's exact wire format.

``Sandbox`` holds the state, the ASGI app and the recorded requests. It plugs into the server as the
transport of the one httpx client (``Sandbox.transport()``), so every sandbox call runs through the real
request code, and it can be served on a loopback port (``server.sandbox.serve``) for the official SDK,
benchmarks and other clients.
"""

from server.sandbox.core import SANDBOX_ADMIN_KEY, SANDBOX_API_KEY, RecordedRequest, Sandbox
from server.sandbox.transport import Fault

__all__ = ["SANDBOX_ADMIN_KEY", "SANDBOX_API_KEY", "Fault", "RecordedRequest", "Sandbox"]
