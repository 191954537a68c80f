"""Instruments: what the layers below the web layer report, for the web layer's Prometheus (or anything else)
to count, handed down when the server is built so that nothing below imports it.

Without instruments (stdio, tests) every report is a no-op and no metrics library is imported.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx


class Instruments(Protocol):
    def middleware(self) -> list[Any]:
        """MCP server middleware around every request (e.g. per-tool counters and call logs)."""
        ...

    def observe_client(self, client: httpx.AsyncClient) -> None:
        """Hook the one upstream client (status codes, retries, request ids)."""
        ...

    def confirmation(self, outcome: str) -> None:
        """A confirmation question's outcome: asked, confirmed, declined or cancelled."""
        ...


class NoInstruments:
    def middleware(self) -> list[Any]:
        return []

    def observe_client(self, client: httpx.AsyncClient) -> None:
        return None

    def confirmation(self, outcome: str) -> None:
        return None


NONE: Instruments = NoInstruments()


class Combined:
    """Several instruments as one: each hears every report (Prometheus on HTTP, OpenTelemetry when configured)."""

    def __init__(self, *parts: Instruments) -> None:
        self.parts = parts

    def middleware(self) -> list[Any]:
        return [m for part in self.parts for m in part.middleware()]

    def observe_client(self, client: httpx.AsyncClient) -> None:
        for part in self.parts:
            part.observe_client(client)

    def confirmation(self, outcome: str) -> None:
        for part in self.parts:
            part.confirmation(outcome)
