"""The generic simulator applies the time filters the SDK sends as ``created_at[gte]`` (and gt, lt, lte) to
the listed items, so a model's date filter on the sandbox narrows the list as it would on the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Connect
from tests.helpers import call_error, call_ok

pytestmark = pytest.mark.anyio


async def _ids(client: Any, **arguments: Any) -> list[str]:
    page = await call_ok(client, "read_api", {"operation": "beta.agents.list", "arguments": arguments})
    return [item["id"] for item in page["data"]]


async def test_created_at_bounds_narrow_the_list(connect: Connect) -> None:
    async with connect() as client:
        page = await call_ok(client, "read_api", {"operation": "beta.agents.list", "arguments": {"limit": 100}})
        times = sorted(item["created_at"] for item in page["data"])
        assert len(times) >= 2, "the sandbox seeds agents created at different times"
        assert len(set(times)) == len(times)
        middle = len(times) // 2
        after = await _ids(client, limit=100, **{"created_at[gte]": times[middle]})
        before = await _ids(client, limit=100, created_at={"lte": times[middle - 1]})  # the grouped form
        assert after and before and not set(after) & set(before)
        assert len(after) + len(before) == len(times)
        assert await _ids(client, limit=100, created_at_gte="2100-01-01T00:00:00Z") == []
        text = await call_error(
            client, "read_api", {"operation": "beta.agents.list", "arguments": {"created_at[gte]": "soon"}}
        )
        assert "created_at[gte]" in text and "datetime" in text
