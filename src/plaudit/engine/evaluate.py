"""From running aggregates to awards: which completions are due, inserted exactly once.

The unique indexes on awards make every insert idempotent (ON CONFLICT DO NOTHING): a
completion already earned, a membership already held or a record that has its holder in that
period is skipped by the database itself, whatever runs concurrently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Table, bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plaudit.domain.audience import in_any
from plaudit.domain.categories import Category
from plaudit.domain.origins import AwardOrigin
from plaudit.engine.audiences import member_facts
from plaudit.engine.award_rows import DueCompletion, insert_awards
from plaudit.engine.compiled import CompiledAchievement
from plaudit.engine.events import note_awards
from plaudit.engine.levels import reach_levels_for_awards
from plaudit.engine.store import ProgressState, SlotState, read_progress_many
from plaudit.kit.metrics import AWARDS_GIVEN, count_after_commit
from plaudit.models import Award, Member
from plaudit.rules.model import Aggregate, Rule
from plaudit.rules.oracle import repeat_count, rule_met


def current_value(rule: Rule, state: SlotState | None) -> float | None:
    s = state or SlotState()
    match rule.aggregate:
        case Aggregate.COUNT:
            return float(s.matched)
        case Aggregate.SUM:
            return s.total
        case Aggregate.AVG:
            return s.total / s.n_values if s.n_values else None
        case Aggregate.MIN:
            return s.minimum
        case Aggregate.MAX:
            return s.maximum
        case Aggregate.COUNT_DISTINCT:
            return float(s.distinct)
    raise ValueError(f"unknown aggregate {rule.aggregate!r}")


def rule_currents(
    compiled: CompiledAchievement, slots: dict[str, SlotState]
) -> list[list[tuple[Rule, float | None]]]:
    return [
        [(rule, current_value(rule, slots.get(f"{g}.{r}"))) for r, rule in enumerate(group)]
        for g, group in enumerate(compiled.requirements)
    ]


def groups_met(
    compiled: CompiledAchievement,
    currents: list[list[tuple[Rule, float | None]]],
    *,
    closed: bool,
) -> list[bool]:
    """Per rule group (its `rule_currents`), whether it is met; a group that waits for the
    end of its period (``CompiledAchievement.deferred``) only once `closed`."""
    return [
        bool(group) and (closed or not waits) and all(rule_met(rule, cur) for rule, cur in group)
        for group, waits in zip(currents, compiled.deferred, strict=True)
    ]


def completions_due(
    compiled: CompiledAchievement, slots: dict[str, SlotState], *, closed: bool
) -> int:
    """Completions the slots make due; `closed`: the period they count is over."""
    if not compiled.requirements:
        return 0
    currents = rule_currents(compiled, slots)
    if compiled.repeatable:  # at_least only: never deferred
        return repeat_count((current, rule.value) for rule, current in currents[0])
    return 1 if any(groups_met(compiled, currents, closed=closed)) else 0


def first_rule_score(
    compiled: CompiledAchievement, slots: dict[str, SlotState], *, closed: bool
) -> float:
    currents = rule_currents(compiled, slots)
    for group, met in zip(currents, groups_met(compiled, currents, closed=closed), strict=True):
        if met:
            return group[0][1] or 0.0
    return 0.0


def due_completions(
    compiled: CompiledAchievement, state: ProgressState, *, now: datetime, zone: ZoneInfo
) -> tuple[dict[tuple[int, str], int], dict[str, bool]]:
    """The completions `state` makes due at `now` per (member, period), and whether each
    period is over (``is_closed``), which ranks a record's candidates too."""
    closed = {key: compiled.is_closed(key, now, zone) for key in {p for _, p in state}}
    due = {
        key: n
        for key, slots in state.items()
        if (n := completions_due(compiled, slots, closed=closed[key[1]])) > 0
    }
    return due, closed


def award_due(
    session: Session,
    compiled: CompiledAchievement,
    state: ProgressState,
    *,
    now: datetime,
    zone: ZoneInfo,
    earned: Mapping[tuple[int, str], int] | None = None,
    active: AbstractSet[int] | None = None,
) -> list[int]:
    """Insert every completion that `state` shows is due; return the ids of new awards.

    A caller evaluating many achievements at once may pass what it read for all of them
    beforehand: `earned`, the achievement's completions already earned (by rule) for at
    least the keys of `state`, and `active`, the active members among at least the members
    of `state`; otherwise both are read here."""
    completions = completions_to_give(
        session, compiled, state, now=now, zone=zone, earned=earned, active=active
    )
    if not completions:
        return []
    given = insert_awards(session.connection(), compiled, completions, now=now, zone=zone)
    after_awards(session, given, now=now, zone=zone)
    return given


