"""One way to write numbers on every page (the `number` filter of the templates): thousands
separated by commas, whole numbers without decimals, any other with two.

    1234 -> "1,234"    1234.0 -> "1,234"    1234.5 -> "1,234.50"    "25" -> "25"

Text that is not a number (a half-typed form field) is shown as it is.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation


def format_number(value: object) -> str:
    number = _as_number(value)
    if number is None:
        return "" if value is None else str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,.2f}"


def _as_number(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if not text or not text.lstrip("+-").replace(".", "", 1).isdigit():
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return None
