"""`plaudit consume`: JetStream pull consumers that apply record messages exactly once.

Partition k of N reads the WHOLE stream through the durable consumer `plaudit-p<k>-of-<N>`
and applies only its members' records (apply.py). Where the consumer starts is decided by
the database, not by JetStream: whenever this process takes up a partition, or finds a
message that is not the next one, it recreates the durable consumer at the partition's
stored offset + 1. JetStream acks only keep the flow going; a message committed but not
acked (a crash in between) is redelivered and skipped as a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from nats.js.errors import NotFoundError
from sqlalchemy.orm import Session, sessionmaker

from plaudit.clock import system_clock
from plaudit.db.session import unit_of_work
from plaudit.intake import leases
from plaudit.intake.apply import Applied, Outcome, apply_message, lock_offset
from plaudit.intake.messages import DEAD_PREFIX

log = logging.getLogger("plaudit.intake")

DEFAULT_SUBJECTS = "plaudit.records.>"
PROBLEM_HEADER = "Plaudit-Problem"


class NatsUnreachable(Exception):
    """No NATS server answers at the URL given (checked once, at the start)."""


class StreamGap(Exception):
    """The stream no longer holds the next message of a partition (deleted or expired)."""


@dataclass
class ConsumeOptions:
    nats_url: str
    stream: str
    partitions: int
    subjects: str = DEFAULT_SUBJECTS
    """The stream's subjects when this creates it, comma-separated."""
    owner: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    )
    batch: int = 200
    lease_seconds: float = leases.LEASE_SECONDS
    renew_seconds: float | None = None
    """How often the leases are renewed; by default a third of `lease_seconds`, so that a
    late renewal or two still keeps them."""

    @property
    def renew_interval(self) -> float:
        return self.renew_seconds if self.renew_seconds is not None else self.lease_seconds / 3


def durable_name(partition: int, partitions: int) -> str:
    return f"plaudit-p{partition}-of-{partitions}"


async def ensure_stream(js: JetStreamContext, stream: str, subjects: str) -> None:
    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(name=stream, subjects=[s.strip() for s in subjects.split(",")])
        )


