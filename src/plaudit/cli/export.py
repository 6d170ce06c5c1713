"""`plaudit export awards`: the awards CSV of GET /exports/awards.csv, to a file or stdout."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from pydantic import ValidationError

from plaudit.award.schemas import AwardFilters
from plaudit.cli.context import load_settings
from plaudit.clock import system_clock
from plaudit.db.engine import build_engine
from plaudit.domain.origins import AwardOrigin
from plaudit.export.service import stream_awards_csv

export_app = typer.Typer(help="Export data as CSV.", no_args_is_help=True)


def _filters(**values: object) -> AwardFilters:
    try:
        return AwardFilters.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "input"
            typer.secho(f"Invalid {where}: {err['msg']}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc


@export_app.command("awards")
def export_awards(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="File to write; default stdout."),
    ] = None,
    member_id: Annotated[int | None, typer.Option(help="Only this member's awards.")] = None,
    team_id: Annotated[int | None, typer.Option(help="Only awards of this team's members.")] = None,
    achievement_id: Annotated[int | None, typer.Option(help="Only this achievement.")] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Only active (or only inactive) awards."),
    ] = None,
    source: Annotated[AwardOrigin | None, typer.Option(help="Only awards given this way.")] = None,
    awarded_after: Annotated[
        str | None, typer.Option(help="Given at or after (ISO 8601 with offset).")
    ] = None,
    awarded_before: Annotated[
        str | None, typer.Option(help="Given before (ISO 8601 with offset).")
    ] = None,
    bom: Annotated[
        bool, typer.Option("--bom", help="Start with a UTF-8 byte order mark (for Excel).")
    ] = False,
) -> None:
    """Write awards as CSV with a header row: the same columns and filters as
    GET /api/v1/exports/awards.csv. Streams, so any number of awards fits in little memory."""
    filters = _filters(
        member_id=member_id,
        team_id=team_id,
        achievement_id=achievement_id,
        active=active,
        source=source,
        awarded_after=awarded_after,
        awarded_before=awarded_before,
    )
    settings = load_settings()
    engine = build_engine(settings.sqlalchemy_url)
    written = 0

    def count(rows: int) -> None:
        nonlocal written
        written += rows

    try:
        chunks = stream_awards_csv(engine, filters, now=system_clock(), bom=bom, on_rows=count)
        if output is None:
            _write(chunks, typer.get_binary_stream("stdout"))
            return
        try:
            with output.open("wb") as handle:
                _write(chunks, handle)
        except BaseException:
            with contextlib.suppress(OSError):
                output.unlink()
            raise
        typer.echo(f"Exported {written} award(s) to {output}.", err=True)
    finally:
        engine.dispose()


def _write(chunks: Iterable[bytes], handle: BinaryIO) -> None:
    for chunk in chunks:
        handle.write(chunk)
    handle.flush()
