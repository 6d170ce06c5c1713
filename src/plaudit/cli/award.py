"""`plaudit award bulk ACHIEVEMENT FILE`: give an achievement to the members a CSV lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plaudit.bulk.parsing import MemberKey, parse_at, parse_bulk_csv
from plaudit.bulk.schemas import BulkResult
from plaudit.bulk.service import BulkOptions, find_achievement, give_in_bulk
from plaudit.cli.context import cli_actor, cli_session, load_settings
from plaudit.clock import system_clock
from plaudit.errors import PlauditError

award_app = typer.Typer(help="Give awards.", no_args_is_help=True)


def _report(result: BulkResult, key: str) -> None:
    verb = "Would give" if result.dry_run else "Gave"
    typer.echo(
        f"{verb} {len(result.given)} award(s) of {key} from {result.rows} row(s) "
        f"(members by {result.identified_by.value}); {len(result.unmatched)} unmatched, "
        f"{len(result.refused)} refused."
    )
    for u in result.unmatched:
        typer.echo(f"  row {u.row}: unmatched: {u.reason}", err=True)
    for r in result.refused:
        typer.echo(f"  row {r.row}: refused ({r.code}): {r.detail}", err=True)
    if result.dry_run:
        typer.echo("Dry run: nothing was given.")


@award_app.command("bulk")
def bulk(
    achievement: Annotated[str, typer.Argument(help="The achievement's id or key.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    at: Annotated[
        str | None,
        typer.Option(help="A time (ISO 8601 with offset) or date inside the period; default now."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would happen; give nothing.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Give nothing if any row is unmatched or refused.")
    ] = False,
    by: Annotated[
        MemberKey | None, typer.Option(help="The column naming members, when there are several.")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Recorded in the audit log.")] = None,
) -> None:
    """Give ACHIEVEMENT to every member FILE names (a CSV with a member_id, external_id or email
    column, and optionally at), in one transaction, exactly as POST
    /api/v1/achievements/{id}/awards/bulk does."""
    settings = load_settings()
    try:
        instant = parse_at(at, settings.zone) if at else None
    except ValueError as exc:
        typer.secho(f"Invalid --at {at!r}: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc
    options = BulkOptions(at=instant, dry_run=dry_run, strict=strict, reason=reason)
    with cli_session(settings) as session:
        target = find_achievement(session, achievement)
        try:
            parsed = parse_bulk_csv(file.read_bytes(), zone=settings.zone, by=by)
            result = give_in_bulk(
                session,
                target.id,
                parsed,
                options,
                actor=cli_actor(),
                now=system_clock(),
                zone=settings.zone,
            )
        except PlauditError as exc:
            typer.secho(f"Error: {exc.detail}", err=True, fg=typer.colors.RED)
            for err in exc.errors[:50]:
                typer.echo(f"  {err.message}", err=True)
            raise typer.Exit(1) from exc
        _report(result, target.key)
