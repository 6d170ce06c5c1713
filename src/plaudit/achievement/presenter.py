"""Turn achievement rows into the API's shape."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from plaudit.achievement.schemas import AchievementRead, effective_read
from plaudit.achievement.service import has_background, has_badge
from plaudit.domain.categories import Category
from plaudit.models import Achievement
from plaudit.periods import Period


def present(
    achievement: Achievement, *, with_badge: bool, with_background: bool
) -> AchievementRead:
    url = f"/api/v1/achievements/{achievement.id}"
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
        secret=achievement.secret,
        prerequisites=list(achievement.prerequisites or []),
        tier_group=achievement.tier_group,
        period=Period(achievement.period),
        effective=effective_read(achievement.effective_from, achievement.effective_until),
        audience=list(achievement.audience or []),
        repeatable=achievement.repeatable,
        requirements=achievement.requirements,
        publish_automatically=achievement.publish_automatically,
        active=achievement.active,
        version=achievement.version,
        badge_url=f"{url}/badge" if with_badge else None,
        background_image_url=f"{url}/background" if with_background else None,
        created_at=achievement.created_at,
        updated_at=achievement.updated_at,
    )


def present_one(session: Session, achievement: Achievement) -> AchievementRead:
    return present_many(session, [achievement])[0]


def present_many(session: Session, achievements: Sequence[Achievement]) -> list[AchievementRead]:
    ids = [a.id for a in achievements]
    badges, backgrounds = has_badge(session, ids), has_background(session, ids)
    return [
        present(a, with_badge=a.id in badges, with_background=a.id in backgrounds)
        for a in achievements
    ]
