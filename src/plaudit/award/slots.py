"""Which category slot an award occupies: the value the unique index `uq_awards_holder_slot`
keeps to one per (achievement, period)."""

from __future__ import annotations

from plaudit.achievement.schemas import Category


def holder_slot(category: Category, member_id: int) -> str | None:
    if category == Category.membership:
        return f"member:{member_id}"
    if category == Category.record:
        return "record"
    return None
