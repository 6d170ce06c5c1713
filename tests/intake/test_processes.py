"""`plaudit consume` as real processes over one PostgreSQL and real NATS: they split the
partitions, a killed one's partitions are taken over, and under SIGKILL at random moments
while 20,000 records stream in, every record counts exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nats
import pytest
from sqlalchemy import Engine, select

from plaudit.models import IntakeDeadLetter, IntakePartitionLease
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

pytestmark = [pytest.mark.postgres_only, pytest.mark.serial]

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 4


class Processes:
    """`plaudit consume` subprocesses, each logging to its own file."""

    def __init__(self, world: World, database_url: str, partitions: int, logs: Path) -> None:
        self.world, self.database_url, self.partitions, self.logs = (
            world,
            database_url,
            partitions,
            logs,
        )
        self.running: list[subprocess.Popen[bytes]] = []
        self.started = 0

    def start(self) -> subprocess.Popen[bytes]:
        self.started += 1
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
        with (self.logs / f"consume-{self.started}.log").open("wb") as log:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "plaudit.cli.main",
                    "consume",
                    "--nats",
                    nats_url(),
                    "--stream",
                    self.world.stream,
                    "--partitions",
                    str(self.partitions),
                    "--subjects",
                    self.world.subjects(),
                    "--database-url",
                    self.database_url,
                    # A killed process's partitions are taken over when its leases run out:
                    # 4 seconds rather than the default 10 (renewed every 1.3 s).
                    "--lease-seconds",
                    str(LEASE_SECONDS),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.running.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        self.running.remove(proc)

    def stop_all(self) -> None:
        for proc in self.running:
            proc.send_signal(signal.SIGTERM)
        for proc in self.running:
            try:
                assert proc.wait(60) == 0, f"consumer exited with {proc.returncode}"
            finally:
                if proc.poll() is None:
                    proc.kill()
        self.running.clear()

    def logs_text(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.logs.glob("*.log"))


@contextmanager
def processes(
    world: World, database_url: str, partitions: int, tmp_path: Path
) -> Iterator[Processes]:
    procs = Processes(world, database_url, partitions, tmp_path)
    try:
        yield procs
    finally:
        for proc in procs.running:
            if proc.poll() is None:
                proc.kill()
                proc.wait(30)


def owners(engine: Engine, world: World, partitions: int) -> dict[int, str | None]:
    with engine.connect() as conn:
        now = time.time()
        out: dict[int, str | None] = {}
        for lease in conn.execute(
            select(IntakePartitionLease).where(
                IntakePartitionLease.stream == world.stream,
                IntakePartitionLease.partitions == partitions,
            )
        ):
            live = lease.expires_at is not None and lease.expires_at.timestamp() > now
            out[lease.partition] = lease.owner if live else None
        return out


def wait_until(predicate: Any, seconds: float, what: str, procs: Processes) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}\n{procs.logs_text()}")


def test_two_processes_split_the_partitions_and_take_over_a_killed_ones(
    admin: Api, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    world = make_world(admin, members=4)
    with stream_removed_after(world), processes(world, database_url, 4, tmp_path) as procs:
        publish(world, [record(m, 1) for m in world.members])
        first = procs.start()
        procs.start()

        def split() -> bool:
            held = owners(engine, world, 4)
            names = list(held.values())
            return (
                len(held) == 4
                and None not in names
                and sorted(names.count(n) for n in set(names)) == [2, 2]
            )

        wait_until(split, 60, "two processes holding two partitions each", procs)
        procs.kill(first)

        def survivor_owns_all() -> bool:
            held = list(owners(engine, world, 4).values())
            return None not in held and len(set(held)) == 1

        wait_until(survivor_owns_all, 60, "the survivor taking over every partition", procs)
        last = publish(world, [record(m, 2) for m in world.members])
        wait_until(lambda: caught_up(engine, world, 4, last), 60, "all applied", procs)
        procs.stop_all()
        assert stored(engine, world)[0] == {m: (2, 3.0) for m in world.members}
        assert set(owners(engine, world, 4).values()) == {None}  # released on SIGTERM


def messages_for(
    world: World, rng: random.Random, total: int
) -> tuple[list[Any], list[dict[str, Any]], list[int]]:
    """About `total` good records in batches and singles, with bad messages among them:
    the messages, the good records in order, and the positions of the bad messages."""
    refs: list[int | str] = [*world.members, *(f"x{i}" for i in range(len(world.members)))]
    messages: list[Any] = []
    good: list[dict[str, Any]] = []
    bad: list[int] = []
    count = 0
    while count < total:
        roll = rng.random()
        if roll < 0.06:
            bad.append(len(messages))
            kind = ("json", "member", "field")[len(bad) % 3]
            if kind == "json":
                messages.append(b'{"records": [')
            elif kind == "member":
                messages.append(record(f"ghost-{len(messages)}", 5))
            else:
                messages.append(record(rng.choice(world.members), "lots"))
            continue

        def one() -> dict[str, Any]:
            ext = f"e{rng.randrange(3000)}" if rng.random() < 0.5 else None
            # A rewritten external_id keeps its member: only the minutes change, in order.
            ref = refs[hash(ext) % len(refs)] if ext else rng.choice(refs)
            return record(ref, rng.randrange(1, 20), ext=ext)

        if roll < 0.4:
            rec = one()
            messages.append(rec)
            good.append(rec)
            count += 1
        else:
            recs = [one() for _ in range(rng.randrange(2, 300))]
            messages.append(batch(*recs))
            good.extend(recs)
            count += len(recs)
    return messages, good, bad


async def _publish_slowly(
    world: World, messages: list[Any], seqs: list[int], done: threading.Event
) -> None:
    nc = await nats.connect(nats_url())
    try:
        js = nc.jetstream()
        await js.add_stream(name=world.stream, subjects=[world.subject])
        for n, message in enumerate(messages):
            data = message if isinstance(message, bytes) else json.dumps(message).encode()
            seqs.append((await js.publish(world.subject, data, stream=world.stream)).seq)
            if n % 2 == 0:
                await asyncio.sleep(0.05)
    finally:
        await nc.drain()
        done.set()


def test_killed_consumers_lose_nothing_and_count_nothing_twice(
    admin: Api, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    rng = random.Random(20)
    world = make_world(admin, members=12, threshold=2000)
    messages, good, bad = messages_for(world, rng, 20_000)
    assert len(bad) >= 3
    seqs: list[int] = []
    done = threading.Event()
    with stream_removed_after(world), processes(world, database_url, 4, tmp_path) as procs:
        publisher = threading.Thread(
            target=lambda: asyncio.run(_publish_slowly(world, messages, seqs, done)), daemon=True
        )
        procs.start()
        procs.start()
        publisher.start()
        mid_stream = 0
        for _ in range(3):
            time.sleep(rng.uniform(1.0, 4.0))
            mid_stream += not caught_up(engine, world, 4, len(messages))
            procs.kill(rng.choice(procs.running))
            procs.start()
        assert mid_stream, "every kill came after the work was done: the test proved nothing"
        publisher.join(300)
        assert done.is_set() and len(seqs) == len(messages)
        wait_until(
            lambda: caught_up(engine, world, 4, seqs[-1]), 600, "every message applied", procs
        )
        procs.stop_all()
    records, holders = stored(engine, world)
    expected = oracle(world, good)
    assert records == expected
    assert holders == {m for m, (_, total) in expected.items() if total >= 2000}
    assert holders, "the threshold should give some awards"
    with engine.connect() as conn:
        dead = set(conn.scalars(select(IntakeDeadLetter.sequence)))
    assert dead == {seqs[i] for i in bad}
