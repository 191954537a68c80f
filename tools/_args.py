"""Argument types shared across toolsets; each description is paid for in every conversation, so: short."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

Limit = Annotated[int, Field(ge=1, le=1000, description="Page size.")]
AfterId = Annotated[str | None, Field(description="A last_id.")]
BeforeId = Annotated[str | None, Field(description="A first_id.")]
AllPages = Annotated[bool, Field(description="Follow all pages (capped).")]
PageToken = Annotated[str | None, Field(description="A next_page token.")]
DryRun = Annotated[bool, Field(description="Preview; send nothing.")]


def id_arg(prefix: str, what: str) -> object:
    """A required id argument that must carry the API's prefix, checked before any call."""
    return Field(
        max_length=128,  # the pattern already requires a character after the prefix
        pattern=rf"^{prefix}[A-Za-z0-9_-]+$",
        description=f"{what} id.",
    )


UserId = Annotated[str, id_arg("user_", "User")]
WorkspaceId = Annotated[str, id_arg("wrkspc_", "Workspace")]
ApiKeyId = Annotated[str, id_arg("apikey_", "API key")]
