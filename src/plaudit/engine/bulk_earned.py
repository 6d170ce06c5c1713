"""The bulk path's candidate keys that can still give an award, and what they have earned.

A candidate key (achievement, member, period) passes a test of its achievement's rules; a
monotone rule (a count, a maximum) keeps passing once met, so late in a long history most
candidates are keys whose award was earned long before. An achievement that is not repeatable
is due at most once per period (``award_due``): a key that has earned it is left out here,
before any tally state is read or evaluated for it. Repeatable achievements keep every
candidate, with the highest completion each has earned.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from plaudit.engine.compiled import CompiledAchievement
from plaudit.engine.evaluate import earned_query
from plaudit.limits import chunks
from plaudit.models import Award

Keys = dict[int, list[tuple[int, str]]]
"""achievement id -> candidate (member, period) keys"""
Earned = dict[int, dict[tuple[int, str], int]]
"""achievement id -> (member, period) -> highest completion earned by rule"""

_KEYED_EARNED = text(
    """SELECT k.a, k.m, k.p, e.completion
    FROM unnest(CAST(:a AS INTEGER[]), CAST(:m AS INTEGER[]), CAST(:p AS VARCHAR[]))
         AS k(a, m, p)
    CROSS JOIN LATERAL (
        SELECT max(completion) AS completion FROM awards
        WHERE achievement_id = k.a AND member_id = k.m AND period_key = k.p AND origin = 'rule'
    ) AS e
    WHERE e.completion IS NOT NULL"""
)
"""PostgreSQL: the earned completions of exactly the candidate keys, one probe of the awards'
unique index per key (an aggregate lateral subquery: never flattened into a join that the
planner could answer by reading the whole table). Restricting by sets of achievements and
members instead made PostgreSQL, without statistics of the awards (nothing analyzes them with
autovacuum off), read every award of those achievements: a cost that grew with the history."""

_KEYED_OPEN = text(
    """SELECT k.a, k.m, k.p
    FROM unnest(CAST(:a AS INTEGER[]), CAST(:m AS INTEGER[]), CAST(:p AS VARCHAR[]))
         AS k(a, m, p)
    LEFT JOIN LATERAL (
        SELECT 1 AS hit FROM awards
        WHERE achievement_id = k.a AND member_id = k.m AND period_key = k.p AND origin = 'rule'
        LIMIT 1
    ) AS e ON true
    WHERE e.hit IS NULL"""
)
"""PostgreSQL: the candidate keys with no award earned by rule, one probe per key that stops
at the first entry (the `LIMIT` keeps it a probe, as above). Only the few open keys come back,
not the many earned ones."""


def open_candidates(
    session: Session, by_id: dict[int, CompiledAchievement], candidates: Keys, members: list[int]
) -> tuple[Keys, Earned]:
    """The candidates that can still give an award, and the completions they have earned
    (`members`: the touched members, every candidate's member among them)."""
    if session.get_bind().dialect.name == "postgresql":
        return _open_keyed(session, by_id, candidates)
    earned = _earned_of_members(session, candidates, members)
    out: Keys = {}
    for achievement_id, keys in candidates.items():
        if by_id[achievement_id].repeatable:
            out[achievement_id] = keys
            continue
        done = earned.get(achievement_id, {})
        if open_keys := [k for k in keys if done.get(k, 0) < 1]:
            out[achievement_id] = open_keys
    return out, earned


def _arrays(candidates: Keys) -> dict[str, list[int] | list[str]]:
    keys = [(a, m, p) for a, pairs in sorted(candidates.items()) for m, p in pairs]
    return {"a": [k[0] for k in keys], "m": [k[1] for k in keys], "p": [k[2] for k in keys]}


def _open_keyed(
    session: Session, by_id: dict[int, CompiledAchievement], candidates: Keys
) -> tuple[Keys, Earned]:
    repeatable = {a: keys for a, keys in candidates.items() if by_id[a].repeatable}
    once = {a: keys for a, keys in candidates.items() if not by_id[a].repeatable}
    out: Keys = dict(repeatable)
    earned: Earned = {}
    if repeatable:
        for a, m, p, completion in session.execute(_KEYED_EARNED, _arrays(repeatable)):
            earned.setdefault(a, {})[(m, p)] = completion or 0
    if once:
        found: Keys = {}
        for a, m, p in session.execute(_KEYED_OPEN, _arrays(once)):
            found.setdefault(a, []).append((m, p))
        out.update((a, sorted(keys)) for a, keys in found.items())  # in the candidates' order
    return out, earned


def _earned_of_members(session: Session, candidates: Keys, members: list[int]) -> Earned:
    """SQLite: the highest completions earned of the candidates' achievements by the touched
    members (its planner probes the unique index for every `IN` list)."""
    out: Earned = {}
    for some in chunks(sorted(candidates)):
        for few in chunks(members):
            query = earned_query(Award.achievement_id.in_(some), Award.member_id.in_(few))
            for achievement_id, member_id, period_key, completion in session.execute(query):
                out.setdefault(achievement_id, {})[(member_id, period_key)] = completion or 0
    return out
