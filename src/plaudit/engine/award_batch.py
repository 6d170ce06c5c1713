"""The awards of a bulk batch, gathered over its achievements and written together.

The bulk path evaluates the achievements of a batch one after another in id order
(``engine.bulk_evaluate``). Each used to insert its own awards with one statement and then
note them, count them and look for the levels their members reach: late in a long run, two
statements or more for each of 14 achievements per batch, whatever the number of awards.
Here the completions of the achievements that nothing later in the batch can depend on are
kept until they must be written, then inserted with one statement (PostgreSQL) and followed
by one round of notes, metric and levels.

What must not change is what each achievement sees when it is evaluated:

- An achievement with **prerequisites** reads the awards its members hold (``holders_of_all``),
  including those given earlier in the same batch to achievements of a lower id. Before it is
  evaluated, what was kept is written; it is then given as before, on its own.
- A **record** has one holder per period, decided by the order of its inserts, one statement
  per candidate (``award_rows``): it is given as before, on its own, after what was kept.
- The others read nothing another achievement's awards change: their active members, their
  audiences (members and teams) and their own earned completions. Their awards are written
  in the same order as before (achievement, then completion), so they get the same ids.

What moves is when the levels are looked for (once per write rather than once per
achievement): a member who reaches a level in the batch has it written with their points
after the batch's awards rather than after one achievement's.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from plaudit.db.types import UTCDateTime
from plaudit.domain.categories import Category, holder_slot
from plaudit.domain.origins import AwardOrigin
from plaudit.engine.award_rows import DueCompletion, insert_awards
from plaudit.engine.compiled import CompiledAchievement
from plaudit.engine.evaluate import after_awards, award_due, completions_to_give
from plaudit.engine.publish_rows import publish_automatic
from plaudit.engine.store import ProgressState
from plaudit.periods import period_by_key

Kept = list[tuple[CompiledAchievement, list[DueCompletion]]]
"""Completions not yet written, per achievement, in evaluation order."""


def written_alone(compiled: CompiledAchievement) -> bool:
    """Whether the achievement's awards are decided and written on their own, after what was
    kept (prerequisites, a record), as ``award_due`` does for one achievement."""
    return bool(compiled.prerequisites) or compiled.category == Category.record


class AwardBatch:
    """Give the awards of a batch's achievements, added in id order; `finish` returns the ids
    of the awards given, in the order ``award_due`` one achievement at a time gave them."""

    def __init__(self, session: Session, *, now: datetime, zone: ZoneInfo) -> None:
        self.session = session
        self.now = now
        self.zone = zone
        self.kept: Kept = []
        self.given: list[int] = []

    def add(
        self,
        compiled: CompiledAchievement,
        state: ProgressState,
        *,
        earned: Mapping[tuple[int, str], int],
        active: AbstractSet[int],
    ) -> None:
        """Evaluate one achievement (`earned` and `active` as for ``award_due``)."""
        if written_alone(compiled):
            self.write()
            self.given += award_due(
                self.session,
                compiled,
                state,
                now=self.now,
                zone=self.zone,
                earned=earned,
                active=active,
            )
            return
        completions = completions_to_give(
            self.session,
            compiled,
            state,
            now=self.now,
            zone=self.zone,
            earned=earned,
            active=active,
        )
        if completions:
            self.kept.append((compiled, completions))

    def write(self) -> None:
        """Write what was kept, then note, count and reach levels for it once."""
        if not self.kept:
            return
        kept, self.kept = self.kept, []
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            ids = insert_kept(connection, kept, now=self.now, zone=self.zone)
        else:
            ids = [
                i
                for compiled, due in kept
                for i in insert_awards(connection, compiled, due, now=self.now, zone=self.zone)
            ]
        after_awards(self.session, ids, now=self.now, zone=self.zone)
        self.given += ids

    def finish(self) -> list[int]:
        self.write()
        return self.given


_KEPT_FROM_ARRAYS = text(
    """INSERT INTO awards (achievement_id, achievement_version, member_id, points, awarded_at,
        period_key, period_start, period_end, completion, holder_slot, origin, given_by, revoked)
    SELECT (CAST(:achievements AS INTEGER[]))[d.a], (CAST(:versions AS INTEGER[]))[d.a],
        d.member_id, (CAST(:points AS INTEGER[]))[d.a], :now,
        (CAST(:keys AS VARCHAR[]))[d.w], (CAST(:starts AS TIMESTAMPTZ[]))[d.w],
        (CAST(:ends AS TIMESTAMPTZ[]))[d.w], d.completion, d.holder_slot, :origin, 'rules', false
    FROM unnest(CAST(:rows AS INTEGER[]), CAST(:members AS INTEGER[]),
                CAST(:windows AS INTEGER[]), CAST(:completions AS INTEGER[]),
                CAST(:slots AS VARCHAR[]))
         WITH ORDINALITY AS d(a, member_id, w, completion, holder_slot, seq)
    ORDER BY d.seq
    ON CONFLICT DO NOTHING
    RETURNING id, achievement_id"""
).bindparams(bindparam("now", type_=UTCDateTime()))
"""PostgreSQL: the completions of several achievements in one statement, as
``award_rows._FROM_ARRAYS`` writes one achievement's: each row's achievement (id, version,
points) and period (key, start, end) are 1-based indexes into short lists."""


def insert_kept(connection: Connection, kept: Kept, *, now: datetime, zone: ZoneInfo) -> list[int]:
    """PostgreSQL: insert the kept completions in order with one statement, publishing those
    whose achievement says so; the ids written, per achievement in its order, ascending."""
    windows: dict[tuple[str, str], int] = {}
    keys: list[str] = []
    starts: list[datetime | None] = []
    ends: list[datetime | None] = []
    rows: list[int] = []
    members: list[int] = []
    indexes: list[int] = []
    completions: list[int] = []
    slots: list[str | None] = []
    for position, (compiled, due) in enumerate(kept, start=1):
        for member_id, period_key, completion in due:
            index = windows.get((compiled.period.value, period_key))
            if index is None:
                window = period_by_key(period_key, compiled.period, zone)
                keys.append(period_key)
                starts.append(_utc(window.start))
                ends.append(_utc(window.end))
                index = windows[(compiled.period.value, period_key)] = len(keys)
            rows.append(position)
            members.append(member_id)
            indexes.append(index)
            completions.append(completion)
            slots.append(holder_slot(compiled.category, member_id))
    params = {
        "achievements": [c.id for c, _ in kept],
        "versions": [c.version for c, _ in kept],
        "points": [c.points for c, _ in kept],
        "now": now,
        "origin": AwardOrigin.rule.value,
        "keys": keys,
        "starts": starts,
        "ends": ends,
        "rows": rows,
        "members": members,
        "windows": indexes,
        "completions": completions,
        "slots": slots,
    }
    by_achievement: dict[int, list[int]] = {}
    for award_id, achievement_id in connection.execute(_KEPT_FROM_ARRAYS, params):
        by_achievement.setdefault(achievement_id, []).append(award_id)
    ids: list[int] = []
    published: list[int] = []
    for compiled, _ in kept:
        mine = sorted(by_achievement.get(compiled.id, ()))
        ids += mine
        if compiled.publish_automatically:
            published += mine
    if published:
        # Only its achievement's setting can make an award publish here (``insert_awards``).
        publish_automatic(connection, published, now=now, by="rules")
    return ids


def _utc(instant: datetime | None) -> datetime | None:
    return None if instant is None else instant.astimezone(UTC)
