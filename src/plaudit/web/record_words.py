"""A record's data in words, for activity lists: "value 1,200, stage won".

Fields come in the order the source declares them (then any others, by name); numbers are
written as the `number` filter writes them, yes/no for true/false, long text cut short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plaudit.web.numbers import format_number

MAX_FIELDS = 5
MAX_TEXT = 60


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list):
        return " / ".join(_value(v) for v in value)
    if value is None:
        return "none"
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


def describe_data(data: Mapping[str, Any], declared: Sequence[str] = ()) -> str:
    """`{"stage": "won", "value": 1200}` with fields ["value", "stage"] -> "value 1,200,
    stage won"; empty data -> ""."""
    known = [name for name in declared if name in data]
    order = known + sorted(name for name in data if name not in known)
    parts = [f"{name.replace('_', ' ')} {_value(data[name])}" for name in order[:MAX_FIELDS]]
    more = len(order) - MAX_FIELDS
    if more > 0:
        parts.append(f"and {more} more field{'s' if more != 1 else ''}")
    return ", ".join(parts)
