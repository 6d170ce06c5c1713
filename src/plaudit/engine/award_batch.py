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
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plaudit.domain.categories import Category
from plaudit.engine.award_rows import Kept, insert_awards, insert_from_arrays
from plaudit.engine.compiled import CompiledAchievement
from plaudit.engine.evaluate import after_awards, award_due, completions_to_give
from plaudit.engine.store import ProgressState


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
            ids = insert_from_arrays(connection, kept, now=self.now, zone=self.zone)
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
