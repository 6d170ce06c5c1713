"""Typed values: coercion, record data checks and every filter op."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from plaudit.rules import (
    FieldType,
    Filter,
    RuleProblem,
    check_record_data,
    coerce_value,
    matches,
    read_value,
)

N, S, B, D, DT = (
    FieldType.NUMBER,
    FieldType.STRING,
    FieldType.BOOLEAN,
    FieldType.DATE,
    FieldType.DATETIME,
)


@pytest.mark.parametrize(
    ("field_type", "raw", "expected"),
    [
        (N, 3, 3),
        (N, 2.5, 2.5),
        (S, "x", "x"),
        (B, False, False),
        (D, "2024-05-31", date(2024, 5, 31)),
        (DT, "2024-05-31T14:30:00+02:00", datetime(2024, 5, 31, 12, 30, tzinfo=UTC)),
        (DT, "2024-05-31T12:30:00Z", datetime(2024, 5, 31, 12, 30, tzinfo=UTC)),
    ],
)
def test_coerce_value_accepts(field_type: FieldType, raw: Any, expected: Any) -> None:
    value = coerce_value(field_type, raw)
    assert value == expected
    assert type(value) is type(expected)
    if isinstance(value, datetime):
        assert value.tzinfo is UTC


@pytest.mark.parametrize(
    ("field_type", "raw", "needle"),
    [
        (N, True, "number"),
        (N, "3", "number"),
        (N, float("inf"), "finite"),
        (S, 3, "string"),
        (B, "true", "true or false"),
        (B, 1, "true or false"),
        (D, "31/05/2024", "ISO date"),
        (D, "2024-05-31T10:00:00", "ISO date"),
        (D, 20240531, "ISO date"),
        (DT, "2024-05-31T14:30:00", "no offset"),
        (DT, "2024-05-31", "no offset"),
        (DT, "yesterday", "UTC offset"),
    ],
)
def test_coerce_value_refuses(field_type: FieldType, raw: Any, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        coerce_value(field_type, raw)


FIELDS = {"amount": N, "name": S, "ok": B, "day": D, "at": DT}


def test_check_record_data() -> None:
    assert check_record_data(FIELDS, {}) == []
    assert (
        check_record_data(
            FIELDS,
            {
                "amount": None,
                "name": "x",
                "ok": True,
                "day": "2024-01-01",
                "at": "2024-01-01T00:00:00Z",
            },
        )
        == []
    )
    problems = check_record_data(FIELDS, {"amount": "12", "bogus": 1, "at": "2024-01-01"})
    assert [p.loc for p in problems] == [("amount",), ("bogus",), ("at",)]
    assert "'amount' is a number field" in problems[0].message
    assert "unknown field 'bogus'" in problems[1].message
    assert "amount, at, day, name, ok" in problems[1].message
    assert "no offset" in problems[2].message
    assert isinstance(problems[0], RuleProblem)


def test_read_value_absent_cases() -> None:
    assert read_value(N, {"amount": 1}, "amount") == 1
    assert read_value(N, {}, "amount") is None
    assert read_value(N, {"amount": None}, "amount") is None
    assert read_value(None, {"amount": 1}, "amount") is None
    assert read_value(N, {"amount": "stale"}, "amount") is None


def _m(
    op: str, value: Any, field_type: FieldType | None, data: dict[str, Any], field: str = "f"
) -> bool:
    flt = Filter.model_validate(
        {"field": field, "op": op, "value": value}
        if value is not None
        else {"field": field, "op": op}
    )
    return matches(flt, field_type, data)


@pytest.mark.parametrize(
    ("op", "value", "field_type", "raw", "expected"),
    [
        ("eq", 5, N, 5.0, True),
        ("eq", 5, N, 6, False),
        ("eq", "Approved", S, "approved", False),
        ("eq", True, B, True, True),
        ("eq", "2024-05-31", D, "2024-05-31", True),
        ("eq", "2024-05-31T12:00:00Z", DT, "2024-05-31T14:00:00+02:00", True),
        ("ne", 5, N, 6, True),
        ("ne", 5, N, 5, False),
        ("in", ["a", "b"], S, "b", True),
        ("in", ["a", "b"], S, "c", False),
        ("not_in", ["a", "b"], S, "c", True),
        ("not_in", ["a", "b"], S, "a", False),
        ("gt", 10, N, 11, True),
        ("gt", 10, N, 10, False),
        ("gte", 10, N, 10, True),
        ("gte", 10, N, 9.5, False),
        ("lt", 10, N, 9, True),
        ("lt", 10, N, 10, False),
        ("lte", 10, N, 10, True),
        ("lte", 10, N, 10.5, False),
        ("gt", "2024-01-01", D, "2024-01-02", True),
        ("lt", "2024-01-01T00:00:00Z", DT, "2024-01-01T01:00:00+02:00", True),
        ("lt", "2024-01-01T00:00:00Z", DT, "2024-01-01T01:00:00+00:00", False),
        ("contains", "Corp", S, "Acme Corp", True),
        ("contains", "corp", S, "Acme Corp", False),
        ("exists", True, N, 0, True),
        ("exists", False, N, 0, False),
    ],
)
def test_every_filter_op_on_present_values(
    op: str, value: Any, field_type: FieldType, raw: Any, expected: bool
) -> None:
    assert _m(op, value, field_type, {"f": raw}) is expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", 1, False),
        ("ne", 1, True),
        ("in", [1], False),
        ("not_in", [1], True),
        ("gt", 1, False),
        ("gte", 1, False),
        ("lt", 1, False),
        ("lte", 1, False),
        ("exists", True, False),
        ("exists", False, True),
    ],
)
def test_absent_values(op: str, value: Any, expected: bool) -> None:
    for data in ({}, {"f": None}):
        assert _m(op, value, N, data) is expected
    assert _m(op, value, None, {"f": 1}) is expected  # a field the source does not define


def test_contains_on_string_values_only() -> None:
    assert _m("contains", "1", S, {"f": "x1"}) is True
    assert _m("contains", "1", N, {"f": 1}) is False


def test_filter_value_of_the_wrong_type_matches_nothing() -> None:
    assert _m("eq", "x", N, {"f": 1}) is False
    assert _m("ne", "x", N, {"f": 1}) is False
    assert _m("not_in", ["x"], N, {"f": 1}) is False
