"""The two images an achievement may carry, its badge and its tile background: one row per
achievement in each table, read and written the same way. No versioning or audit here
(the service does that); this module only stores and finds the rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.badge.image import BACKGROUND, BADGE, Badge, ImageKind
from plaudit.errors import NotFound, not_found
from plaudit.limits import chunks
from plaudit.models import AchievementBackground, AchievementBadge

Which = Literal["badge", "background"]
ImageRow = AchievementBadge | AchievementBackground

KINDS: dict[Which, ImageKind] = {"badge": BADGE, "background": BACKGROUND}
# What the audit log and the 404 call each image.
CHANGED: dict[Which, str] = {"badge": "badge", "background": "background_image"}
_MISSING: dict[Which, str] = {
    "badge": "badge of achievement",
    "background": "background of achievement",
}


def _model(which: Which) -> type[AchievementBadge] | type[AchievementBackground]:
    return AchievementBadge if which == "badge" else AchievementBackground


def _row(session: Session, achievement_id: int, which: Which) -> ImageRow | None:
    if which == "badge":
        return session.get(AchievementBadge, achievement_id)
    return session.get(AchievementBackground, achievement_id)


def missing(which: Which, achievement_id: int) -> NotFound:
    return not_found(_MISSING[which], achievement_id)


def store_image(
    session: Session, achievement_id: int, which: Which, image: Badge, now: datetime
) -> None:
    """Insert or replace the achievement's image of this kind."""
    row = _row(session, achievement_id, which)
    if row is None:
        row = _model(which)(achievement_id=achievement_id)
        session.add(row)
    row.media_type, row.width, row.height = image.media_type, image.width, image.height
    row.content, row.uploaded_at = image.content, now


def delete_image(session: Session, achievement_id: int, which: Which) -> bool:
    """Remove the image; False when there was none."""
    row = _row(session, achievement_id, which)
    if row is None:
        return False
    session.delete(row)
    return True


def get_image(session: Session, achievement_id: int, which: Which) -> ImageRow:
    row = _row(session, achievement_id, which)
    if row is None:
        raise missing(which, achievement_id)
    return row


def has_image(session: Session, which: Which, achievement_ids: Sequence[int]) -> set[int]:
    """Which of these achievements have an image of this kind."""
    if not achievement_ids:
        return set()
    column = _model(which).achievement_id
    return {
        found
        for some in chunks(achievement_ids)
        for found in session.scalars(select(column).where(column.in_(some)))
    }
