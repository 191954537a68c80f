"""Argument types shared across toolsets; each description is paid for in every conversation, so: short."""

from __future__ import annotations

import re
from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator, Field


def _page_size(schema: dict[str, object]) -> None:
    """A page of at least 1 goes without saying (pydantic still refuses 0), and the default page (20) is the
    API's; a model sees has_more either way."""
    schema.pop("minimum", None)
    schema.pop("default", None)


Limit = Annotated[int, Field(ge=1, le=1000, description="Items per page.", json_schema_extra=_page_size)]
AfterId = Annotated[str | None, Field(description="Next page: last_id.")]
BeforeId = Annotated[str | None, Field(description="Previous page: first_id.")]
AllPages = Annotated[bool, Field(description="Fetch all pages (capped).")]
PageToken = Annotated[str | None, Field(description="Next page: next_page.")]
DryRun = bool  # a name every model knows; what a dry run answers is in the result (its dry_run field)


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


def id_arg(prefix: str) -> object:
    """An id argument that must carry the API's prefix, checked before any call. No description: the
    argument's name and the pattern's prefix say what it is, and every word is paid for."""
    return Field(
        max_length=128,  # the pattern already requires a character after the prefix
        pattern=rf"^{prefix}[A-Za-z0-9_-]+$",
    )


UserId = Annotated[str, id_arg("user_"), SegmentCheck]
WorkspaceId = Annotated[str, id_arg("wrkspc_"), SegmentCheck]
ApiKeyId = Annotated[str, id_arg("apikey_"), SegmentCheck]
ModelId = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$", description="Model id or alias."),
    SegmentCheck,
]
