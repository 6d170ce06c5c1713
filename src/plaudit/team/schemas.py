"""Team request and response shapes."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from plaudit.kit.schemas import InputSchema, Name, OptionalText, OutputSchema, Timestamp


class TeamCreate(InputSchema):
    name: Name
    external_id: OptionalText | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class TeamUpdate(InputSchema):
    name: Name | None = None
    external_id: OptionalText | None = None
    attributes: dict[str, Any] | None = None


class TeamRead(OutputSchema):
    id: int
    name: str
    external_id: str | None
    attributes: dict[str, Any]
    created_at: Timestamp
