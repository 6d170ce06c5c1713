"""Awards given and levels reached in a transaction, noted for whoever listens to them.

Every path that writes an award (the engine's rule awards and backfills, `give_award` for
manual, bulk, streak, season and notification gives) or a `level_reached` row notes the new
ids here, on the session. The notifications package drains them before the transaction
commits (a ``before_commit`` listener), so its firings are written in the same transaction:
a rollback leaves neither the events nor their firings. The engine knows nothing of what
listens; the layering keeps it so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

_KEY = "plaudit.events"


@dataclass
class PendingEvents:
    """Ids noted since the last drain, each once (a set: an id noted twice is one event)."""

    award_ids: set[int] = field(default_factory=set)
    level_reached_ids: set[int] = field(default_factory=set)
    now: datetime | None = None
    """The time of the request that wrote them: its firings are made at that time."""
    zone: ZoneInfo | None = None
    batch_words: str | None = None
    """What wrote them all at once, in words, for a summary message (`name_batch`)."""

    def __bool__(self) -> bool:
        return bool(self.award_ids or self.level_reached_ids)


def _current(session: Session) -> PendingEvents:
    pending = session.info.get(_KEY)
    if pending is None:
        pending = session.info[_KEY] = PendingEvents()
    assert isinstance(pending, PendingEvents)
    return pending


def _pending(session: Session, now: datetime, zone: ZoneInfo) -> PendingEvents:
    pending = _current(session)
    pending.now, pending.zone = now, zone
    return pending


def name_batch(session: Session, words: str) -> None:
    """Say what is about to write many awards at once (an activation's backfill, a bulk give):
    a summary message tells it."""
    _current(session).batch_words = words


def note_awards(
    session: Session, award_ids: Iterable[int], *, now: datetime, zone: ZoneInfo
) -> None:
    _pending(session, now, zone).award_ids.update(award_ids)


def note_levels_reached(
    session: Session, level_reached_ids: Iterable[int], *, now: datetime, zone: ZoneInfo
) -> None:
    _pending(session, now, zone).level_reached_ids.update(level_reached_ids)


def take_pending(session: Session) -> PendingEvents:
    """What was noted, now forgotten (the caller handles it)."""
    pending = session.info.pop(_KEY, None)
    return pending if isinstance(pending, PendingEvents) else PendingEvents()


def forget_pending(session: Session) -> None:
    """After a rollback: what was noted was never written."""
    session.info.pop(_KEY, None)
