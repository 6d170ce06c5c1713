"""Member request and response shapes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictBool, StringConstraints

from plaudit.kit.schemas import (
    SPACE_OR_CONTROL,
    InputSchema,
    Name,
    OptionalText,
    OutputSchema,
    StrictId,
    Timestamp,
)

_EMAIL_PART = f"[^@{SPACE_OR_CONTROL}]+"
Email = Annotated[
    str,
    StringConstraints(max_length=320, pattern=rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}$"),
]
RoleText = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class MemberCreate(InputSchema):
    name: Name
    email: Email | None = None
    external_id: OptionalText | None = None
    team_id: StrictId | None = None
    role: RoleText | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    active: StrictBool = True


class MemberUpdate(InputSchema):
    name: Name | None = None
    email: Email | None = None
    external_id: OptionalText | None = None
    team_id: StrictId | None = None
    role: RoleText | None = None
    attributes: dict[str, Any] | None = None
    active: StrictBool | None = None


class MemberRead(OutputSchema):
    id: int
    name: str
    email: str | None
    external_id: str | None
    team_id: int | None
    role: str | None
    attributes: dict[str, Any]
    active: bool
    created_at: Timestamp
