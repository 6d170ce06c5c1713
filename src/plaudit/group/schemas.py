"""Group request and response shapes, including ad hoc conditions."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from plaudit.domain.audience import ConditionOp
from plaudit.kit.json_shapes import value_by_op
from plaudit.kit.schemas import InputSchema, Name, OutputSchema, StrictId, Timestamp
from plaudit.limits import (
    MAX_FILTER_TEXT,
    MAX_GROUP_CONDITIONS,
    MAX_GROUP_MEMBERS,
    MAX_GROUP_TEAMS,
    MAX_LIST_VALUES,
)
from plaudit.rules.model import is_scalar

ConditionAttribute = Annotated[
    str,
    StringConstraints(
        max_length=200,
        pattern=r"^(team\.name|member\.role|team\.attributes\.[A-Za-z0-9_.-]+)$",
    ),
]


class Condition(InputSchema):
    """One ad hoc condition; the conditions of a group are AND-ed."""

    model_config = ConfigDict(
        json_schema_extra=value_by_op(
            list_ops=[ConditionOp.in_, ConditionOp.not_in],
            flag_ops=[ConditionOp.exists],
            scalar_ops=[ConditionOp.eq, ConditionOp.ne, ConditionOp.contains],
            max_list=MAX_LIST_VALUES,
            max_text=MAX_FILTER_TEXT,
            op_required=False,
        )
    )

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
        elif not is_scalar(self.value):
            raise ValueError(f"op '{self.op}' needs a single string, number or boolean value")
        if isinstance(self.value, list) and not all(is_scalar(v) for v in self.value):
            raise ValueError(f"op '{self.op}' takes a list of strings, numbers or booleans")
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
