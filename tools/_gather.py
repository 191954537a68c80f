"""Run independent jobs concurrently, at most ``limit`` at a time, and return their results in order.

The first failure cancels the jobs still running and is raised as itself (not wrapped in an exception
group), so callers handle ``ApiError`` / ``ToolError`` exactly as they did when the jobs ran one by one.
Cancellation from outside (the client went away) cancels every job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio

T = TypeVar("T")


async def gather_bounded(jobs: Sequence[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    results: dict[int, T] = {}
    failure: list[Exception] = []
    limiter = anyio.CapacityLimiter(max(1, limit))

    async with anyio.create_task_group() as group:

        async def run(index: int, job: Callable[[], Awaitable[T]]) -> None:
            async with limiter:
                if failure:
                    return
                try:
                    results[index] = await job()
                except Exception as exc:
                    if not failure:
                        failure.append(exc)
                    group.cancel_scope.cancel()

        for index, job in enumerate(jobs):
            group.start_soon(run, index, job)
    if failure:
        raise failure[0]
    return [results[i] for i in range(len(jobs))]
