"""Workspace names for the rows of a cost report grouped by workspace_id: one bounded look-up per call.

The cost report carries workspace ids only; a person reads names. The ids in the report are looked up in
one list call (``ids`` filter, archived ones included, at most ``MAX_LOOKUP``); a row whose workspace is not
found keeps its id alone, and a failed look-up leaves every row as it was, with a note saying why.
"""

from __future__ import annotations

from collections.abc import Iterable

from mcp.server.mcpserver.exceptions import ToolError

from claude_api_mcp.core.errors import ApiError
from claude_api_mcp.core.tooldef import Ctx
from claude_api_mcp.tools._reports_models import CostRow
from claude_api_mcp.tools.workspaces import list_workspaces

MAX_LOOKUP = 100  # the list endpoint's ids filter takes at most 100
DEFAULT_WORKSPACE = "Default"  # a null workspace_id in a cost report is the Default workspace


async def workspace_names(ctx: Ctx, ids: Iterable[str | None]) -> tuple[dict[str | None, str], str | None, int]:
    """Names by id (None: the Default workspace), a note when some could not be looked up, and the number
    of API requests the look-up made (reports count every request they make)."""
    wanted = sorted({i for i in ids if i})
    names: dict[str | None, str] = {None: DEFAULT_WORKSPACE}
    if not wanted:
        return names, None, 0
    try:
        page = await list_workspaces.fn(ctx, ids=wanted[:MAX_LOOKUP], include_archived=True, all_pages=True)
    except (ApiError, ToolError) as err:
        return names, f"Workspace names could not be looked up ({str(err)[:200]}); rows show ids only.", 1
    names.update({w.id: w.name for w in page.data if w.id and w.name})
    if len(wanted) > MAX_LOOKUP:
        return names, f"Names were looked up for the first {MAX_LOOKUP} of {len(wanted)} workspaces.", 1
    return names, None, 1


def with_names(rows: Iterable[CostRow], names: dict[str | None, str]) -> None:
    """Put ``workspace_name`` right after each row's ``workspace_id`` (rows keep their group fields first)."""
    for row in rows:
        extra = row.__pydantic_extra__
        if extra is None or "workspace_id" not in extra or extra["workspace_id"] not in names:
            continue
        items = list(extra.items())
        at = [k for k, _ in items].index("workspace_id") + 1
        items.insert(at, ("workspace_name", names[extra["workspace_id"]]))
        extra.clear()
        extra.update(items)
