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


class TierPlace(OutputSchema):
    """Where an achievement stands among the tiers of its group (ordered by points)."""

    group: str
    tier: int
    of: int
    card: bool
    """whether this item is the group's one card: the highest tier held, else the first"""
    next_achievement_id: int | None
    """the tier after this one (null for the last)"""


class PortalAchievement(OutputSchema):
    achievement: AchievementRead
    complete: bool
    completions: int
    progress: list[RuleProgressRead]
    awards: list[AwardRead]
    tier: TierPlace | None = None
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
