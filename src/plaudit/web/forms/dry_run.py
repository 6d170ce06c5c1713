"""How a notification dry run is shown: outcome labels in words and the names it mentions.

Shared by the test page of a saved notification and the form's "Test before saving"."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from plaudit.achievement.service import list_achievements
from plaudit.member.service import list_members
from plaudit.notification.schemas import DryRunRead

MAX_RESULTS = 500
OUTCOMES = {
    "would_fire": "Would fire",
    "already_met": "Already meets it: will NOT fire",
    "already_fired": "Already fired in this period",
    "not_met": "Not met yet: fires when it crosses",
    "no_value": "No value yet: fires when it crosses",
    "not_matching": "Does not match",
    "no_change": "Changes nothing",
    "no_matching_record": "No matching record",
}


def dry_run_context(session: Session, result: DryRunRead | None) -> dict[str, Any]:
    """What the `_dry_run.html` partial reads: the result, its rows in outcome order (at most
    MAX_RESULTS), and the members' and achievements' names."""
    order = list(OUTCOMES)
    rows = (
        []
        if result is None
        else sorted(result.results, key=lambda r: (order.index(r.outcome.value), r.member_id))
    )
    return {
        "result": result,
        "results": rows[:MAX_RESULTS],
        "hidden": max(0, len(rows) - MAX_RESULTS),
        "outcomes": OUTCOMES,
        "member_names": {m.id: m.name for m in list_members(session)},
        "achievement_names": {a.id: a.name for a in list_achievements(session)},
    }
