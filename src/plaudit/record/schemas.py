"""Record request and response shapes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from plaudit.award.schemas import AwardRead
from plaudit.kit.schemas import InputSchema, Instant, OutputSchema, StrictId

ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class RecordIn(InputSchema):
    external_id: ExternalId | None = None
    member_id: StrictId | None = None
    member_external_id: ExternalId | None = None
    occurred_at: Instant
    data: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_member_reference(self) -> RecordIn:
        if (self.member_id is None) == (self.member_external_id is None):
            raise ValueError("give exactly one of member_id and member_external_id")
        return self


class IngestResult(OutputSchema):
    created: int
    updated: int
    unchanged: int
    awards: list[AwardRead]
