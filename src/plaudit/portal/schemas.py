"""Portal response shapes."""

from __future__ import annotations

from plaudit.achievement.schemas import AchievementRead
from plaudit.award.schemas import AwardRead
from plaudit.kit.schemas import OutputSchema, Timestamp
from plaudit.level.schemas import MemberLevel


class RuleProgressRead(OutputSchema):
    group: int
    rule: int
    source: str
    aggregate: str
    operator: str
    current: float | None
    target: float
    met: bool


class PortalAchievement(OutputSchema):
    achievement: AchievementRead
    complete: bool
    completions: int
    progress: list[RuleProgressRead]
    awards: list[AwardRead]
    decided_at: Timestamp | None = None
    """When the current period's rules with an upper bound are decided (the period's end):
    until then they are not complete, whatever the progress says; null for achievements
    without such a rule."""


class PortalView(OutputSchema):
    member_id: int
    points: int
    achievements: list[PortalAchievement]
    level: MemberLevel | None = None
    """The member's level and the points to the next one (null when no level is defined)."""
