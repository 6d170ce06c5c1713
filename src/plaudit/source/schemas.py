"""Source request and response shapes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator

from plaudit.domain.labels import field_label
from plaudit.kit.schemas import InputSchema, Key, Name, OutputSchema, Timestamp
from plaudit.rules.model import FieldType, Filter, Filters

FieldName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
]


FieldLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class SourceField(InputSchema):
    name: FieldName
    type: FieldType
    label: FieldLabel | None = Field(
        default=None,
        description='What people read for the field ("Campaign"); without it one is made '
        'from the name: `campaign_id` -> "Campaign ID".',
    )

    def stored(self) -> dict[str, Any]:
        """As kept in the source's JSON: the label only when one was given."""
        return self.model_dump(mode="json", exclude_none=True)


DefaultWhere = Filters
"""Filters a new rule over the source starts with in the rule builder: a starting point that
the admin can change, never applied to a rule silently (API rules say what they filter)."""


class SourceCreate(InputSchema):
    key: Key
    name: Name
    fields: list[SourceField] = Field(default_factory=list, max_length=200)
    default_where: DefaultWhere = Field(default_factory=list)

    @field_validator("fields")
    @classmethod
    def _unique_names(cls, fields: list[SourceField]) -> list[SourceField]:
        seen: set[str] = set()
        for f in fields:
            if f.name in seen:
                raise ValueError(f"field {f.name!r} is declared twice")
            seen.add(f.name)
        return fields


class SourceFieldsAdd(InputSchema):
    """Fields can be added to a source; changing or removing one would break existing rules."""

    fields: list[SourceField] = Field(min_length=1, max_length=200)


class SourceUpdate(InputSchema):
    """What can change on a source besides adding fields: its name and default filters."""

    name: Name | None = None
    default_where: DefaultWhere | None = None


class SourceFieldRead(OutputSchema):
    name: str
    type: FieldType
    label: str = Field(description="The field's own label, or the one made from its name.")


class SourceRead(OutputSchema):
    id: int
    key: str
    name: str
    fields: list[SourceFieldRead]
    default_where: list[Filter]
    created_at: Timestamp

    @field_validator("fields", mode="before")
    @classmethod
    def _labelled(cls, fields: Any) -> Any:
        """Stored fields carry a label only when one was given: add the derived one."""
        if not isinstance(fields, list):
            return fields
        return [
            {**f, "label": field_label(f)} if isinstance(f, dict) and "name" in f else f
            for f in fields
        ]


class FieldValueCount(OutputSchema):
    value: Any
    count: int


class FieldValuesRead(OutputSchema):
    """Distinct values of a field in the newest records of a source, most frequent first."""

    field: str
    values: list[FieldValueCount]
    sampled: int = Field(description="how many of the newest records were read")
