"""Turn achievement rows into the API's shape."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from plaudit.achievement.schemas import AchievementRead, effective_read
from plaudit.achievement.service import has_badge
from plaudit.domain.categories import Category
from plaudit.models import Achievement
from plaudit.periods import Period


def present(achievement: Achievement, *, with_badge: bool) -> AchievementRead:
    return AchievementRead(
        id=achievement.id,
        key=achievement.key,
        name=achievement.name,
        description=achievement.description,
        category=Category(achievement.category),
        points=achievement.points,
        icon=achievement.icon,
        background_color=achievement.background_color,
        text_color=achievement.text_color,
        show_next_to_name=achievement.show_next_to_name,
        period=Period(achievement.period),
        effective=effective_read(achievement.effective_from, achievement.effective_until),
        audience=list(achievement.audience or []),
        repeatable=achievement.repeatable,
        requirements=achievement.requirements,
        active=achievement.active,
        version=achievement.version,
        badge_url=f"/api/v1/achievements/{achievement.id}/badge" if with_badge else None,
        created_at=achievement.created_at,
        updated_at=achievement.updated_at,
    )


def present_one(session: Session, achievement: Achievement) -> AchievementRead:
    return present(achievement, with_badge=bool(has_badge(session, [achievement.id])))


def present_many(session: Session, achievements: Sequence[Achievement]) -> list[AchievementRead]:
    badges = has_badge(session, [a.id for a in achievements])
    return [present(a, with_badge=a.id in badges) for a in achievements]
