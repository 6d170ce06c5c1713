"""ORM models, one module per aggregate. Importing this package registers every table."""

from plaudit.models.achievement import (
    Achievement,
    AchievementBackground,
    AchievementBadge,
    AchievementVersion,
)
from plaudit.models.audit import AuditEvent
from plaudit.models.award import Award
from plaudit.models.board import Board
from plaudit.models.calendar import Holiday, WorkingWeek
from plaudit.models.delivery import WebhookDelivery, WebhookDeliveryAttempt
from plaudit.models.group import Group
from plaudit.models.identity import ApiToken, User
from plaudit.models.intake import (
    IntakeConsumer,
    IntakeDeadLetter,
    IntakeOffset,
    IntakePartitionLease,
)
from plaudit.models.issuer_key import IssuedCredential, IssuerKey
from plaudit.models.level import Level, LevelReached
from plaudit.models.member import Member
from plaudit.models.notification import Notification, NotificationFiring
from plaudit.models.progress import (
    AchievementSource,
    AchievementTally,
    EngineGeneration,
    PeriodClosing,
    Tally,
    TallyProgress,
    TallyValue,
)
from plaudit.models.publication import AwardPublication, IssuerSettings
from plaudit.models.record import IdempotentResponse, Record
from plaudit.models.season import Season, SeasonStanding, SeasonWinner
from plaudit.models.sign_in import SignInFailure, WebSession
from plaudit.models.source import Source
from plaudit.models.streak import Streak
from plaudit.models.team import Team
from plaudit.models.tv_playlist import TvPlaylist, TvPlaylistItem

__all__ = [
    "Achievement",
    "AchievementBackground",
    "AchievementBadge",
    "AchievementSource",
    "AchievementTally",
    "AchievementVersion",
    "ApiToken",
    "AuditEvent",
    "Award",
    "AwardPublication",
    "Board",
    "EngineGeneration",
    "Group",
    "Holiday",
    "IdempotentResponse",
    "IntakeConsumer",
    "IntakeDeadLetter",
    "IntakeOffset",
    "IntakePartitionLease",
    "IssuedCredential",
    "IssuerKey",
    "IssuerSettings",
    "Level",
    "LevelReached",
    "Member",
    "Notification",
    "NotificationFiring",
    "PeriodClosing",
    "Record",
    "Season",
    "SeasonStanding",
    "SeasonWinner",
    "SignInFailure",
    "Source",
    "Streak",
    "Tally",
    "TallyProgress",
    "TallyValue",
    "Team",
    "TvPlaylist",
    "TvPlaylistItem",
    "User",
    "WebSession",
    "WebhookDelivery",
    "WebhookDeliveryAttempt",
    "WorkingWeek",
]
