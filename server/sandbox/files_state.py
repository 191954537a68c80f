"""Simulated Files API storage: FileMetadata as SDK 2.10.0 types it, plus the bytes.

Uploads are stored with ``downloadable: false`` (the API serves only files that skills or code execution
created). Two such generated files are seeded so downloads can be tried: a CSV and a small PNG.
"""

from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from claude_api_mcp.sandbox.wire import rfc3339

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.state import SandboxState as Sandbox

_ALPHABET = string.ascii_letters + string.digits
_CSV = (
    "month,input_tokens,output_tokens,cost_usd\n"
    "2026-08,182340112,20344871,842.17\n"
    "2026-09,201993004,23110456,931.40\n"
    "2026-10,224518760,25872113,1032.88\n"
)
# A 1x1 transparent PNG.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@dataclass
class StoredFile:
    meta: dict[str, Any]
    content: bytes


class FilesState:
    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self._rng = random.Random(13)
        self.files: dict[str, StoredFile] = {}
        now = box.clock()
        self.add("usage_by_month.csv", "text/csv", _CSV.encode(), now - timedelta(days=2), downloadable=True)
        self.add("chart.png", "image/png", _PNG, now - timedelta(days=1), downloadable=True)

    def new_id(self) -> str:
        return "file_011C" + "".join(self._rng.choice(_ALPHABET) for _ in range(20))

    def add(
        self,
        filename: str,
        mime_type: str,
        content: bytes,
        created: datetime | None = None,
        *,
        downloadable: bool = False,
        expires_in: int | None = None,
    ) -> dict[str, Any]:
        created = created or self.box.clock()
        file_id = self.new_id()
        meta: dict[str, Any] = {
            "id": file_id,
            "type": "file",
            "filename": filename,
            "mime_type": mime_type,
            "size_bytes": len(content),
            "created_at": rfc3339(created),
            "downloadable": downloadable,
            "expires_at": rfc3339(created + timedelta(seconds=expires_in)) if expires_in else None,
        }
        self.files[file_id] = StoredFile(meta, content)
        return meta

    def newest_first(self) -> list[dict[str, Any]]:
        ordered = sorted(enumerate(self.files.values()), key=lambda p: (p[1].meta["created_at"], p[0]), reverse=True)
        return [stored.meta for _, stored in ordered]

    def expired(self, stored: StoredFile) -> bool:
        expires: str | None = stored.meta.get("expires_at")
        return expires is not None and expires <= rfc3339(self.box.clock())
