"""Reading an import file: CSV or JSON Lines rows turned into records, or into located problems.

CSV cells are text, so they are typed here by the source's field types before the records
meet the same validation as the API's; JSON Lines carry JSON values and are taken as they are.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from plaudit.kit.schemas import INSTANT_EXAMPLE, error_message
from plaudit.record.schemas import RecordIn, RecordParts, valid_parts
from plaudit.rules.model import FieldType
from plaudit.rules.values import coerce_value

RESERVED = ("external_id", "member_id", "member_external_id", "occurred_at")
"""CSV columns that are the record's own; every other column is a field of the source."""

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})
_INTEGER = re.compile(r"[+-]?\d+")


class ImportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


class FileProblem(Exception):
    """The file as a whole cannot be imported (encoding, header): no row is looked at."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One problem of one row. `row` counts records (not the CSV header, not blank lines);
    `line` is the line of the file the row starts on."""

    row: int
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row} (line {self.line}), {self.field}: {self.message}"


@dataclass
class Row:
    row: int
    line: int
    record: RecordIn | None
    problems: list[Problem] = field(default_factory=list)
    parts: RecordParts | None = None
    """Of a row with problems, what the database can still check."""


def guess_format(path: Path) -> ImportFormat:
    suffix = path.suffix.lower()
    return ImportFormat.jsonl if suffix in (".jsonl", ".ndjson") else ImportFormat.csv


