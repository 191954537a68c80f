"""Argument types shared across toolsets; each description is paid for in every conversation, so: short."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

Limit = Annotated[int, Field(ge=1, le=1000, description="Items per page (1-1000).")]
AfterId = Annotated[str | None, Field(description="Cursor: items after this id (a last_id).")]
BeforeId = Annotated[str | None, Field(description="Cursor: items before this id (a first_id).")]
AllPages = Annotated[bool, Field(description="Follow every page up to the server's cap; has_more says if capped.")]
PageToken = Annotated[str | None, Field(description="Page token from next_page.")]
DryRun = Annotated[
    bool, Field(description="Return the request that would be sent and the target's state; send nothing.")
]


def id_arg(prefix: str, what: str) -> object:
    """A required id argument that must carry the API's prefix, checked before any call."""
    return Field(
        min_length=len(prefix) + 1,
        max_length=128,
        pattern=rf"^{prefix}[A-Za-z0-9_-]+$",
        description=f"{what} id ({prefix}…).",
    )


UserId = Annotated[str, id_arg("user_", "User")]
WorkspaceId = Annotated[str, id_arg("wrkspc_", "Workspace")]
ApiKeyId = Annotated[str, id_arg("apikey_", "API key")]
