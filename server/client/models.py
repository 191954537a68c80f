"""Result models shared by every toolset: lenient API objects and the two list shapes."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class ApiObject(BaseModel):
    """An object as the API sends it: known fields typed, unknown fields kept (the API adds fields over time)."""

    model_config = ConfigDict(extra="allow")


T = TypeVar("T", bound=BaseModel)


class CursorPage(BaseModel, Generic[T]):
    data: list[T]
    has_more: bool = Field(description="More items exist: this list is incomplete.")
    first_id: str | None = None
    last_id: str | None = Field(None, description="Resume with after_id.")
    note: str | None = Field(None, description="Why it stopped early.")


class TokenPage(BaseModel, Generic[T]):
    data: list[T]
    has_more: bool = Field(description="More items exist: this list is incomplete.")
    next_page: str | None = Field(None, description="Resume with page.")
    note: str | None = Field(None, description="Why it stopped early.")


class Deleted(ApiObject):
    """The API's deletion object."""

    id: str | None = None
    type: str