def iter_rows(path: Path, fmt: ImportFormat, fields: Mapping[str, FieldType]) -> Iterator[Row]:
    """Each row of the file, parsed, read as it is consumed (a file of millions of rows is
    never held in memory). Raises FileProblem when the file itself is unusable."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            if fmt is ImportFormat.jsonl:
                yield from _jsonl_rows(handle)
            else:
                yield from _csv_rows(handle, fields)
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"{path} is not UTF-8 text (byte {exc.start} cannot be decoded); "
            "save it as UTF-8 and import it again."
        ) from exc
    except csv.Error as exc:
        raise FileProblem(f"{path} is not valid CSV: {exc}.") from exc


def _jsonl_rows(lines: Iterable[str]) -> Iterator[Row]:
    row = 0
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        row += 1
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Row(row, line_no, None, [Problem(row, line_no, "row", f"not JSON: {exc.msg}")])
            continue
        if not isinstance(raw, dict):
            message = "expected a JSON object (one record per line)"
            yield Row(row, line_no, None, [Problem(row, line_no, "row", message)])
            continue
        yield _validated(row, line_no, raw, [])


def _check_header(header: list[str], fields: Mapping[str, FieldType]) -> None:
    unnamed = [str(i) for i, name in enumerate(header, start=1) if not name]
    if unnamed:
        raise FileProblem(f"Column(s) {', '.join(unnamed)} of the header have no name.")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise FileProblem(f"Column(s) named more than once in the header: {', '.join(repeated)}.")
    unknown = [name for name in header if name not in RESERVED and name not in fields]
    if unknown:
        known = ", ".join(sorted(fields)) or "none"
        raise FileProblem(
            f"Unknown column(s) {', '.join(map(repr, unknown))}: a column is one of "
            f"{', '.join(RESERVED)}, or a field of the source (its fields: {known})."
        )
    if "occurred_at" not in header:
        raise FileProblem("The header has no 'occurred_at' column.")
    if "member_id" not in header and "member_external_id" not in header:
        raise FileProblem("The header needs a 'member_id' or a 'member_external_id' column.")


def _csv_records(handle: Iterable[str]) -> Iterator[tuple[list[str], int]]:
    """Each CSV record's cells and the line it ends on; a malformed record raises csv.Error
    saying on which line it starts.

    The reader is strict: a lenient one takes a quote that is never closed as running to the
    end of the file, and would store all that follows it as one cell."""
    reader = csv.reader(handle, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise csv.Error(_malformed(str(exc), start, reader.line_num)) from exc
        yield cells, reader.line_num


def _malformed(error: str, start: int, end: int) -> str:
    if error == "unexpected end of data":
        return (
            f"the row starting on line {start} has a quoted cell that is never closed "
            '(the file ends inside the quotes; a " in a quoted cell is written twice: "")'
        )
    if "expected after" in error:
        error = (
            'a quoted cell has text after its closing " (a " in a quoted cell is written twice: "")'
        )
    where = f"line {end}" if end == start else f"line {end}, in the row starting on line {start}"
    return f"{where}: {error}"


def _csv_rows(handle: Iterable[str], fields: Mapping[str, FieldType]) -> Iterator[Row]:
    header: list[str] | None = None
    row, last_line = 0, 0
    for cells, end_line in _csv_records(handle):
        line_no, last_line = last_line + 1, end_line
        if not any(cell.strip() for cell in cells):
            continue  # blank lines (and lines of empty cells) are not rows
        if header is None:
            header = [name.strip() for name in cells]
            _check_header(header, fields)
            continue
        row += 1
        if len(cells) < len(header) or any(c.strip() for c in cells[len(header) :]):
            message = f"has {len(cells)} cells; the header has {len(header)} columns"
            yield Row(row, line_no, None, [Problem(row, line_no, "row", message)])
            continue
        problems: list[Problem] = []
        raw: dict[str, Any] = {}
        data: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=False):
            if name in RESERVED:
                if cell.strip():
                    raw[name] = _reserved_value(name, cell.strip())
                continue
            try:
                value = csv_value(fields[name], cell)
            except ValueError as exc:
                message = f"{name!r} is a {fields[name]} field: {exc}"
                problems.append(Problem(row, line_no, f"data.{name}", message))
                continue
            if value is not None:
                data[name] = value
        raw["data"] = data
        yield _validated(row, line_no, raw, problems)


def _reserved_value(name: str, text: str) -> Any:
    """A CSV cell as the JSON value of a record's own field: member_id is a number there (the
    API takes no "3" for an id), the other columns are text."""
    return int(text) if name == "member_id" and _INTEGER.fullmatch(text) else text


def csv_value(field_type: FieldType, cell: str) -> Any:
    """A CSV cell as the JSON value a field of `field_type` takes; None for an empty cell."""
    text = cell.strip()
    if text == "":
        return None
    if field_type is FieldType.NUMBER:
        if _INTEGER.fullmatch(text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a number such as 42 or 12.5, got {text!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"expected a finite number, got {text!r}")
        return number
    if field_type is FieldType.BOOLEAN:
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise ValueError(f"expected true/false, yes/no or 1/0, got {text!r}")
    if field_type is FieldType.STRING:
        return cell  # text is kept exactly as written, spaces and line breaks included
    coerce_value(field_type, text)  # dates and datetimes stay ISO text, checked as the API does
    return text


def _validated(row: int, line: int, raw: dict[str, Any], problems: list[Problem]) -> Row:
    """The row as a record, or its problems and its valid parts (whose member and data the
    database checks too, so that one report names every problem of a row)."""
    try:
        record = RecordIn.model_validate(raw)
    except ValidationError as exc:
        failed: list[tuple[Any, ...]] = []
        for error in exc.errors():
            failed.append(tuple(error["loc"]))
            where = ".".join(str(p) for p in error["loc"]) or "row"
            message = error_message(error)
            if where == "occurred_at" and error["type"] != "value_error":
                # A missing time; what the time itself got wrong already says what it needs.
                message += f"; expected ISO 8601 with an offset, e.g. {INSTANT_EXAMPLE}"
            problems.append(Problem(row, line, where, message))
        parts, problem = valid_parts(raw, failed)
        if problem is not None:
            problems.append(Problem(row, line, "row", problem))
        return Row(row, line, None, problems, parts)
    if problems:  # bad cells, left out of a record that is otherwise valid
        return Row(row, line, None, problems, record)
    return Row(row, line, record, problems)
