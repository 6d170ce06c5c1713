"""Token and user request and response shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, StrictBool, StringConstraints, model_validator

from plaudit.kit.json_shapes import only_with
from plaudit.kit.roles import Role
from plaudit.kit.schemas import InputSchema, Name, OutputSchema, StrictId, Timestamp

Username = Annotated[
    str, StringConstraints(min_length=1, max_length=150, pattern=r"^[A-Za-z0-9_.@-]+$")
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=1000)]


def member_binding_problem(role: Role, member_id: int | None) -> str | None:
    """What is wrong with a credential's member for its role, or None: role `member` acts as
    one member, the other roles as none."""
    if role == Role.member and member_id is None:
        return "role 'member' needs member_id: the member this credential acts as"
    if role != Role.member and member_id is not None:
        return "member_id is only for role 'member'"
    return None


class _BoundToMember(InputSchema):
    model_config = ConfigDict(
        json_schema_extra=only_with("member_id", name="role", value=Role.member.value)
    )

    role: Role
    member_id: StrictId | None = None

    @model_validator(mode="after")
    def _member_only_for_member_role(self) -> _BoundToMember:
        if problem := member_binding_problem(self.role, self.member_id):
            raise ValueError(problem)
        return self


class TokenCreate(_BoundToMember):
    name: Name


class TokenCreated(OutputSchema):
    id: int
    name: str
    role: Role
    member_id: int | None
    token: str


class TokenRead(OutputSchema):
    id: int
    name: str
    role: Role
    member_id: int | None
    created_at: Timestamp
    revoked_at: Timestamp | None


class UserCreate(_BoundToMember):
    username: Username
    password: Password


class UserUpdate(InputSchema):
    """What an admin may change of a user; each field left out stays as it is. A new password
    ends the user's other sessions; `active: false` ends them all and refuses sign-in."""

    role: Role | None = None
    member_id: StrictId | None = None
    password: Password | None = None
    active: StrictBool | None = None


class UserRead(OutputSchema):
    id: int
    username: str
    role: Role
    member_id: int | None
    active: bool
    created_at: Timestamp
