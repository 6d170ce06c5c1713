"""Group request and response shapes, including ad hoc conditions."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from plaudit.domain.audience import ConditionOp
from plaudit.kit.schemas import InputSchema, Name, OutputSchema, StrictId, Timestamp
from plaudit.limits import (
    MAX_FILTER_TEXT,
    MAX_GROUP_CONDITIONS,
    MAX_GROUP_MEMBERS,
    MAX_GROUP_TEAMS,
    MAX_LIST_VALUES,
)

ConditionAttribute = Annotated[
    str,
    StringConstraints(
        max_length=200,
        pattern=r"^(team\.name|member\.role|team\.attributes\.[A-Za-z0-9_.-]+)$",
    ),
]


class Condition(InputSchema):
    """One ad hoc condition; the conditions of a group are AND-ed."""

    attribute: ConditionAttribute = Field(
        description="team.name, member.role or team.attributes.<name>"
    )
    op: ConditionOp = ConditionOp.eq
    value: Any = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> Condition:
        if self.op in (ConditionOp.in_, ConditionOp.not_in):
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(f"op '{self.op}' needs a non-empty list as value")
            if len(self.value) > MAX_LIST_VALUES:
                raise ValueError(
                    f"op '{self.op}' takes at most {MAX_LIST_VALUES} values (MAX_LIST_VALUES), "
                    f"got {len(self.value)}"
                )
        elif self.op == ConditionOp.exists:
            if self.value is None:
                self.value = True
            if not isinstance(self.value, bool):
                raise ValueError("op 'exists' takes true or false as value")
        elif self.value is None or isinstance(self.value, list | dict):
            raise ValueError(f"op '{self.op}' needs a single value")
        texts = self.value if isinstance(self.value, list) else [self.value]
        if any(isinstance(t, str) and len(t) > MAX_FILTER_TEXT for t in texts):
            raise ValueError(
                f"a text value is longer than {MAX_FILTER_TEXT} characters (MAX_FILTER_TEXT)"
            )
        return self


TeamIds = Annotated[list[StrictId], Field(max_length=MAX_GROUP_TEAMS)]
MemberIds = Annotated[list[StrictId], Field(max_length=MAX_GROUP_MEMBERS)]
Conditions = Annotated[list[Condition], Field(max_length=MAX_GROUP_CONDITIONS)]


class GroupCreate(InputSchema):
    name: Name
    team_ids: TeamIds = Field(default_factory=list)
    member_ids: MemberIds = Field(default_factory=list)
    conditions: Conditions = Field(default_factory=list)


class GroupUpdate(InputSchema):
    name: Name | None = None
    team_ids: TeamIds | None = None
    member_ids: MemberIds | None = None
    conditions: Conditions | None = None


class GroupPreview(InputSchema):
    team_ids: TeamIds = Field(default_factory=list)
    member_ids: MemberIds = Field(default_factory=list)
    conditions: Conditions = Field(default_factory=list)


class GroupRead(OutputSchema):
    id: int
    name: str
    team_ids: list[int]
    member_ids: list[int]
    conditions: list[dict[str, Any]]
    created_at: Timestamp


class GroupMembers(OutputSchema):
    count: int
    member_ids: list[int]
