"""Group request and response shapes, including ad hoc conditions."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictInt, StringConstraints, model_validator

from plaudit.domain.audience import ConditionOp
from plaudit.kit.schemas import InputSchema, Name, OutputSchema, Timestamp

ConditionAttribute = Annotated[
    str, StringConstraints(pattern=r"^(team\.name|member\.role|team\.attributes\.[A-Za-z0-9_.-]+)$")
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
        elif self.op == ConditionOp.exists:
            if self.value is None:
                self.value = True
            if not isinstance(self.value, bool):
                raise ValueError("op 'exists' takes true or false as value")
        elif self.value is None or isinstance(self.value, list | dict):
            raise ValueError(f"op '{self.op}' needs a single value")
        return self


class GroupCreate(InputSchema):
    name: Name
    team_ids: list[StrictInt] = Field(default_factory=list)
    member_ids: list[StrictInt] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)


class GroupUpdate(InputSchema):
    name: Name | None = None
    team_ids: list[StrictInt] | None = None
    member_ids: list[StrictInt] | None = None
    conditions: list[Condition] | None = None


class GroupPreview(InputSchema):
    team_ids: list[StrictInt] = Field(default_factory=list)
    member_ids: list[StrictInt] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)


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
