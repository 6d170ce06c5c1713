"""`plaudit consume`: apply record messages from NATS JetStream until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer
from sqlalchemy import make_url

from plaudit.cli.context import load_settings
from plaudit.db.engine import build_engine
from plaudit.db.migrate import is_current
from plaudit.db.session import build_sessionmaker
from plaudit.intake.consumer import (
    DEFAULT_SUBJECTS,
    ConsumeOptions,
    Consumer,
    NatsUnreachable,
    StreamGap,
)
from plaudit.intake.leases import LEASE_SECONDS
from plaudit.observability.logs import configure_logging


def consume(
    nats_url: Annotated[
        str, typer.Option("--nats", help="The NATS server (JetStream enabled).")
    ] = "nats://127.0.0.1:4222",
    stream: Annotated[
        str, typer.Option(help="The JetStream stream; created when missing.")
    ] = "PLAUDIT_RECORDS",
    partitions: Annotated[
        int,
        typer.Option(
            min=1,
            max=1024,
            help="How many partitions the members are spread over; every process consuming "
            "the stream must give the same number.",
        ),
    ] = 4,
    subjects: Annotated[
        str, typer.Option(help="The subjects the stream captures, when this creates it.")
    ] = DEFAULT_SUBJECTS,
    database_url: Annotated[
        str | None, typer.Option(help="Overrides PLAUDIT_DATABASE_URL.")
    ] = None,
    lease_seconds: Annotated[
        float,
        typer.Option(
            min=1.0,
            max=3600.0,
            help="How long a partition stays with a process that stops renewing it (each "
            "process renews every third of it): how soon a killed process's partitions are "
            "taken over.",
        ),
    ] = LEASE_SECONDS,
) -> None:
    """Apply the record messages published on plaudit.records.<source key>, each exactly
    once, claiming a fair share of the partitions with the other consumer processes. Runs
    until SIGTERM or SIGINT, then finishes the current message and gives back its partitions."""
    settings = load_settings(database_url)
    configure_logging(settings.log_level, settings.log_format)
    engine = build_engine(settings.sqlalchemy_url)
    if not is_current(engine):
        engine.dispose()
        shown = make_url(settings.database_url).render_as_string(hide_password=True)
        typer.secho(
            f"The database {shown} does not have the current schema: run `plaudit migrate` first.",
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(1)
    options = ConsumeOptions(
        nats_url=nats_url,
        stream=stream,
        partitions=partitions,
        subjects=subjects,
        lease_seconds=lease_seconds,
    )
    consumer = Consumer(options, build_sessionmaker(engine), settings.zone)
    typer.echo(f"Consuming {stream} ({partitions} partitions) from {nats_url} as {options.owner}")
    try:
        asyncio.run(_run_until_signal(consumer))
    except (StreamGap, NatsUnreachable) as exc:
        typer.secho(f"Error: {exc}.", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    typer.echo(f"Stopped after applying {consumer.applied} record(s).")
    logging.getLogger("plaudit.intake").info("stopped")


async def _run_until_signal(consumer: Consumer) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await consumer.run(stop)
