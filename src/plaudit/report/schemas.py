"""Completion report shapes."""

from __future__ import annotations

from pydantic import Field

from plaudit.kit.schemas import Id, InputSchema, Instant, OutputSchema, Timestamp
from plaudit.monitoring.schemas import AchievementRef, TeamRef
from plaudit.periods import Period


class CompletionQuery(InputSchema):
    achievement_id: Id | None = None
    team_id: Id | None = None
    period: Period = Field(
        default=Period.none,
        description="Count only awards belonging to this period (the one containing `at`); "
        "`none` counts every award ever given.",
    )
    at: Instant | None = Field(
        default=None, description="An instant inside the period to report on; default now."
    )


class CompletionRow(OutputSchema):
    achievement: AchievementRef
    team: TeamRef | None = Field(description="null for members without a team.")
    eligible: int = Field(description="Active members of the team in the achievement's audience.")
    completed: int = Field(description="Distinct members of the team with a non-revoked award.")
    awards: int = Field(description="Non-revoked awards of the team's members.")


class CompletionReport(OutputSchema):
    period: Period
    period_start: Timestamp | None
    period_end: Timestamp | None
    rows: list[CompletionRow]
