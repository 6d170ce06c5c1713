"""Step 5 of the bulk path (see plaudit.engine.bulk): evaluate only the touched keys where some
rule group can have become met, with the per-record path's own code; the awards of the
achievements are written together where nothing depends on their order
(``engine.award_batch``)."""

from __future__ import annotations

import math
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    and_,
    case,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plaudit.engine.award_batch import AwardBatch
from plaudit.engine.bulk_earned import open_candidates
from plaudit.engine.bulk_open import OpenTest, bounds, open_keys
from plaudit.engine.bulk_stage import delta
from plaudit.engine.compiled import CompiledAchievement, SourcePlan
from plaudit.engine.deltas import TallyKey
from plaudit.engine.evaluate import active_query
from plaudit.engine.store import progress_of, read_tally_states
from plaudit.engine.tally import TallyKind
from plaudit.limits import chunks
from plaudit.models import Member, TallyProgress, TallyValue
from plaudit.rules.model import Aggregate, Operator, Rule
from plaudit.rules.oracle import rule_met

_NO_RECORDS_VALUE = {
    Aggregate.COUNT: 0.0,
    Aggregate.SUM: 0.0,
    Aggregate.COUNT_DISTINCT: 0.0,
}
"""A rule's value where its tally has no row: None (meets nothing) for avg, min and max."""


@dataclass(frozen=True)
class _Test:
    """A necessary condition for a rule to be met, checkable in SQL on one tally."""

    tally_id: int
    kind: TallyKind
    aggregate: Aggregate
    operator: Operator
    target: float


def _test_of(rule: Rule, tally_id: int, kind: TallyKind) -> _Test | None:
    if rule_met(rule, _NO_RECORDS_VALUE.get(rule.aggregate)):
        return None  # met without any record: nothing to narrow by
    return _Test(tally_id, kind, rule.aggregate, rule.operator, float(rule.value))


def _group_tests(compiled: CompiledAchievement, plan: SourcePlan) -> list[_Test | None]:
    """Per rule group, a test on a tally of the plan's source that the group needs, or None."""
    kinds = {t.id: t.spec.kind for t in plan.tallies}
    out: list[_Test | None] = []
    for g, group in enumerate(compiled.requirements):
        options = []
        for r, rule in enumerate(group):
            tally_id = compiled.slot_tallies.get(f"{g}.{r}")
            if tally_id is None or tally_id not in kinds:
                continue
            test = _test_of(rule, tally_id, kinds[tally_id])
            if test is not None:
                options.append(test)
        # Prefer a count or a sum (one row per key) over a multiset (rows per value).
        options.sort(key=lambda t: t.kind is TallyKind.VALUES)
        out.append(options[0] if options else None)
    return out


def _condition(test: _Test, value: ColumnElement[Any]) -> ColumnElement[bool]:
    """Tolerant superset of ``oracle.compare``: never false where the rule is met."""
    low, high = bounds(test.operator, test.target)
    sides = [value >= low] if low > -math.inf else []
    if high < math.inf:
        sides.append(value <= high)
    return and_(*sides)


def _passes(test: _Test, value: float | None) -> bool:
    """``_condition`` in Python, on the value the query returned for the test's aggregate."""
    if value is None:
        return False
    low, high = bounds(test.operator, test.target)
    return low <= value <= high


Passing = dict[_Test, set[tuple[int, str]]]


def _passing(session: Session, tests: list[_Test]) -> Passing:
    """Touched (member, period) keys whose value passes each test.

    Per test, not per tally: achievements sharing a tally with different targets (a count of
    at least 5, of at least 21) would otherwise all take the keys that pass the weakest
    target, and those grow with the history. The query keeps the keys that pass some test of
    their tally and returns the tested values, each test is then applied to them here. The
    tests of SQL_CHUNK tallies at a time: each binds a few values, and the active
    achievements reading a source, so their tallies, are not bounded by any input."""
    out: Passing = {t: set() for t in tests}
    tally_ids = sorted({t.tally_id for t in tests})
    for some in chunks(tally_ids):
        chosen = set(some)
        _passing_into(session, [t for t in tests if t.tally_id in chosen], out)
    return out


def _sort_out(rows: Any, tests: list[_Test], columns: dict[Aggregate, int], out: Passing) -> None:
    """Each row (tally, member, period, values...) into the sets of the tests it passes."""
    by_tally: dict[int, list[_Test]] = {}
    for test in tests:
        by_tally.setdefault(test.tally_id, []).append(test)
    for row in rows:
        key = (row[1], row[2])
        for test in by_tally[row[0]]:
            value = row[columns[test.aggregate]]
            if _passes(test, None if value is None else float(value)):
                out[test].add(key)


