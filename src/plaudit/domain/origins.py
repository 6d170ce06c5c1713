"""Where an award came from.

`streak` and `season` awards go through the ordinary give (audience, window and category
limits, points, levels, rarity and exports count them as any other award); only `rule`
awards carry the engine's completion bookkeeping.
"""

from __future__ import annotations

from enum import StrEnum


class AwardOrigin(StrEnum):
    manual = "manual"
    rule = "rule"
    notification = "notification"
    streak = "streak"
    season = "season"


#: How pages name each origin (award history, holders, revoke, exports, portal).
ORIGIN_LABELS: dict[str, str] = {
    AwardOrigin.rule.value: "Rule",
    AwardOrigin.manual.value: "Given by hand",
    AwardOrigin.notification.value: "Notification",
    AwardOrigin.streak.value: "Streak",
    AwardOrigin.season.value: "Season",
}