class Consumer:
    """One consumer process: claims partitions and applies their messages until stopped."""

    def __init__(
        self, options: ConsumeOptions, factory: sessionmaker[Session], zone: ZoneInfo
    ) -> None:
        self.options = options
        self.factory = factory
        self.zone = zone
        self.readers: dict[int, JetStreamContext.PullSubscription] = {}
        self.applied = 0

    async def run(self, stop: asyncio.Event) -> None:
        nc = await connect(self.options.nats_url, self.options.owner)
        js = nc.jetstream()
        try:
            await ensure_stream(js, self.options.stream, self.options.subjects)
            renewed = 0.0
            while not stop.is_set():
                if time.monotonic() - renewed >= self.options.renew_interval:
                    await self._renew(js)
                    renewed = time.monotonic()
                if not self.readers:
                    await _wait(stop, 0.5)
                    continue
                for partition in sorted(self.readers):
                    if stop.is_set():
                        break
                    await self._drain(nc, js, partition, stop)
        finally:
            for sub in self.readers.values():
                await _quietly(sub.unsubscribe())
            self.readers.clear()
            with unit_of_work(self.factory) as session:
                leases.release(
                    session, self.options.stream, self.options.partitions, self.options.owner
                )
            await _quietly(nc.drain())

    async def _renew(self, js: JetStreamContext) -> None:
        o = self.options
        with unit_of_work(self.factory) as session:
            held = leases.renew(
                session,
                o.stream,
                o.partitions,
                o.owner,
                now=system_clock(),
                lease_seconds=o.lease_seconds,
            )
        for partition in set(self.readers) - held:
            log.info("partition %s of %s: given up", partition, o.partitions)
            await _quietly(self.readers.pop(partition).unsubscribe())
        for partition in sorted(held - set(self.readers)):
            log.info("partition %s of %s: taken", partition, o.partitions)
            await self._open(js, partition)

    async def _open(self, js: JetStreamContext, partition: int) -> None:
        """(Re)create the partition's durable consumer at its stored offset + 1."""
        o = self.options
        old = self.readers.pop(partition, None)
        if old is not None:
            await _quietly(old.unsubscribe())
        name = durable_name(partition, o.partitions)
        info = await js.stream_info(o.stream)
        first = max(1, info.state.first_seq)
        with unit_of_work(self.factory) as session:
            last = lock_offset(
                session, o.stream, o.partitions, partition, start=first
            ).last_sequence
        if last + 1 < first:
            raise StreamGap(
                f"stream {o.stream} starts at sequence {first}, but partition {partition} "
                f"of {o.partitions} has applied only up to {last}: messages were lost"
            )
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(o.stream, name)
        await js.add_consumer(
            o.stream,
            ConsumerConfig(
                durable_name=name,
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=last + 1,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=30,
                max_ack_pending=10 * o.batch,
            ),
        )
        self.readers[partition] = await js.pull_subscribe_bind(durable=name, stream=o.stream)

    async def _drain(
        self, nc: Client, js: JetStreamContext, partition: int, stop: asyncio.Event
    ) -> None:
        """Apply what the partition's consumer has now, in order."""
        try:
            msgs = await self.readers[partition].fetch(self.options.batch, timeout=0.2)
        except NatsTimeout:
            return
        except Exception:  # the consumer was recreated elsewhere, NATS restarting, ...
            log.warning("partition %s: fetch failed; reopening", partition, exc_info=True)
            await _wait(stop, 0.5)
            await self._open(js, partition)
            return
        for msg in msgs:
            if stop.is_set():
                return  # not acked: the next owner starts from the stored offset
            try:
                result = self._apply(partition, msg)
            except Exception:  # the database is down or busy: retry from the stored offset
                log.warning("partition %s: could not apply; retrying", partition, exc_info=True)
                await _wait(stop, 1.0)
                await self._open(js, partition)
                return
            if result.outcome is Outcome.ahead:
                await self._open(js, partition)
                return
            await _quietly(msg.ack())
            self.applied += result.records
            if result.dead_letter is not None:
                letter = result.dead_letter
                await _quietly(
                    nc.publish(
                        DEAD_PREFIX + (letter.source_key or "unknown"),
                        letter.payload.encode(),
                        headers={PROBLEM_HEADER: " ".join(letter.problem.split())[:4000]},
                    )
                )

    def _apply(self, partition: int, msg: Msg) -> Applied:
        o = self.options
        with unit_of_work(self.factory) as session:
            return apply_message(
                session,
                stream=o.stream,
                partitions=o.partitions,
                partition=partition,
                sequence=msg.metadata.sequence.stream,
                subject=msg.subject,
                data=msg.data,
                first_sequence=1,
                now=system_clock(),
                zone=self.zone,
            )


async def connect(url: str, name: str) -> Client:
    """A connection that reconnects for ever once made (a NATS restart pauses the consumer),
    after one plain attempt that fails fast when nothing answers at all."""

    async def quiet(exc: Exception) -> None:
        log.debug("NATS probe: %s", exc)

    try:
        probe = await nats.connect(
            url, allow_reconnect=False, max_reconnect_attempts=1, connect_timeout=5, error_cb=quiet
        )
    except (OSError, TimeoutError, nats.errors.Error) as exc:
        raise NatsUnreachable(f"cannot reach NATS at {url}: {exc or type(exc).__name__}") from exc
    await probe.close()

    async def on_error(exc: Exception) -> None:
        log.warning("NATS connection: %s", exc)

    return await nats.connect(url, name=name, max_reconnect_attempts=-1, error_cb=on_error)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _quietly(awaitable: object) -> None:
    """Await, logging instead of raising: used where a failure changes nothing that matters
    (an ack whose message is skipped when redelivered, an unsubscribe on the way out)."""
    try:
        await awaitable  # type: ignore[misc]
    except Exception:
        log.debug("ignored", exc_info=True)