def _passing_into(session: Session, tests: list[_Test], out: Passing) -> None:
    rows_tests = [t for t in tests if t.kind is not TallyKind.VALUES]
    if rows_tests:
        p = TallyProgress.__table__
        average = case((p.c.n_values > 0, p.c.total / p.c.n_values), else_=None)
        exprs = {Aggregate.COUNT: p.c.matched, Aggregate.SUM: p.c.total, Aggregate.AVG: average}
        query = (
            select(delta.c.tally_id, delta.c.member_id, delta.c.period_key, *exprs.values())
            .join(
                p,
                and_(
                    p.c.tally_id == delta.c.tally_id,
                    p.c.member_id == delta.c.member_id,
                    p.c.period_key == delta.c.period_key,
                ),
            )
            .where(_any_test(rows_tests, delta.c.tally_id, exprs))
        )
        columns = {aggregate: 3 + i for i, aggregate in enumerate(exprs)}
        _sort_out(session.execute(query).all(), rows_tests, columns, out)
    value_tests = [t for t in tests if t.kind is TallyKind.VALUES]
    if value_tests:
        v = TallyValue.__table__
        vexprs: dict[Aggregate, ColumnElement[Any]] = {
            Aggregate.COUNT_DISTINCT: func.count(),
            Aggregate.MIN: func.min(v.c.numeric),
            Aggregate.MAX: func.max(v.c.numeric),
        }
        vquery = (
            select(delta.c.tally_id, delta.c.member_id, delta.c.period_key, *vexprs.values())
            .join(
                v,
                and_(
                    v.c.tally_id == delta.c.tally_id,
                    v.c.member_id == delta.c.member_id,
                    v.c.period_key == delta.c.period_key,
                ),
            )
            .where(v.c.n > 0, delta.c.tally_id.in_(sorted({t.tally_id for t in value_tests})))
            .group_by(delta.c.tally_id, delta.c.member_id, delta.c.period_key)
            .having(_any_test(value_tests, delta.c.tally_id, vexprs))
        )
        vcolumns = {aggregate: 3 + i for i, aggregate in enumerate(vexprs)}
        _sort_out(session.execute(vquery).all(), value_tests, vcolumns, out)


def _any_test(
    tests: list[_Test], tally_col: Any, exprs: dict[Aggregate, ColumnElement[Any]]
) -> ColumnElement[bool]:
    by_tally: dict[int, list[ColumnElement[bool]]] = {}
    for test in tests:
        by_tally.setdefault(test.tally_id, []).append(_condition(test, exprs[test.aggregate]))
    clauses = [and_(tally_col == t, or_(*conds)) for t, conds in sorted(by_tally.items())]
    return or_(*clauses) if clauses else false()


def evaluate_touched(
    session: Session, plan: SourcePlan, *, now: datetime, zone: ZoneInfo
) -> list[int]:
    tests_of = {a.id: _group_tests(a, plan) for a in plan.achievements}
    by_id = {a.id: a for a in plan.achievements}
    _touch_tested_tallies(session, plan, tests_of)
    if session.get_bind().dialect.name == "postgresql":
        ready, candidates = _candidates_in_sql(session, plan, tests_of)
    else:
        ready, candidates = {}, _candidates(session, plan, tests_of)
    if not candidates and not ready:
        return []
    # Every candidate key is a touched key: the earned completions and the active members of
    # the touched members, read once for all achievements, are what ``award_due`` would read
    # for each (its inserts write no member and only the awards of its own achievement).
    members = _touched_members(session)
    candidates, earned = open_candidates(session, by_id, candidates, members)
    candidates |= ready
    if not candidates:
        return []
    needed: set[TallyKey] = {
        (t, m, p)
        for a, keys in candidates.items()
        for t in set(by_id[a].slot_tallies.values())
        for m, p in keys
    }
    states = read_tally_states(session, needed)
    active = _active_touched_members(session, members)
    awards = AwardBatch(session, now=now, zone=zone)
    for compiled in plan.achievements:
        chosen = candidates.get(compiled.id)
        if not chosen:
            continue
        state = progress_of(compiled.slot_tallies, states, chosen)
        if state:
            awards.add(compiled, state, earned=earned.get(compiled.id, {}), active=active)
    return awards.finish()


TestsOf = dict[int, list[_Test | None]]
"""achievement id -> per rule group, its test or None"""


