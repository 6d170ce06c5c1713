"""Awards as CSV: one query with the award list's filters, streamed in bounded memory.

Rows come from a server-side cursor (PostgreSQL) or SQLite's lazy cursor in batches; each batch
is written with the csv module into a small buffer and handed on as UTF-8 bytes, so a million
awards export without ever being held in memory together.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, select

from plaudit.award.schemas import AwardFilters, award_is_active
from plaudit.award.service import award_filter_clauses
from plaudit.db.snapshot import read_snapshot
from plaudit.models import Achievement, Award, Member, Team

BOM = "\ufeff"
BATCH_SIZE = 2000

COLUMNS: tuple[str, ...] = (
    "id",
    "achievement_id",
    "achievement_key",
    "achievement_name",
    "achievement_version",
    "member_id",
    "member_name",
    "member_email",
    "member_external_id",
    "team_id",
    "team_name",
    "team_external_id",
    "points",
    "awarded_at",
    "period",
    "period_start",
    "period_end",
    "completion",
    "source",
    "given_by",
    "active",
    "revoked",
    "revoked_at",
    "revoked_by",
    "revoke_reason",
)
"""The CSV header, in order. docs/monitoring.md describes each column."""


def export_query(filters: AwardFilters, *, now: datetime) -> Select[*tuple[Any, ...]]:
    """The awards matching `filters` (the same clauses as GET /awards), oldest id first."""
    return (
        select(
            Award.id,
            Award.achievement_id,
            Achievement.key,
            Achievement.name,
            Award.achievement_version,
            Award.member_id,
            Member.name,
            Member.email,
            Member.external_id,
            Member.team_id,
            Team.name,
            Team.external_id,
            Award.points,
            Award.awarded_at,
            Award.period_key,
            Award.period_start,
            Award.period_end,
            Award.completion,
            Award.origin,
            Award.given_by,
            Award.revoked,
            Award.revoked_at,
            Award.revoked_by,
            Award.revoke_reason,
        )
        .join(Achievement, Achievement.id == Award.achievement_id)
        .join(Member, Member.id == Award.member_id)
        .outerjoin(Team, Team.id == Member.team_id)
        .where(*award_filter_clauses(filters, now=now))
        .order_by(Award.id)
    )


def _iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _flag(value: bool) -> str:
    return "true" if value else "false"


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str | None:
    """Free text as a cell a spreadsheet shows as text: a leading `=`, `+`, `-`, `@`, tab or
    carriage return would make Excel, LibreOffice or Google Sheets run it as a formula
    (CSV injection), so such a value gets a leading apostrophe (OWASP's advice)."""
    if value and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_values(row: Sequence[Any], now: datetime) -> list[object]:
    """One award row as CSV cells: ISO 8601 with offset, true/false, empty for null, free
    text kept from running as a spreadsheet formula."""
    (
        award_id, achievement_id, key, name, version, member_id, member_name, email,
        external_id, team_id, team_name, team_external_id, points, awarded_at, period,
        start, end, completion, origin, given_by, revoked, revoked_at, revoked_by, reason,
    ) = row  # fmt: skip
    return [
        award_id,
        achievement_id,
        _text(key),
        _text(name),
        version,
        member_id,
        _text(member_name),
        _text(email),
        _text(external_id),
        team_id,
        _text(team_name),
        _text(team_external_id),
        points,
        _iso(awarded_at),
        period,
        _iso(start),
        _iso(end),
        completion,
        origin,
        _text(given_by),
        _flag(award_is_active(revoked, start, end, now)),
        _flag(revoked),
        _iso(revoked_at),
        _text(revoked_by),
        _text(reason),
    ]


def iter_awards_csv(
    connection: Connection,
    filters: AwardFilters,
    *,
    now: datetime,
    bom: bool = False,
    batch_size: int = BATCH_SIZE,
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The CSV file in chunks of about `batch_size` rows: header first, then the awards.

    The query runs before the header is produced, so a caller that takes the first chunk
    before answering still reports a database failure as an error rather than a cut file."""
    query = export_query(filters, now=now).execution_options(yield_per=batch_size)
    result = connection.execute(query)
    buffer = io.StringIO()
    # csv's default dialect quotes only where needed and ends lines with CRLF (RFC 4180).
    writer = csv.writer(buffer)
    if bom:
        buffer.write(BOM)
    writer.writerow(COLUMNS)
    yield buffer.getvalue().encode("utf-8")
    for batch in result.partitions():
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(csv_values(row, now) for row in batch)
        if on_rows is not None:
            on_rows(len(batch))
        yield buffer.getvalue().encode("utf-8")


def stream_awards_csv(
    engine: Engine,
    filters: AwardFilters,
    *,
    now: datetime,
    bom: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """iter_awards_csv inside its own read-only snapshot, for a response that outlives the
    request's session: the connection is released when the stream ends or is abandoned."""
    with read_snapshot(engine) as connection:
        yield from iter_awards_csv(connection, filters, now=now, bom=bom, on_rows=on_rows)
