"""Read a bulk-giving CSV: which column names the members, and each row's value and time.

The header decides: a `member_id`, `external_id` or `email` column (the `member_*` names of
the awards export are accepted too, so an export can be fed back). An optional `at` column gives
a time inside the period to give for, per row. Comma, semicolon or tab separated; UTF-8, with or
without a byte order mark. A file that cannot be read is refused whole.

`parse_member_list` reads the same files for the pages, where a `name` column is accepted too
(names are not unique, so the API and the command line take none).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from plaudit.errors import BadRequest, FieldError, InvalidInput, PayloadTooLarge
from plaudit.periods import start_of_local_day

MAX_ROWS = 10_000
_DELIMITERS = (",", ";", "\t")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class MemberKey(StrEnum):
    member_id = "member_id"
    external_id = "external_id"
    email = "email"


_HEADERS: dict[str, MemberKey] = {
    "member_id": MemberKey.member_id,
    "external_id": MemberKey.external_id,
    "member_external_id": MemberKey.external_id,
    "email": MemberKey.email,
    "e_mail": MemberKey.email,
    "member_email": MemberKey.email,
}
_PRIORITY = (MemberKey.member_id, MemberKey.external_id, MemberKey.email)
NAME = "name"
_NAME_HEADERS = frozenset({NAME, "member_name"})


@dataclass(frozen=True)
class BulkRow:
    row: int
    """The row as a spreadsheet numbers it: the header is row 1."""
    value: str
    at: datetime | None


@dataclass(frozen=True)
class BulkFile:
    identified_by: MemberKey
    rows: list[BulkRow]


def _normalise(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            detail=f"The file is not UTF-8 text (invalid byte at offset {exc.start}). Save it "
            "as 'CSV UTF-8'.",
            code="not_utf8",
        ) from exc
    if "\x00" in text:
        raise BadRequest(detail="The file is binary, not CSV text.", code="not_csv")
    if not text.strip():
        raise InvalidInput(
            detail="The file is empty: expected a header row naming member_id, external_id or "
            "email, then one row per member.",
            code="empty_file",
        )
    return text


def _header_and_delimiter(first_line: str, accepted: Collection[str]) -> tuple[list[str], str]:
    for delimiter in _DELIMITERS:
        names = [_normalise(n) for n in next(csv.reader([first_line], delimiter=delimiter))]
        if any(n in accepted for n in names):
            return names, delimiter
    expected = (
        "member_id, external_id or email"
        if NAME not in accepted
        else ("external_id, email or name (or member_id)")
    )
    raise InvalidInput(
        detail=f"The header row {first_line[:200]!r} names no member column: expected one of "
        f"{expected}.",
        code="no_member_column",
    )


def _column(names: list[str], by: MemberKey | None) -> tuple[MemberKey, int]:
    found: dict[MemberKey, int] = {}
    for index, name in enumerate(names):
        key = _HEADERS.get(name)
        if key is not None and key not in found:
            found[key] = index
    if by is not None:
        if by not in found:
            raise InvalidInput(
                detail=f"The header has no {by.value} column, which 'by' asks for.",
                field="by",
                code="no_member_column",
            )
        return by, found[by]
    key = next(k for k in _PRIORITY if k in found)
    return key, found[key]


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def parse_at(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 time with offset, or a date: the start of that day in the organisation's zone.
    Raises ValueError with the reason."""
    try:
        if _DATE.match(text):
            instant = start_of_local_day(date.fromisoformat(text), zone)
        else:
            try:
                instant = datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(
                    "expected a date such as 2026-11-18, or a time with its offset such as "
                    "2026-11-18T10:00:00+00:00"
                ) from None
            if instant.tzinfo is None or instant.utcoffset() is None:
                raise ValueError("a time needs its offset, e.g. 2026-11-18T10:00:00+00:00")
        year = instant.astimezone(UTC).year
    except OverflowError:
        year = 0
    # Stored in UTC and placed in periods that may end a year on: both must fit.
    if not 2 <= year <= 9998:
        raise ValueError("must be between the years 2 and 9998")
    return instant


def parse_bulk_csv(
    data: bytes, *, zone: ZoneInfo, by: MemberKey | None = None, max_rows: int = MAX_ROWS
) -> BulkFile:
    text = _decode(data)
    names, delimiter = _header_and_delimiter(text.splitlines()[0], _HEADERS)
    key, column = _column(names, by)
    return BulkFile(identified_by=key, rows=_rows(text, names, delimiter, column, zone, max_rows))


def parse_member_list(
    data: bytes, *, zone: ZoneInfo, max_rows: int = MAX_ROWS
) -> tuple[MemberKey | None, list[BulkRow]]:
    """A bulk file whose member column may also be `name` (or `member_name`), for the pages,
    where people type lists of names. Returns the key of the column (None: names, which the
    caller resolves to members) and the rows; the API's `parse_bulk_csv` takes no names."""
    text = _decode(data)
    accepted = {*_HEADERS, *_NAME_HEADERS}
    names, delimiter = _header_and_delimiter(text.splitlines()[0], accepted)
    if any(n in _HEADERS for n in names):
        key, column = _column(names, None)
        return key, _rows(text, names, delimiter, column, zone, max_rows)
    column = next(i for i, n in enumerate(names) if n in _NAME_HEADERS)
    return None, _rows(text, names, delimiter, column, zone, max_rows)


def _rows(
    text: str, names: list[str], delimiter: str, column: int, zone: ZoneInfo, max_rows: int
) -> list[BulkRow]:
    at_column = names.index("at") if "at" in names else None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[BulkRow] = []
    problems: list[FieldError] = []
    try:
        next(reader)
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= max_rows:
                raise PayloadTooLarge(
                    detail=f"A bulk file holds at most {max_rows} rows; split it.",
                    code="too_many_rows",
                )
            value = _cell(cells, column)
            at_text = _cell(cells, at_column)
            at = None
            if at_text:
                try:
                    at = parse_at(at_text, zone)
                except ValueError as exc:
                    message = f"row {number}: bad 'at' {at_text!r}: {exc}"
                    problems.append(FieldError(("file", number, "at"), message))
            rows.append(BulkRow(row=number, value=value, at=at))
    except csv.Error as exc:
        raise InvalidInput(
            detail=f"The file is not valid CSV near line {reader.line_num}: {exc}.",
            code="malformed_csv",
        ) from exc
    if problems:
        shown = "; ".join(p.message for p in problems[:5])
        raise InvalidInput(
            detail=f"{len(problems)} row(s) have a bad 'at'; nothing was given: {shown}",
            errors=problems,
            code="bad_rows",
        )
    return rows
