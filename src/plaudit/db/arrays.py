"""Sending many repeated strings to PostgreSQL as array parameters.

psycopg dumps a ``list[str]`` element by element and checks every string with a regular
expression (does it need quoting?); the bulk path's arrays of keys hold a few period keys
repeated thousands of times. Sent instead as the short list of distinct values and one
integer per element, a 1-based index into it (``(CAST(:values AS VARCHAR[]))[k.i]`` in SQL),
the strings are dumped once each.
"""

from __future__ import annotations

from collections.abc import Iterable


def indexed(values: Iterable[str]) -> tuple[list[str], list[int]]:
    """(the distinct values in order of first use, the 1-based index of each value)."""
    position: dict[str, int] = {}
    indexes = [position.setdefault(v, len(position) + 1) for v in values]
    return list(position), indexes
