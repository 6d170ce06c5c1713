"""`plaudit import SOURCE FILE`: bulk import of CSV or JSON Lines through the engine."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from plaudit.cli.context import cli_session, load_settings
from plaudit.clock import system_clock
from plaudit.errors import InvalidInput
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records, validate_records
from plaudit.rules.model import FieldType
from plaudit.source.service import get_source

RESERVED = ("external_id", "member_id", "member_external_id", "occurred_at")
_TRUE, _FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n"}


@dataclass
class BadRow:
    line: int
    message: str


def _csv_value(field_type: FieldType | None, text: str) -> Any:
    """CSV cells are text: turn them into the JSON value the source's field expects."""
    if text == "":
        return None
    if field_type == FieldType.NUMBER:
        try:
            number = float(text)
        except ValueError:
            return text  # left as text, so validation names the field
        return (
            int(number)
            if number.is_integer() and "." not in text and "e" not in text.lower()
            else number
        )
    if field_type == FieldType.BOOLEAN:
        lowered = text.strip().lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    return text


def read_rows(
    path: Path, fmt: str, fields: dict[str, FieldType]
) -> Iterator[tuple[int, dict[str, Any] | BadRow]]:
    """(line number, raw record or the reason it could not be read) for every row."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        if fmt == "jsonl":
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield line_no, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield line_no, BadRow(line_no, f"not valid JSON: {exc.msg}")
            return
        reader = csv.DictReader(handle)
        for row in reader:
            line_no = reader.line_num
            raw: dict[str, Any] = {
                k: v for k, v in row.items() if k in RESERVED and v not in ("", None)
            }
            if "member_id" in raw:
                raw["member_id"] = (
                    int(raw["member_id"]) if raw["member_id"].isdigit() else raw["member_id"]
                )
            raw["data"] = {
                k: _csv_value(fields.get(k), v or "")
                for k, v in row.items()
                if k not in RESERVED and k is not None
            }
            raw["data"] = {k: v for k, v in raw["data"].items() if v is not None}
            yield line_no, raw


def import_records(
    source: Annotated[str, typer.Argument(help="The source's key.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: by suffix).")
    ] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good rows of a file with bad rows.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option(min=1, max=50_000, help="Records per engine batch.")
    ] = 2000,
) -> None:
    """Import records from CSV (columns external_id, member_id or member_external_id,
    occurred_at, then one column per field) or JSON Lines (one record object per line).
    Nothing is written from a file with bad rows unless --skip-bad is given."""
    fmt = fmt or ("jsonl" if file.suffix.lower() in (".jsonl", ".ndjson") else "csv")
    if fmt not in ("csv", "jsonl"):
        typer.secho(f"Unknown format {fmt!r}: use csv or jsonl.", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    settings = load_settings()
    now = system_clock()
    with cli_session(settings) as session:
        src = get_source(session, source)
        fields = {name: FieldType(t) for name, t in src.field_types().items()}
        good: list[tuple[int, RecordIn]] = []
        bad: list[BadRow] = []
        for line_no, raw in read_rows(file, fmt, fields):
            if isinstance(raw, BadRow):
                bad.append(raw)
                continue
            try:
                good.append((line_no, RecordIn.model_validate(raw)))
            except ValidationError as exc:
                bad.extend(
                    BadRow(line_no, f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}")
                    for e in exc.errors()
                )
        for start in range(0, len(good), batch_size):
            chunk = good[start : start + batch_size]
            for index, message in validate_records(session, src, [r for _, r in chunk]):
                bad.append(BadRow(chunk[index][0], message))
        bad_lines = {b.line for b in bad}
        if bad:
            typer.secho(
                f"{len(bad)} problem(s) in {len(bad_lines)} row(s):", err=True, fg=typer.colors.RED
            )
            for b in sorted(bad, key=lambda b: b.line)[:50]:
                typer.echo(f"  line {b.line}: {b.message}", err=True)
            if len(bad) > 50:
                typer.echo(f"  ... and {len(bad) - 50} more", err=True)
            if not skip_bad:
                typer.secho("Nothing was imported. Fix the rows or pass --skip-bad.", err=True)
                raise typer.Exit(1)
        to_import = [r for line, r in good if line not in bad_lines]
        totals = {"created": 0, "updated": 0, "unchanged": 0, "awards": 0}
        with typer.progressbar(length=len(to_import), label=f"Importing into {source}") as bar:
            for start in range(0, len(to_import), batch_size):
                batch = to_import[start : start + batch_size]
                try:
                    outcome = ingest_records(session, source, batch, now=now, zone=settings.zone)
                except InvalidInput as exc:  # a race with another writer; roll back everything
                    typer.secho(f"Import stopped, nothing written: {exc.detail}", err=True)
                    raise typer.Exit(1) from exc
                totals["created"] += outcome.created
                totals["updated"] += outcome.updated
                totals["unchanged"] += outcome.unchanged
                totals["awards"] += len(outcome.award_ids)
                bar.update(len(batch))
    typer.echo(
        f"Imported {len(to_import)} record(s) into {source}: {totals['created']} created, "
        f"{totals['updated']} updated, {totals['unchanged']} unchanged, "
        f"{totals['awards']} award(s) given, {len(bad_lines)} bad row(s) skipped."
    )
