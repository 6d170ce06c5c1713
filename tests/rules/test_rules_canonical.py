"""The one-pass check and canonicalisation agrees with the two separate passes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from plaudit.rules import FieldType, check_record_data
from plaudit.rules.canonical import canonical_scalar, checked_canonical_data

FIELDS = {
    "amount": FieldType.NUMBER,
    "name": FieldType.STRING,
    "ok": FieldType.BOOLEAN,
    "day": FieldType.DATE,
    "at": FieldType.DATETIME,
}


def canonical_data(fields: dict[str, FieldType], data: dict[str, Any]) -> dict[str, Any]:
    """The two-pass reference: each field's canonical form after ``check_record_data``."""
    return {
        name: canonical_scalar(fields[name], raw)
        for name, raw in data.items()
        if raw is not None and name in fields
    }


_raw = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**54), max_value=2**54),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["2024-05-31T14:30:00+02:00", "2024-05-31T12:30:00Z", "2024-02-30"]),
)


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from([*FIELDS, "bogus"]), _raw, max_size=6))
def test_one_pass_matches_check_then_canonicalise(data: dict[str, Any]) -> None:
    canonical, problems = checked_canonical_data(FIELDS, data)
    assert problems == check_record_data(FIELDS, data)
    if not problems:
        expected = canonical_data(FIELDS, data)
        assert canonical == expected
        assert list(canonical) == list(expected)
        assert [type(v) for v in canonical.values()] == [type(v) for v in expected.values()]
