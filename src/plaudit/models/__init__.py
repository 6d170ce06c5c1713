"""ORM models, one module per aggregate. Importing this package registers every table."""

from plaudit.models.achievement import Achievement, AchievementBadge, AchievementVersion
from plaudit.models.audit import AuditEvent
from plaudit.models.award import Award
from plaudit.models.group import Group
from plaudit.models.identity import ApiToken, User
from plaudit.models.member import Member
from plaudit.models.progress import (
    AchievementSource,
    EngineGeneration,
    RuleProgress,
    RuleProgressValue,
)
from plaudit.models.record import IdempotentResponse, Record
from plaudit.models.source import Source
from plaudit.models.team import Team

__all__ = [
    "Achievement",
    "AchievementBadge",
    "AchievementSource",
    "AchievementVersion",
    "ApiToken",
    "AuditEvent",
    "Award",
    "EngineGeneration",
    "Group",
    "IdempotentResponse",
    "Member",
    "Record",
    "RuleProgress",
    "RuleProgressValue",
    "Source",
    "Team",
    "User",
]
