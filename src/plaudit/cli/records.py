"""`plaudit import SOURCE FILE`: bulk import of CSV or JSON Lines through the engine."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.orm import Session

from plaudit.cli.context import cli_session, load_settings
from plaudit.cli.import_rows import (
    FileProblem,
    ImportFormat,
    Problem,
    Row,
    guess_format,
    iter_rows,
)
from plaudit.clock import system_clock
from plaudit.errors import InvalidInput, NotFound
from plaudit.record.schemas import RecordParts
from plaudit.record.service import ingest_records, record_problems
from plaudit.rules.model import FieldType
from plaudit.source.service import get_source, list_sources

SHOWN_PROBLEMS = 50
T = TypeVar("T")


def import_records(
    source: Annotated[str, typer.Argument(help="The key of the source to import into.")],
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="The CSV or JSON Lines file."
        ),
    ],
    fmt: Annotated[
        ImportFormat | None,
        typer.Option(
            "--format",
            case_sensitive=False,
            help="File format; by default jsonl for .jsonl/.ndjson files, csv otherwise.",
        ),
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad", help="Import the good rows of a file with bad rows (and report the bad)."
        ),
    ] = False,
    batch_size: Annotated[
        int, typer.Option(min=1, max=50_000, help="Records handed to the engine at a time.")
    ] = 2000,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Check the file and say what the import would do (records created, updated, "
            "awards given), then write nothing.",
        ),
    ] = False,
) -> None:
    """Import records into SOURCE from a CSV or JSON Lines FILE, through the same engine as
    the API: progress and awards follow at once, and re-sent records (same external_id) are
    updated or left unchanged.

    CSV: a header row, then one record per row; UTF-8 (a BOM is fine), LF
    or CRLF line ends, double quotes around cells holding commas, quotes or
    line breaks. The columns:

    \b
      external_id         optional; makes re-importing idempotent
      member_id           the member's Plaudit id, or instead
      member_external_id  the member's external_id (one per row)
      occurred_at         ISO 8601 with an offset, e.g.
                          2026-11-18T10:00:00+01:00 or ...T09:00:00Z
      any other column    a field of the source, typed by its type:
                          number 42, -3, 12.5; boolean true/false,
                          yes/no, 1/0; date 2026-11-18; datetime as
                          occurred_at; string as written.
                          An empty cell leaves the field out.

    A column that is none of these is refused before any row is read.

    JSON Lines: one record object per line, as POST /sources/SOURCE/records
    takes it: {"external_id": .., "member_id": .., "occurred_at": ..,
    "data": {..}}.

    Every row is checked. Every bad row is reported with its row and line
    number, the field and the problem, and nothing at all is written unless
    --skip-bad is given: then the good rows are imported and the bad ones
    reported. The import is one transaction, read a batch at a time, so a
    file of any size fits in memory. --dry-run does all of it, says what it
    would have done, and takes it back. Exit status: 0
    when the records were imported (or the file had none), 1 when the file,
    a row or the source was refused, 2 for bad arguments.
    """
    fmt = fmt or guess_format(file)
    settings = load_settings()
    now = system_clock()
    with cli_session(settings) as session:
        fields = _source_fields(session, source)
        try:
            check, totals = _import_file(
                session,
                source,
                iter_rows(file, fmt, fields),
                _count_lines(file),
                batch_size,
                skip_bad=skip_bad,
                now=now,
                zone=settings.zone,
            )
        except FileProblem as exc:
            _fail(f"{exc.message} Nothing was imported.")
        if not check.rows:
            typer.echo(f"No records in {file}: nothing to import.")
            return
        if check.problems:
            _report(check)
            if not skip_bad:
                _fail(
                    "Nothing was imported. Fix those rows, or pass --skip-bad to import the others."
                )
        if dry_run:
            session.rollback()  # everything the import did, awards included, is taken back
    verb = "Would import" if dry_run else "Imported"
    given = "would be given" if dry_run else "given"
    typer.echo(
        f"{verb} {check.rows - len(check.bad_rows)} record(s) into {source!r}: "
        f"{totals['created']} created, {totals['updated']} updated, "
        f"{totals['unchanged']} unchanged; {totals['awards']} award(s) {given}; "
        f"{len(check.bad_rows)} bad row(s) skipped."
        + (" Dry run: nothing was written." if dry_run else "")
    )


def _fail(message: str) -> NoReturn:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


def _source_fields(session: Session, key: str) -> dict[str, FieldType]:
    try:
        source = get_source(session, key)
    except NotFound:
        known = ", ".join(s.key for s in list_sources(session)) or "none yet"
        _fail(f"Unknown source {key!r}; the sources are: {known}.")
    return source.field_types()


@dataclass
class FileCheck:
    """What checking a file found: its number of rows, the rows with problems, the number
    of problems and the first ones (in row order), which are what is shown."""

    rows: int = 0
    bad_rows: set[int] = field(default_factory=set)
    problems: int = 0
    shown: list[Problem] = field(default_factory=list)

    def add(self, rows: int, problems: list[Problem]) -> None:
        self.rows += rows
        self.problems += len(problems)
        self.bad_rows.update(p.row for p in problems)
        self.shown += problems[: SHOWN_PROBLEMS - len(self.shown)]


def _import_file(
    session: Session,
    source: str,
    rows: Iterable[Row],
    lines: int,
    batch_size: int,
    *,
    skip_bad: bool,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[FileCheck, dict[str, int]]:
    """Check and import the rows a batch at a time, in one reading of the file, so that
    memory holds one batch, never the file. Once a bad row is found (and `skip_bad` is not
    given) nothing more is imported, but the rest is still checked so that every problem is
    reported; the caller then fails, and the transaction takes back what was imported."""
    check = FileCheck()
    totals = {"created": 0, "updated": 0, "unchanged": 0, "awards": 0}
    # Progress goes to stderr: on a terminal it is a bar, elsewhere (CI, pipes) one line.
    with typer.progressbar(length=lines, label=f"Importing into {source}", file=sys.stderr) as bar:
        for batch in _chunks(rows, batch_size):
            problems = _problems(session, source, batch)
            check.add(len(batch), problems)
            bar.update(max(0, batch[-1].line - bar.pos))
            if check.problems and not skip_bad:
                continue
            bad = {p.row for p in problems}
            good = [r.record for r in batch if r.record is not None and r.row not in bad]
            if not good:
                continue
            try:
                outcome = ingest_records(session, source, good, now=now, zone=zone)
            except InvalidInput as exc:  # changed by another writer since the check
                _fail(f"Import stopped, nothing was written: {exc.detail}")
            totals["created"] += outcome.created
            totals["updated"] += outcome.updated
            totals["unchanged"] += outcome.unchanged
            totals["awards"] += len(outcome.award_ids)
        bar.update(max(0, lines - bar.pos))
    return check, totals


def _count_lines(path: Path) -> int:
    """The file's lines (a last line without a line end counts): the progress bar's length."""
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def _problems(session: Session, source: str, rows: list[Row]) -> list[Problem]:
    """The rows' own problems, then those only the database can tell (unknown members)."""
    problems = [p for r in rows for p in r.problems]
    parsed: list[tuple[int, RecordParts]] = [
        (i, checkable) for i, r in enumerate(rows) if (checkable := r.record or r.parts) is not None
    ]
    for error in record_problems(session, source, parsed):
        index = error.loc[1]
        assert isinstance(index, int)
        row = rows[index]
        where = ".".join(str(p) for p in error.loc[2:]) or "row"
        problems.append(Problem(row.row, row.line, where, error.message))
    return sorted(problems, key=lambda p: (p.row, p.field))


def _report(check: FileCheck) -> None:
    typer.secho(
        f"{check.problems} problem(s) in {len(check.bad_rows)} row(s):",
        err=True,
        fg=typer.colors.RED,
    )
    for problem in check.shown:
        typer.echo(f"  {problem}", err=True)
    if check.problems > len(check.shown):
        typer.echo(f"  ... and {check.problems - len(check.shown)} more", err=True)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
