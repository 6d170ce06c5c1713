"""Award request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from plaudit.domain.origins import AwardOrigin
from plaudit.kit.schemas import (
    MAX_ID,
    Id,
    InputSchema,
    Instant,
    OutputSchema,
    StrictId,
    TextInt,
    Timestamp,
)

Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class AwardGive(InputSchema):
    achievement_id: StrictId
    at: Instant | None = Field(
        default=None, description="A time inside the period to give it for; default now."
    )
    reason: Reason | None = None


class AwardRevoke(InputSchema):
    reason: Reason | None = None


class AwardRead(OutputSchema):
    id: int
    achievement_id: int
    achievement_version: int
    member_id: int
    points: int
    awarded_at: Timestamp
    period: str
    period_start: Timestamp | None
    period_end: Timestamp | None
    completion: int | None
    source: AwardOrigin
    notification_id: int | None
    given_by: str | None
    active: bool
    revoked: bool
    revoked_at: Timestamp | None
    revoked_by: str | None
    revoke_reason: str | None
    public_url: str | None = Field(
        default=None, description="The public page of the award while it is published."
    )
    openbadges_v2_url: str | None = Field(
        default=None, description="Its Open Badges 2.0 hosted assertion while published."
    )
    openbadges_v3_url: str | None = Field(
        default=None, description="Its Open Badges 3.0 credential while published."
    )


class AwardFilters(InputSchema):
    member_id: Id | None = None
    team_id: Id | None = None
    achievement_id: Id | None = None
    active: bool | None = None
    source: AwardOrigin | None = None
    awarded_after: Instant | None = None
    awarded_before: Instant | None = None


class AwardListQuery(AwardFilters):
    """The filters plus paging: one query model, since its extra="forbid" would otherwise refuse
    `limit` and `offset` given as separate query parameters."""

    limit: TextInt = Field(default=1000, ge=1, le=10_000)
    offset: TextInt = Field(default=0, ge=0, le=MAX_ID)


def award_is_active(
    revoked: bool, start: datetime | None, end: datetime | None, now: datetime
) -> bool:
    """Active: not revoked, and `now` inside its period (an award for period `none` lasts)."""
    if revoked:
        return False
    return (start is None or start <= now) and (end is None or now < end)
