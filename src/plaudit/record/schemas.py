"""Record request and response shapes."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any

from pydantic import (
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    ValidationError,
    model_validator,
)

from plaudit.award.schemas import AwardRead
from plaudit.kit.schemas import InputSchema, Instant, OutputSchema, StrictId

ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ONE_REFERENCE = "give exactly one of member_id and member_external_id"
_NONE: dict[str, JsonValue] = {"type": "null"}


class RecordParts(InputSchema):
    """Whom a record is for and its data: what the database checks of a record. On its own,
    the parts of a record that failed validation which were valid themselves (validated as in
    RecordIn, so text is stripped the same way): checked too, so that one answer names every
    problem of a batch."""

    member_id: StrictId | None = None
    member_external_id: ExternalId | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class RecordIn(RecordParts):
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "properties": {"member_id": {"type": "integer"}, "member_external_id": _NONE},
                    "required": ["member_id"],
                },
                {
                    "properties": {"member_id": _NONE, "member_external_id": {"type": "string"}},
                    "required": ["member_external_id"],
                },
            ]
        }
    )

    external_id: ExternalId | None = None
    occurred_at: Instant

    @model_validator(mode="after")
    def _one_member_reference(self) -> RecordIn:
        if (self.member_id is None) == (self.member_external_id is None):
            raise ValueError(ONE_REFERENCE)
        return self


def valid_parts(
    raw: Any, failed: Collection[tuple[Any, ...]]
) -> tuple[RecordParts | None, str | None]:
    """Of `raw`, a record that failed validation at the locations `failed`: the member
    reference (when exactly one was given, validly) and the data (when valid), or None when
    neither; and the record's own problem that validation could not reach (the model's
    checks run only once every field is valid), or None."""
    if not isinstance(raw, dict):
        return None, None
    bad = {loc[0] for loc in failed if loc}
    try:
        names = [name for name in RecordParts.model_fields if name in raw and name not in bad]
        parts = RecordParts.model_validate({name: raw[name] for name in names})
    except ValidationError:  # the same fields passed in RecordIn: not expected
        return None, None
    one_reference = (parts.member_id is None) != (parts.member_external_id is None)
    reference_failed = () in failed or bool({"member_id", "member_external_id"} & bad)
    problem = ONE_REFERENCE if not one_reference and not reference_failed else None
    if reference_failed or not one_reference:
        parts = parts.model_copy(update={"member_id": None, "member_external_id": None})
    if parts.member_id is None and parts.member_external_id is None and not parts.data:
        return None, problem
    return parts, problem


class IngestResult(OutputSchema):
    created: int
    updated: int
    unchanged: int
    awards: list[AwardRead]


def records_body_schema() -> dict[str, Any]:
    """The body of `POST /sources/{key}/records` as the document states it (the route parses
    it itself, for speed): one record, or `{"records": [...]}`."""
    record = RecordIn.model_json_schema()
    batch = {
        "type": "object",
        "properties": {"records": {"type": "array", "minItems": 1, "items": record}},
        "required": ["records"],
        "additionalProperties": False,
    }
    return {"anyOf": [record, batch]}
