"""Bulk giving: the query and the report."""

from __future__ import annotations

from pydantic import Field

from plaudit.award.schemas import AwardRead, Reason
from plaudit.bulk.parsing import MemberKey
from plaudit.kit.schemas import InputSchema, Instant, OutputSchema


class BulkQuery(InputSchema):
    at: Instant | None = Field(
        default=None,
        description="A time inside the period to give for, for rows without their own `at`; "
        "default now.",
    )
    dry_run: bool = Field(default=False, description="Report what would happen; give nothing.")
    strict: bool = Field(
        default=False,
        description="Give nothing at all when any row is unmatched or refused (422 or 409).",
    )
    by: MemberKey | None = Field(
        default=None,
        description="The column naming members, when the header has several; by default "
        "member_id, then external_id, then email.",
    )
    reason: Reason | None = Field(default=None, description="Recorded in the audit log.")


class BulkGiven(OutputSchema):
    row: int
    value: str
    member_id: int
    period: str
    award: AwardRead | None = Field(description="null in a dry run.")


class BulkUnmatched(OutputSchema):
    row: int
    value: str
    reason: str


class BulkRefused(OutputSchema):
    row: int
    value: str
    member_id: int
    code: str
    detail: str


class BulkResult(OutputSchema):
    achievement_id: int
    identified_by: MemberKey
    dry_run: bool
    rows: int = Field(description="Data rows read (blank rows are not counted).")
    given: list[BulkGiven] = Field(description="Given, or in a dry run would be given.")
    unmatched: list[BulkUnmatched] = Field(description="Rows that name no member: skipped.")
    refused: list[BulkRefused] = Field(
        description="Rows the category, audience, window or a duplicate forbids: skipped."
    )
