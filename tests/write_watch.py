"""Count the statements that may change rows, as SQLAlchemy sends them to any database.

Listen with `event.listen(Engine, "before_cursor_execute", watch)`: on the class, so that the
engines an application makes in its lifespan are watched too. A statement may change rows
unless it begins with a keyword that only reads or steers a transaction; a `WITH` counts as a
change, since a data-modifying CTE begins that way. Counting too much only costs time (the
caller looks again at what is stored); counting too little cannot happen for statements that
go through SQLAlchemy.
"""

from __future__ import annotations

from typing import Any

READ_ONLY_KEYWORDS = frozenset(
    {"SELECT", "SHOW", "SET", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "PRAGMA"}
)


def may_write(statement: str) -> bool:
    words = statement.lstrip(" \t\r\n(").split(None, 1)
    return not words or words[0].upper() not in READ_ONLY_KEYWORDS


class WriteWatch:
    """A `before_cursor_execute` listener: `count` grows by one per statement that may write."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self,
        _conn: Any,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        if may_write(statement):
            self.count += 1
