"""`plaudit close-periods`: decide the periods that have ended, once, then exit."""

from __future__ import annotations

import typer

from plaudit.cli.context import cli_session, load_settings
from plaudit.clock import system_clock
from plaudit.engine.closing import close_periods
from plaudit.leaderboard.season.closing import close_seasons


def close_periods_command() -> None:
    """Award what rules with an upper bound (at most, less than, exactly) make due in the
    periods that have ended. `plaudit serve` does this every PLAUDIT_PERIOD_CLOSE_SECONDS;
    this command is for processes that run without it (PLAUDIT_PERIOD_CLOSER=false) or cron.
    Then archives the seasons of seasonal leaderboards that have ended, and gives their
    season awards."""
    settings = load_settings()
    now = system_clock()
    with cli_session(settings) as session:
        awarded = close_periods(session, now=now, zone=settings.zone)
    with cli_session(settings) as session:
        seasons = close_seasons(session, now=now, zone=settings.zone)
    typer.echo(
        f"Decided the periods that have ended: {len(awarded)} new award(s), "
        f"{len(seasons)} season(s) archived."
    )
