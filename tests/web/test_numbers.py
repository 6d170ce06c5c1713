"""The pages' one way to write numbers: the `number` filter."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plaudit.web.numbers import format_number
from plaudit.web.pages import build_environment


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        (25, "25"),
        (1200, "1,200"),
        (-1234567, "-1,234,567"),
        (1234.0, "1,234"),
        (1234.5, "1,234.50"),
        (0.125, "0.12"),
        (Decimal("50000.00"), "50,000"),
        (Decimal("9999.999"), "10,000.00"),
        ("1200", "1,200"),
        ("12a", "12a"),  # a half-typed field is shown as typed
        ("", ""),
        (None, ""),
        (True, "True"),
        (float("nan"), "nan"),
    ],
)
def test_numbers_are_written_one_way(value: object, shown: str) -> None:
    assert format_number(value) == shown


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_numbers_read_back(value: int) -> None:
    shown = format_number(value)
    assert int(shown.replace(",", "")) == value
    groups = shown.lstrip("-").split(",")
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3


def test_the_templates_have_the_filter() -> None:
    template = build_environment().from_string("{{ 1234567|number }} points")
    assert template.render() == "1,234,567 points"
