"""Achievement categories and the slot an award of each occupies.

The slot is the value the unique index `uq_awards_holder_slot` keeps to one per
(achievement, period): one holder per member for a membership, one holder at all for a record.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    award = "award"
    membership = "membership"
    record = "record"


def holder_slot(category: Category, member_id: int) -> str | None:
    if category == Category.membership:
        return f"member:{member_id}"
    if category == Category.record:
        return "record"
    return None
