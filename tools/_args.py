"""Argument types shared across toolsets; each description is paid for in every conversation, so: short."""

from __future__ import annotations

import re
from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator, Field

Limit = Annotated[int, Field(ge=1, le=1000, description="Page size.")]
AfterId = Annotated[str | None, Field(description="Cursor: a last_id.")]
BeforeId = Annotated[str | None, Field(description="Cursor: a first_id.")]
AllPages = Annotated[bool, Field(description="Follow every page, up to a cap.")]
PageToken = Annotated[str | None, Field(description="A next_page token.")]
DryRun = Annotated[bool, Field(description="Only show what would be sent, and the target's state.")]


# An id is interpolated into a URL path: "." or ".." would be normalized away (get_model("..") sent
# GET /v1), and "/", "%2F", "%2E", "?" or "#" would change which endpoint is called. Ids are single
# segments of these characters and never all dots.
ID_CHARS = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")


def path_id_problem(value: str) -> str | None:
    """Why ``value`` cannot be a path segment id, or None when it can."""
    if not ID_CHARS.fullmatch(value):
        return "an id is 1-128 letters, digits and . _ : @ - (no slash, percent-encoding, space or ? #)"
    if set(value) == {"."}:
        return "an id cannot be '.' or '..'"
    return None


def _segment(value: str) -> str:
    if problem := path_id_problem(value):
        raise ValueError(problem)
    return value


def check_path_id(value: str, name: str) -> str:
    """For ids that arrive outside a typed argument (e.g. generic calls): a ToolError before anything is sent."""
    if problem := path_id_problem(value):
        raise ToolError(f"{name}: {problem}; got {value[:80]!r}. Nothing was sent.")
    return value


SegmentCheck = AfterValidator(_segment)


def id_arg(prefix: str, what: str) -> object:
    """A required id argument that must carry the API's prefix, checked before any call."""
    return Field(
        max_length=128,  # the pattern already requires a character after the prefix
        pattern=rf"^{prefix}[A-Za-z0-9_-]+$",
        description=f"{what} id.",
    )


UserId = Annotated[str, id_arg("user_", "User"), SegmentCheck]
WorkspaceId = Annotated[str, id_arg("wrkspc_", "Workspace"), SegmentCheck]
ApiKeyId = Annotated[str, id_arg("apikey_", "API key"), SegmentCheck]
ModelId = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$", description="Model id or alias."),
    SegmentCheck,
]
