"""A record's data in words, as the team page shows it."""

from __future__ import annotations

from plaudit.web.record_words import describe_data


def test_fields_come_in_the_sources_order_then_by_name() -> None:
    data = {"zeta": "z", "value": 1200.5, "stage": "won", "alpha": True}
    words = describe_data(data, ["value", "stage"])
    assert words == "value 1,200.50, stage won, alpha yes, zeta z"


def test_values_in_words() -> None:
    data = {"won": False, "tags": ["a", "b"], "note": None, "close_date": "2026-11-18"}
    words = describe_data(data, ["close_date", "won", "tags", "note"])
    assert words == "close date 2026-11-18, won no, tags a / b, note none"


def test_long_text_and_many_fields_are_cut_short() -> None:
    data = {f"f{n}": n for n in range(8)} | {"a": "x" * 100}
    words = describe_data(data)
    assert words.startswith("a " + "x" * 59 + "…, f0 0, f1 1, f2 2, f3 3")
    assert words.endswith("and 4 more fields")
    assert describe_data({}) == ""
