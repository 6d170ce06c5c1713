"""The one shape of a complaint about rules or record data: where it is and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleProblem:
    """One problem. `loc` is relative to what was checked, e.g. ``(0, 1, "where", 0, "field")``
    inside requirements, or ``("amount",)`` inside a record's data."""

    loc: tuple[str | int, ...]
    message: str
