"""The AWS event stream encoding (``application/vnd.amazon.eventstream``), as Bedrock streams responses.

A frame is: total length (u32), headers length (u32), CRC32 of those 8 bytes, headers, payload, CRC32 of
everything before it; all big-endian. A header is: name length (u8), name, type (u8; 7 = string), value
length (u16), value. botocore decodes (and checks) this; nothing in the standard library encodes it.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import struct
import zlib
from typing import Any

_STRING = 7


def frame(headers: dict[str, str], payload: bytes) -> bytes:
    encoded = b"".join(_header(name, value) for name, value in headers.items())
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    head = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return head + struct.pack(">I", zlib.crc32(head))


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return struct.pack(">B", len(raw_name)) + raw_name + struct.pack(">BH", _STRING, len(raw_value)) + raw_value


def chunk(event: bytes) -> bytes:
    """One Messages event as Bedrock sends it: a ``chunk`` event whose JSON payload holds the event in base64.

    ``p`` is the padding Bedrock adds so that frame sizes do not reveal the length of the text."""
    pad = "".join(secrets.choice(string.ascii_letters) for _ in range(secrets.randbelow(24) + 1))
    payload = json.dumps({"bytes": base64.b64encode(event).decode(), "p": pad}).encode()
    return frame({":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}, payload)


def exception(name: str, message: str) -> bytes:
    """A modeled exception inside the stream (e.g. ``throttlingException``), which ends it."""
    payload = json.dumps({"message": message}).encode()
    headers = {":exception-type": name, ":content-type": "application/json", ":message-type": "exception"}
    return frame(headers, payload)


def invocation_metrics(usage: dict[str, Any], latency_ms: int) -> dict[str, Any]:
    """What Bedrock adds to the ``message_stop`` event."""
    return {
        "inputTokenCount": usage.get("input_tokens", 0),
        "outputTokenCount": usage.get("output_tokens", 0),
        "invocationLatency": latency_ms,
        "firstByteLatency": min(latency_ms, 50),
    }
