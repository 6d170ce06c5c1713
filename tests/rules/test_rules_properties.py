"""Property tests: completions equal a brute-force search for the largest k."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from plaudit.rules import (
    FieldType,
    Operator,
    Rule,
    compare,
    completions,
    evaluate,
    repeat_count,
)
from plaudit.rules.oracle import MAX_COMPLETIONS

SOURCES = {"s": {"amount": FieldType.NUMBER}}


def brute_force(pairs: list[tuple[float, float]], *, tolerant: bool) -> int:
    k = 0
    while all(
        (
            compare(Operator.AT_LEAST, current, (k + 1) * target)
            if tolerant
            else current >= (k + 1) * target
        )
        for current, target in pairs
    ):
        k += 1
    return k


# Quarters are exact in binary, so exact and tolerant comparisons agree on them.
quarters = st.integers(min_value=0, max_value=2000).map(lambda n: n / 4)
positive_quarters = st.integers(min_value=1, max_value=400).map(lambda n: n / 4)


@given(st.lists(st.tuples(quarters, positive_quarters), min_size=1, max_size=4))
def test_repeat_count_matches_brute_force_on_exact_values(pairs: list[tuple[float, float]]) -> None:
    assert repeat_count(pairs) == min(brute_force(pairs, tolerant=False), MAX_COMPLETIONS)


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1000), st.floats(min_value=0.01, max_value=1000)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_repeat_count_matches_tolerant_brute_force_on_any_floats(
    pairs: list[tuple[float, float]],
) -> None:
    assert repeat_count(pairs) == min(brute_force(pairs, tolerant=True), MAX_COMPLETIONS)


@given(
    amounts=st.lists(st.one_of(st.none(), st.integers(0, 50).map(lambda n: n / 2)), max_size=30),
    count_target=st.integers(1, 10),
    sum_target=st.integers(1, 40).map(lambda n: n / 4),
)
def test_completions_match_brute_force_over_records(
    amounts: list[float | None], count_target: int, sum_target: float
) -> None:
    rules = [
        Rule.model_validate(
            {"source": "s", "aggregate": "count", "operator": "at_least", "value": count_target}
        ),
        Rule.model_validate(
            {
                "source": "s",
                "aggregate": "sum",
                "field": "amount",
                "operator": "at_least",
                "value": sum_target,
            }
        ),
    ]
    datas: list[dict[str, Any]] = [{} if a is None else {"amount": a} for a in amounts]
    currents = [float(len(datas)), sum(a for a in amounts if a is not None)]
    expected = brute_force(
        list(zip(currents, [count_target, sum_target], strict=True)), tolerant=False
    )
    got = completions([rules], SOURCES, {"s": datas}, repeatable=True)
    assert got == expected
    assert (got >= 1) is evaluate([rules], SOURCES, {"s": datas}).complete


def test_repeat_count_stops_at_the_most_completions_a_period_can_hold() -> None:
    # A record of 1e9 against a target of 1e-7 is 1e16 completions: capped, not written.
    assert repeat_count([(1e9, 1e-7)]) == MAX_COMPLETIONS
    assert repeat_count([(1e9, 1e-7), (3.0, 1.0)]) == 3