def completions_to_give(
    session: Session,
    compiled: CompiledAchievement,
    state: ProgressState,
    *,
    now: datetime,
    zone: ZoneInfo,
    earned: Mapping[tuple[int, str], int] | None = None,
    active: AbstractSet[int] | None = None,
) -> list[DueCompletion]:
    """The completions `award_due` inserts, in its order (`earned`, `active`: as there)."""
    due, closed = due_completions(compiled, state, now=now, zone=zone)
    if not due:
        return []
    if earned is None:
        earned = _earned_completions(session, compiled.id, due.keys())
    eligible = eligible_members(session, compiled, {m for m, _ in due}, active=active)
    keys = [k for k in due if due[k] > earned.get(k, 0) and k[0] in eligible]
    if compiled.category == Category.record:
        # One holder per period: when several qualify at once, the best on the first met
        # rule of the batch is preferred (the row order decides which insert wins).
        keys.sort(key=lambda k: (-first_rule_score(compiled, state[k], closed=closed[k[1]]), k[0]))
    return [
        (member_id, period_key, completion)
        for member_id, period_key in keys
        for completion in range(
            earned.get((member_id, period_key), 0) + 1, due[(member_id, period_key)] + 1
        )
    ]


def after_awards(session: Session, given: Sequence[int], *, now: datetime, zone: ZoneInfo) -> None:
    """What follows awards given by rule, in their transaction: the metric (after commit),
    the events for notifications, the levels their members reach."""
    count_after_commit(session, AWARDS_GIVEN.labels(AwardOrigin.rule.value), len(given))
    note_awards(session, given, now=now, zone=zone)
    reach_levels_for_awards(session, given, now=now, zone=zone)


# Statements of the per-record path are built once (Core, on table columns, run on the
# connection): building and coercing a fresh ORM select per record cost more than the query.
_AWARDS = cast(Table, Award.__table__).c
_MEMBERS = cast(Table, Member.__table__).c


def earned_query(*where: ColumnElement[bool]) -> Select[int, int, str, int | None]:
    """(achievement, member, period, highest completion earned by rule) of the awards that
    match `where`."""
    return (
        select(
            _AWARDS.achievement_id,
            _AWARDS.member_id,
            _AWARDS.period_key,
            func.max(_AWARDS.completion),
        )
        .where(_AWARDS.origin == AwardOrigin.rule.value, *where)
        .group_by(_AWARDS.achievement_id, _AWARDS.member_id, _AWARDS.period_key)
    )


def active_query(*where: ColumnElement[bool]) -> Select[int]:
    """The ids of the active members that match `where`."""
    return select(_MEMBERS.id).where(_MEMBERS.active.is_(True), *where)


_EARNED = earned_query(
    _AWARDS.achievement_id == bindparam("achievement_id"),
    _AWARDS.member_id.in_(bindparam("members", expanding=True)),
)
_ACTIVE = active_query(_MEMBERS.id.in_(bindparam("members", expanding=True)))


def _earned_completions(
    session: Session, achievement_id: int, keys: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    key_list = list(keys)
    members = sorted({m for m, _ in key_list})
    out: dict[tuple[int, str], int] = {}
    connection = session.connection()
    for start in range(0, len(members), 500):
        chunk = members[start : start + 500]
        for _, member_id, period_key, completion in connection.execute(
            _EARNED, {"achievement_id": achievement_id, "members": chunk}
        ):
            out[(member_id, period_key)] = completion or 0
    return out


def _active_members(session: Session, member_ids: set[int]) -> set[int]:
    ids = sorted(member_ids)
    found: set[int] = set()
    connection = session.connection()
    for start in range(0, len(ids), 500):
        found.update(connection.execute(_ACTIVE, {"members": ids[start : start + 500]}).scalars())
    return found


def eligible_members(
    session: Session,
    compiled: CompiledAchievement,
    member_ids: set[int],
    *,
    active: AbstractSet[int] | None = None,
) -> set[int]:
    """Active members inside the achievement's audience, decided on current data (`active`:
    the active members among at least `member_ids`, when the caller has read them)."""
    found = _active_members(session, member_ids) if active is None else member_ids & active
    if compiled.prerequisites and found:
        found &= holders_of_all(session, compiled.prerequisites, found)
    if not compiled.audiences or not found:
        return found
    facts = member_facts(session, sorted(found))
    return {f.member_id for f in facts if in_any(compiled.audiences, f)}


def holders_of_all(
    session: Session, achievement_ids: Sequence[int], member_ids: AbstractSet[int]
) -> set[int]:
    """The members among `member_ids` who hold a non-revoked award of every achievement of
    `achievement_ids` (an achievement's prerequisites)."""
    wanted = set(achievement_ids)
    out: set[int] = set()
    ids = sorted(member_ids)
    for start in range(0, len(ids), 500):
        out.update(
            session.scalars(
                select(_AWARDS.member_id)
                .where(
                    _AWARDS.achievement_id.in_(wanted),
                    _AWARDS.member_id.in_(ids[start : start + 500]),
                    _AWARDS.revoked.is_(False),
                )
                .group_by(_AWARDS.member_id)
                .having(func.count(func.distinct(_AWARDS.achievement_id)) == len(wanted))
            )
        )
    return out


def evaluate_touched(
    session: Session,
    achievements: Sequence[CompiledAchievement],
    touched: Iterable[tuple[int, int, str]],
    *,
    now: datetime,
    zone: ZoneInfo,
) -> list[int]:
    """Award what the touched (achievement, member, period) keys now make due."""
    states = read_progress_many(session, {a.id: a.slot_tallies for a in achievements}, touched)
    award_ids: list[int] = []
    for compiled in achievements:
        state = states.get(compiled.id)
        if state:
            award_ids += award_due(session, compiled, state, now=now, zone=zone)
    return award_ids
