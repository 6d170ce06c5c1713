"""How large input may grow: every limit on lists and text that end up in SQL, in one place.

Input that grows a statement (a rule's filters, an `in` list, a group's member ids) is limited
when it is saved, with a 422 naming the limit and where the input broke it, so that

- every statement stays far inside the databases' parameter limits (SQLite binds at most
  32,766 host parameters, PostgreSQL 65,535): one rule is one statement on activation and on
  each ingested batch, and binds at most ``MAX_RULE_LIST_VALUES + MAX_FILTERS`` values plus a
  few for its window and period;
- activation and ingestion stay fast: a batch runs one statement per distinct rule of the
  active achievements reading its source, and building and running those costs in
  proportion to their filters and list values, which ``MAX_RULES``,
  ``MAX_REQUIREMENT_FILTERS`` and ``MAX_REQUIREMENT_LIST_VALUES`` bound per achievement
  (a 10,000-filter rule made every 500-record batch take 16 s instead of 85 ms).

Lists whose size the input does not bound (the ids of a batch's members, the awards of a
report) are looked up ``SQL_CHUNK`` at a time instead. docs/rules.md and docs/api.md list
these limits; tests/test_limits.py checks each one on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

MAX_RULE_GROUPS = 20
"""Rule groups (OR-ed) in an achievement's requirements."""
MAX_RULES_PER_GROUP = 20
"""Rules (AND-ed) in one rule group."""
MAX_RULES = 50
"""Rules in all the groups of an achievement together: each is a statement per batch."""
MAX_REQUIREMENT_FILTERS = 100
"""Filters in all the rules of an achievement together: every batch of records builds, and
the database runs, each of them for every record."""
MAX_REQUIREMENT_LIST_VALUES = 2_000
"""Values of all the `in` and `not_in` filters of an achievement's rules together."""
MAX_FILTERS = 50
"""Filters of one rule, of a source's default_where, of a record trigger's where, and of a
leaderboard's `where`."""
MAX_LIST_VALUES = 1_000
"""Values of one `in` or `not_in` filter (and of one `in`/`not_in` group condition)."""
MAX_RULE_LIST_VALUES = 2_000
"""Values of all the `in` and `not_in` filters of one rule (or one filter list) together:
each is one bound parameter of the rule's statement."""
MAX_FILTER_TEXT = 1_000
"""Characters of a filter's (or group condition's) text value, and of each text in a list."""
MAX_GROUP_CONDITIONS = 50
"""Ad hoc conditions of one group."""
MAX_GROUP_TEAMS = 1_000
"""Listed teams of one group (`team_ids`)."""
MAX_GROUP_MEMBERS = 10_000
"""Listed members of one group (`member_ids`)."""
MAX_AUDIENCE = 100
"""Groups in an achievement's audience."""
MAX_FORMULA_LENGTH = 2_000
"""Characters of a notification's formula."""
MAX_LEADERBOARD_WHERE = 20_000
"""Characters of the leaderboard's `where` query parameter (a JSON list of filters)."""

SQL_CHUNK = 500
"""Ids bound per `IN (...)` when a list the input does not bound is looked up in pieces."""

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = SQL_CHUNK) -> Iterator[Sequence[T]]:
    """`items` in consecutive pieces of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
