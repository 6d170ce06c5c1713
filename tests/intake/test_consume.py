"""`plaudit consume` in-process against real NATS JetStream and PostgreSQL: order, exactly
once, redeliveries, dead letters and their retry."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.intake.apply import Outcome, apply_message
from plaudit.intake.consumer import ConsumeOptions, Consumer
from plaudit.models import IntakeDeadLetter, IntakeOffset
from tests.conftest import Api
from tests.intake.helpers import (
    World,
    batch,
    caught_up,
    make_world,
    nats_url,
    oracle,
    publish,
    record,
    stored,
    stream_removed_after,
)

pytestmark = pytest.mark.postgres_only


@contextmanager
def consuming(engine: Engine, world: World, partitions: int, subjects: str) -> Iterator[Consumer]:
    """A consumer running on its own thread and event loop until the block ends."""
    options = ConsumeOptions(
        nats_url=nats_url(),
        stream=world.stream,
        partitions=partitions,
        subjects=subjects,
        renew_seconds=0.5,
    )
    consumer = Consumer(options, build_sessionmaker(engine), ZoneInfo("UTC"))
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    errors: list[BaseException] = []

    def main() -> None:
        try:
            loop.run_until_complete(consumer.run(stop))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    try:
        yield consumer
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()
    assert not errors, errors


def wait_until(predicate: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_records_apply_once_in_order_across_partitions(admin: Api, engine: Engine) -> None:
    world = make_world(admin)
    m = world.members
    good = []
    messages = []
    # Every member's record "r<member>" is rewritten five times: only the last value may stay.
    for step in range(5):
        for i, member in enumerate(m):
            rec = record(member if i % 2 else f"x{i}", 10 * step + i, ext=f"r{i}")
            good.append(rec)
        messages.append(batch(*good[-len(m) :]))
        one = record(m[step % len(m)], 30)
        good.append(one)
        messages.append(one)
    with stream_removed_after(world):
        last = publish(world, messages)
        with consuming(engine, world, 3, world.subjects()):
            wait_until(lambda: caught_up(engine, world, 3, last))
        records, holders = stored(engine, world)
        expected = oracle(world, good)
        assert records == expected
        assert holders == {member for member, (_, total) in expected.items() if total >= 100}
        # Consuming again from the stored offsets changes nothing.
        with consuming(engine, world, 3, world.subjects()):
            time.sleep(1.5)
        assert stored(engine, world) == (records, holders)


def test_a_redelivered_sequence_is_skipped(admin: Api, engine: Engine) -> None:
    """A consumer killed between its commit and its ack gets the message again: skipped."""
    world = make_world(admin)

    data = json.dumps(record(world.members[0], 120, ext="only"))
    factory = build_sessionmaker(engine)

    def deliver(sequence: int) -> Outcome:
        with unit_of_work(factory) as session:
            return apply_message(
                session,
                stream=world.stream,
                partitions=1,
                partition=0,
                sequence=sequence,
                subject=world.subject,
                data=data.encode(),
                first_sequence=1,
                now=datetime.now(UTC),
                zone=ZoneInfo("UTC"),
            ).outcome

    assert deliver(1) is Outcome.applied
    assert deliver(1) is Outcome.duplicate
    assert deliver(3) is Outcome.ahead  # 2 is not applied yet: never past it
    records, holders = stored(engine, world)
    assert records == {world.members[0]: (1, 120.0)}
    assert holders == {world.members[0]}
    with engine.connect() as conn:
        assert conn.scalar(select(IntakeOffset.last_sequence)) == 1


def test_bad_messages_become_dead_letters_and_retry_after_a_fix(admin: Api, engine: Engine) -> None:
    world = make_world(admin, members=3)
    m = world.members
    unknown_source = f"nosuch_{world.source}"
    messages = [
        b"{not json",
        (f"plaudit.records.{unknown_source}", record(m[0], 5)),
        record("x-missing", 50, ext="late"),
        record(m[1], "lots"),
        batch(record(m[2], 60), record(m[2], 50)),
    ]
    subjects = world.subjects(unknown_source)
    with stream_removed_after(world):
        last = publish(world, messages, subjects=subjects)
        with consuming(engine, world, 2, subjects):
            wait_until(lambda: caught_up(engine, world, 2, last))
        records, holders = stored(engine, world)
        assert records == {m[2]: (2, 110.0)}
        assert holders == {m[2]}
        listed = admin.ok("GET", "/intake/dead-letters")
        problems = {d["sequence"]: d["problem"] for d in listed}
        assert set(problems) == {1, 2, 3, 4}, problems
        assert "not JSON" in problems[1]
        assert f"there is no source {unknown_source!r}" in problems[2]
        assert "x-missing" in problems[3]
        assert "minutes" in problems[4]
        missing = next(d for d in listed if d["sequence"] == 3)
        # Still failing: 422 with the problem, nothing written.
        again = admin.post(f"/intake/dead-letters/{missing['id']}/retry")
        assert again.status_code == 422, again.text
        assert "x-missing" in again.json()["detail"]
        # Fixed: the member exists now.
        late = admin.ok(
            "POST", "/members", 201, json={"name": "Late Member", "external_id": "x-missing"}
        )
        done = admin.ok("POST", f"/intake/dead-letters/{missing['id']}/retry")
        assert done["created"] == 1
        assert stored(engine, world)[0][late["id"]] == (1, 50.0)
        unresolved = admin.ok("GET", "/intake/dead-letters", params={"resolved": "false"})
        assert {d["sequence"] for d in unresolved} == {1, 2, 4}
        with engine.connect() as conn:
            assert conn.scalar(
                select(IntakeDeadLetter.resolved).where(IntakeDeadLetter.id == missing["id"])
            )
