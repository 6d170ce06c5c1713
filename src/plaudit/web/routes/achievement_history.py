"""What the achievement page shows below its form: the latest holders and the versions, each
version with what it changed and the awards it gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plaudit.achievement.versions import VersionSummary, version_history
from plaudit.award.holders import Holder, HolderFilters, count_holders, list_holders
from plaudit.domain.origins import ORIGIN_LABELS

RECENT = 10
SOURCE_LABELS = ORIGIN_LABELS


@dataclass(frozen=True)
class History:
    holders: list[Holder]
    total: int
    versions: list[VersionSummary]
    now: datetime
    zone: ZoneInfo
    source_labels: dict[str, str]


def history_of(session: Session, achievement_id: int, now: datetime, zone: ZoneInfo) -> History:
    everyone = HolderFilters()
    recent = list_holders(session, achievement_id, everyone, limit=RECENT, offset=0)
    return History(
        holders=recent,
        total=count_holders(session, achievement_id, everyone) if recent else 0,
        versions=version_history(session, achievement_id),
        now=now,
        zone=zone,
        source_labels=SOURCE_LABELS,
    )
