"""PostgreSQL: the bulk path's open candidate keys of a batch in one statement.

A candidate (achievement, member, period) is a touched key whose tally value passes the
test of one of the achievement's rule groups (``engine.bulk_evaluate``). On a long history
most of them are keys whose achievement, not repeatable, was earned long before: a monotone
rule (a count, a maximum) keeps passing once met. Here the test of every achievement and
the "already earned" probe are applied in the database, so that only the open keys (about
the awards of the batch) come back to Python: the earned ones are neither returned, sorted,
nor sent back for a second look-up.

Each touched key's tally value is read once (a probe of ``tally_progress``, or the min, max
and count of its ``tally_values``), then compared with the bounds of each test on its tally;
a passing key of an achievement that is not repeatable is kept only when no award of it was
earned by rule (a probe of the awards' unique index that stops at the first entry). Lateral
subqueries with a ``LIMIT`` or an aggregate keep every read a probe of exact keys: PostgreSQL
has no statistics of the temporary delta table, nor of the history when nothing analyzes it
(autovacuum off), and a plain join or ``NOT EXISTS`` let it choose plans that read whole
tables (see ``engine.store._KEYED_STATES``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from plaudit.rules.model import Aggregate, Operator

Keys = dict[int, list[tuple[int, str]]]
"""achievement id -> candidate (member, period) keys, sorted"""

_MEASURE = {
    Aggregate.COUNT: 0,
    Aggregate.SUM: 1,
    Aggregate.AVG: 2,
    Aggregate.COUNT_DISTINCT: 0,
    Aggregate.MIN: 1,
    Aggregate.MAX: 2,
}
"""Which of a key's three measures a test compares: (matched, total, average) for a count or
a sum tally, (distinct values, min, max) for a tally of values."""


@dataclass(frozen=True)
class OpenTest:
    """One rule group's test of one achievement, as bounds on one measure of one tally."""

    achievement_id: int
    tally_id: int
    aggregate: Aggregate
    low: float
    high: float
    once: bool
    """Not repeatable: a key that has earned the achievement by rule cannot give it again."""


def bounds(operator: Operator, target: float) -> tuple[float, float]:
    """The closed interval a value must lie in to pass: a tolerant superset of
    ``oracle.compare`` (never excludes a value that meets the rule)."""
    tolerance = 1e-6 * max(1.0, abs(target))
    if operator in (Operator.AT_LEAST, Operator.MORE_THAN):
        return target - tolerance, math.inf
    if operator in (Operator.AT_MOST, Operator.LESS_THAN):
        return -math.inf, target + tolerance
    return target - tolerance, target + tolerance


_OPEN_KEYS = text(
    """WITH tests AS (
        SELECT * FROM unnest(CAST(:a AS INTEGER[]), CAST(:t AS INTEGER[]),
                             CAST(:g AS INTEGER[]), CAST(:lo AS FLOAT8[]),
                             CAST(:hi AS FLOAT8[]), CAST(:once AS BOOLEAN[]))
            AS x(a, t, g, lo, hi, once)
    ), measured AS MATERIALIZED (
        SELECT d.tally_id AS t, d.member_id AS m, d.period_key AS p,
               CAST(s.matched AS FLOAT8) AS v0, CAST(s.total AS FLOAT8) AS v1,
               CAST(CASE WHEN s.n_values > 0 THEN s.total / s.n_values END AS FLOAT8) AS v2
        FROM bulk_delta AS d
        CROSS JOIN LATERAL (
            SELECT matched, n_values, total FROM tally_progress
            WHERE tally_id = d.tally_id AND member_id = d.member_id
              AND period_key = d.period_key
            LIMIT 1
        ) AS s
        WHERE d.tally_id = ANY(CAST(:sum_tallies AS INTEGER[]))
        UNION ALL
        SELECT d.tally_id, d.member_id, d.period_key,
               CAST(v.distinct_values AS FLOAT8), CAST(v.low AS FLOAT8), CAST(v.high AS FLOAT8)
        FROM bulk_delta AS d
        CROSS JOIN LATERAL (
            SELECT count(*) AS distinct_values, min("numeric") AS low, max("numeric") AS high
            FROM tally_values
            WHERE tally_id = d.tally_id AND member_id = d.member_id
              AND period_key = d.period_key AND n > 0
        ) AS v
        WHERE d.tally_id = ANY(CAST(:value_tallies AS INTEGER[])) AND v.distinct_values > 0
    )
    SELECT DISTINCT x.a, k.m, k.p
    FROM measured AS k
    JOIN tests AS x ON x.t = k.t
    LEFT JOIN LATERAL (
        SELECT 1 AS hit FROM awards
        WHERE x.once AND achievement_id = x.a AND member_id = k.m AND period_key = k.p
          AND origin = 'rule'
        LIMIT 1
    ) AS e ON true
    WHERE (CASE x.g WHEN 0 THEN k.v0 WHEN 1 THEN k.v1 ELSE k.v2 END) BETWEEN x.lo AND x.hi
      AND e.hit IS NULL"""
)


def open_keys(session: Session, tests: Iterable[OpenTest], value_tallies: set[int]) -> Keys:
    """Per achievement, the touched keys that pass one of its tests and, when it is not
    repeatable, have not earned it by rule (`value_tallies`: the tallies that keep values)."""
    chosen = sorted(
        set(tests), key=lambda x: (x.achievement_id, x.tally_id, _MEASURE[x.aggregate], x.low)
    )
    if not chosen:
        return {}
    tallies = {x.tally_id for x in chosen}
    params = {
        "a": [x.achievement_id for x in chosen],
        "t": [x.tally_id for x in chosen],
        "g": [_MEASURE[x.aggregate] for x in chosen],
        "lo": [x.low for x in chosen],
        "hi": [x.high for x in chosen],
        "once": [x.once for x in chosen],
        "sum_tallies": sorted(tallies - value_tallies),
        "value_tallies": sorted(tallies & value_tallies),
    }
    out: dict[int, list[tuple[int, str]]] = {}
    for a, m, p in session.connection().execute(_OPEN_KEYS, params):
        out.setdefault(a, []).append((m, p))
    for keys in out.values():
        keys.sort()
    return out
