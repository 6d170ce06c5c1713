"""Monitoring shapes: the team summary, and the references to members, teams and achievements
that the completion report shares."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from plaudit.award.schemas import AwardRead
from plaudit.domain.origins import AwardOrigin
from plaudit.kit.schemas import InputSchema, Instant, OutputSchema, TextInt, Timestamp
from plaudit.team.schemas import TeamRead


class MemberRef(OutputSchema):
    id: int
    name: str
    email: str | None
    external_id: str | None


class TeamRef(OutputSchema):
    id: int
    name: str
    external_id: str | None


class AchievementRef(OutputSchema):
    id: int
    key: str
    name: str
    icon: str | None
    category: str
    points: int
    badge_url: str | None
    deleted: bool = Field(description="Deleted since: its awards stay in history.")


class ActivityKind(StrEnum):
    all = "all"
    awards = "awards"
    records = "records"


class SummaryQuery(InputSchema):
    kind: ActivityKind = Field(
        default=ActivityKind.all, description="awards: achievements only; records; or all."
    )
    limit: TextInt = Field(default=50, ge=1, le=500, description="Most activity items returned.")
    since: Instant | None = Field(
        default=None, description="Start of the activity window; default 30 days before now."
    )


class ActivityAward(OutputSchema):
    id: int
    achievement: AchievementRef
    points: int
    period: str
    source: AwardOrigin
    revoked: bool


class ActivityRecord(OutputSchema):
    id: int
    source: str
    source_name: str
    external_id: str | None
    data: dict[str, Any]


class ActivityItem(OutputSchema):
    type: Literal["award", "record"]
    at: Timestamp = Field(description="When it happened: awarded_at, or the record's occurred_at.")
    member: MemberRef
    summary: str = Field(description="What happened, in words.")
    award: ActivityAward | None = None
    record: ActivityRecord | None = None


class RecentAchievement(OutputSchema):
    award: AwardRead
    achievement: AchievementRef
    member: MemberRef


class TeamAchievement(OutputSchema):
    achievement: AchievementRef
    members: int = Field(description="Distinct members of the team holding a non-revoked award.")
    awards: int = Field(description="Non-revoked awards of the team's members.")
    points: int
    last_awarded_at: Timestamp


class TeamSummary(OutputSchema):
    team: TeamRead
    since: Timestamp
    recent_activity: list[ActivityItem]
    recent_achievements: list[RecentAchievement]
    achievements: list[TeamAchievement]