def _touch_tested_tallies(session: Session, plan: SourcePlan, tests_of: TestsOf) -> None:
    """Mark a tested tally touched (a delta row of zero) wherever the batch touched another
    tally of an achievement that tests it.

    A group's test is on one of its rules' tallies, but a record that matches only another
    rule's filters (or another group's) can be what makes the group met: a count of won calls
    already at least 1, and the sum of minutes reaching its target with a call that was not
    won. The key is touched for the achievement (the per-record path evaluates it) though
    the tested tally has no delta row there, so the test would never see it. The rows of zero
    change no progress (``upsert_deltas`` skips them)."""
    in_plan = {t.id for t in plan.tallies}
    siblings: dict[int, set[int]] = {}
    for compiled in plan.achievements:
        tested = {t.tally_id for t in tests_of[compiled.id] if t is not None}
        if not tested:
            continue
        mine = set(compiled.slot_tallies.values()) & in_plan
        for tally_id in tested:
            siblings.setdefault(tally_id, set()).update(mine - {tally_id})
    touched = delta.alias("touched")
    for tally_id, others in sorted(siblings.items()):
        if not others:
            continue
        already = exists().where(
            delta.c.tally_id == tally_id,
            delta.c.member_id == touched.c.member_id,
            delta.c.period_key == touched.c.period_key,
        )
        for some in chunks(sorted(others)):
            keys = (
                select(
                    literal(tally_id),
                    touched.c.member_id,
                    touched.c.period_key,
                    literal(0),
                    literal(0),
                    literal(0.0),
                )
                .where(touched.c.tally_id.in_(some), ~already)
                .distinct()
            )
            session.execute(
                insert(delta).from_select(
                    ["tally_id", "member_id", "period_key", "matched", "n_values", "total"], keys
                )
            )


def _candidates(
    session: Session,
    plan: SourcePlan,
    tests_of: TestsOf,
    skip: AbstractSet[int] = frozenset(),
) -> dict[int, list[tuple[int, str]]]:
    """Per achievement (but those in `skip`), the touched keys passing one of its groups'
    tests, or every touched key of its tallies when a group has no test."""
    chosen = [a for a in plan.achievements if a.id not in skip]
    every_test = sorted(
        {t for a in chosen for t in tests_of[a.id] if t is not None},
        key=lambda t: (t.tally_id, t.aggregate.value, t.operator.value, t.target),
    )
    passing = _passing(session, every_test)
    touched: dict[int, set[tuple[int, str]]] | None = None
    candidates: dict[int, list[tuple[int, str]]] = {}
    for compiled in chosen:
        tests = tests_of[compiled.id]
        if tests and all(t is not None for t in tests):
            keys = set().union(*(passing[t] for t in tests if t is not None))
        else:
            if touched is None:
                touched = _touched(session)
            mine = set(compiled.slot_tallies.values())
            keys = set().union(*(touched.get(t, set()) for t in mine))
        if keys:
            candidates[compiled.id] = sorted(keys)
    return candidates


def _candidates_in_sql(
    session: Session, plan: SourcePlan, tests_of: TestsOf
) -> tuple[dict[int, list[tuple[int, str]]], dict[int, list[tuple[int, str]]]]:
    """PostgreSQL: (the open keys of the achievements that are not repeatable and have a test
    in every group, decided in one statement; the candidates of the others, still to be
    narrowed by ``open_candidates``)."""
    narrowed = {
        a.id
        for a in plan.achievements
        if not a.repeatable and tests_of[a.id] and all(t is not None for t in tests_of[a.id])
    }
    tests = [
        OpenTest(a, t.tally_id, t.aggregate, *bounds(t.operator, t.target), once=True)
        for a in sorted(narrowed)
        for t in tests_of[a]
        if t is not None
    ]
    values = {t.id for t in plan.tallies if t.spec.kind is TallyKind.VALUES}
    ready = open_keys(session, tests, values)
    rest = (
        _candidates(session, plan, tests_of, skip=narrowed)
        if len(narrowed) < len(plan.achievements)
        else {}
    )
    return ready, rest


def _touched_members(session: Session) -> list[int]:
    """The touched members, as a list of ids rather than a subquery: PostgreSQL never has
    statistics of the temporary delta table, and with `IN (SELECT DISTINCT ...)` it chose
    plans whose cost grew with the whole awards table; with the ids it looks them up in the
    awards' unique index."""
    return list(session.scalars(select(delta.c.member_id).distinct().order_by(delta.c.member_id)))


def _active_touched_members(session: Session, members: list[int]) -> set[int]:
    """The active members among the touched members."""
    active: set[int] = set()
    for few in chunks(members):
        active.update(session.scalars(active_query(Member.id.in_(few))))
    return active


def _touched(session: Session) -> dict[int, set[tuple[int, str]]]:
    out: dict[int, set[tuple[int, str]]] = {}
    rows = session.execute(select(delta.c.tally_id, delta.c.member_id, delta.c.period_key))
    for t, m, p in rows.all():
        out.setdefault(t, set()).add((m, p))
    return out
