"""The one value a write is: prepared once (validated, pinned, local files read), then shown, confirmed, sent.

Typed tools and write_api build a ``Prepared`` and hand it to ``writes.write()``. When the person is asked
first, the confirmation step builds it before the question (``server/safety/confirm.py`` runs the tool body
in ``capturing()`` mode, where ``write()`` hands the value back instead of sending), the question describes
that value, and the send executes that same value: a file that changes while the person is being asked
changes nothing, because its bytes were read before the question. ``confirmed()`` gives a tool body the
value the person confirmed, so an upload never reads the disk a second time.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from claude_api_mcp.client.http import AnthropicAPI
from claude_api_mcp.core.config import KeyKind


@dataclass(frozen=True)
class Part:
    """One multipart file part, its bytes already read."""

    field: str  # the form field ("file", "files[]")
    filename: str
    content: bytes
    media: str


@dataclass(frozen=True)
class Prepared:
    method: str
    path: str
    key: KeyKind
    body: dict[str, Any] | None = None  # JSON body
    parts: tuple[Part, ...] | None = None  # multipart file parts; ``form`` holds the other fields
    form: dict[str, Any] | None = None
    query: dict[str, Any] | None = None
    headers: dict[str, str] | None = None  # anthropic-beta and the catalog's header arguments
    idempotent: bool = False
    current_path: str | None = None  # GET this for the target's current state (dry runs, confirmations)
    shown: Any = field(default=None, compare=False)  # what a dry run shows for a multipart body (names, sizes)

    @property
    def shown_body(self) -> Any:
        """The body as a dry run and a question show it: JSON, or the form with each file's name and size."""
        if self.parts is None:
            return self.body
        if self.shown is not None:
            return self.shown
        files = [{"field": p.field, "filename": p.filename, "bytes": len(p.content)} for p in self.parts]
        return {**(self.form or {}), "files": files}

    @property
    def sizes(self) -> list[int]:
        return [len(p.content) for p in self.parts or ()]

    def client_files(self) -> list[tuple[str, tuple[str, bytes, str]]] | None:
        """The parts as httpx takes them."""
        if self.parts is None:
            return None
        return [(p.field, (p.filename, p.content, p.media)) for p in self.parts]

    async def send(self, api: AnthropicAPI, *, on_response: Callable[[httpx.Response], None] | None = None) -> Any:
        """This request through the one client (its key, retry policy and error table): the only place the
        value becomes the client's arguments."""
        return await api.request(
            self.method,
            self.path,
            key=self.key,
            params=self.query,
            headers=self.headers,
            json_body=self.body,
            files=self.client_files(),
            data=self.form,
            idempotent=self.idempotent,
            on_response=on_response,
        )

    def digest(self) -> str:
        """A fingerprint of everything sent (file bytes included): equal digests, equal requests."""
        h = hashlib.sha256()
        head = [self.method, self.path, self.key.value, self.body, self.form, self.query, self.headers]
        h.update(json.dumps(head, sort_keys=True, default=str).encode())
        for p in self.parts or ():
            h.update(json.dumps([p.field, p.filename, p.media, len(p.content)]).encode())
            h.update(p.content)
        return h.hexdigest()


class Captured(Exception):
    def __init__(self, prepared: Prepared) -> None:
        super().__init__("captured")
        self.prepared = prepared


class NotPreparable(Exception):
    """The body wanted the API before write(): it cannot be prepared ahead, so it is planned as before."""


_capturing: contextvars.ContextVar[bool] = contextvars.ContextVar("capturing", default=False)
_confirmed: contextvars.ContextVar[Prepared | None] = contextvars.ContextVar("confirmed", default=None)


@contextmanager
def capturing() -> Iterator[None]:
    token = _capturing.set(True)
    try:
        yield
    finally:
        _capturing.reset(token)


def is_capturing() -> bool:
    return _capturing.get()


@contextmanager
def sending(prepared: Prepared | None) -> Iterator[None]:
    """Within this block, ``confirmed()`` is the value the person confirmed (None: nobody was asked)."""
    token = _confirmed.set(prepared)
    try:
        yield
    finally:
        _confirmed.reset(token)


def confirmed() -> Prepared | None:
    return _confirmed.get()
