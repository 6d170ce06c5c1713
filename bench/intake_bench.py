"""JetStream intake (`plaudit consume`) against a plain consumer and the in-process bulk path.

    .venv/bin/python bench/intake_bench.py [--quick] [--members 10000] [--records 50000]
                                           [--message-records 500]

Publishes `--records` records, `--message-records` to a message (the body `POST
/sources/{key}/records` takes), to a stream of its own (a unique name and source key, so its
subject overlaps no other stream) on the NATS server of PLAUDIT_BENCH_NATS_URL, else
PLAUDIT_TEST_NATS_URL, else nats://127.0.0.1:4222, and deletes the stream afterwards. Then,
on PostgreSQL (a database of its own on PLAUDIT_BENCH_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/postgres, with 10,000 members and 20 active
achievements over the source):

- **plain**: a nats-py pull consumer that only acknowledges every message (the floor of
  reading the stream);
- **consume**: the consumer of `plaudit consume` (`plaudit.intake.consumer.Consumer`, one
  partition), in this process, from its start until every record is applied;
- **bulk**: the same records through `ingest_records` in the same batches, one transaction
  each, into a second fresh database of the same server (the in-process bulk path).

Prints records per second of each and the ratios (target: consume at least 0.5 of bulk).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
import uuid
from typing import Any

import nats
from engine_bench import NOW, ZONE, World
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig
from pg_bench import postgres_database
from sizes import add_size_options, resolve_sizes

from plaudit.db.session import unit_of_work
from plaudit.intake.consumer import ConsumeOptions, Consumer
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records

FULL_SIZES = {"members": 10_000, "records": 50_000, "message_records": 500}
QUICK_SIZES = {"members": 200, "records": 1_000, "message_records": 100}


def build_world(url: str, members: int, source: str) -> World:
    world = World(url, members)
    world.source(source)
    world.achievements(20, source, "intake")
    return world


def messages(items: list[RecordIn], per_message: int) -> list[bytes]:
    rows = [
        {"member_id": r.member_id, "occurred_at": r.occurred_at.isoformat(), "data": r.data}
        for r in items
    ]
    return [
        json.dumps({"records": rows[i : i + per_message]}).encode()
        for i in range(0, len(rows), per_message)
    ]


async def publish(url: str, stream: str, subject: str, bodies: list[bytes]) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(name=stream, subjects=[subject])
    for body in bodies:
        await js.publish(subject, body, stream=stream)
    await nc.close()


async def delete_stream(url: str, stream: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(stream)
    finally:
        await nc.close()


async def plain_seconds(url: str, stream: str, count: int, batch: int) -> float:
    """A durable pull consumer that acknowledges every message and does nothing else."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_consumer(
        stream, ConsumerConfig(durable_name="plain", ack_policy=AckPolicy.EXPLICIT)
    )
    sub = await js.pull_subscribe_bind(durable="plain", stream=stream)
    began = time.perf_counter()
    seen = 0
    while seen < count:
        try:
            msgs = await sub.fetch(batch, timeout=1)
        except NatsTimeout:
            continue
        for msg in msgs:
            await msg.ack()
        seen += len(msgs)
    seconds = time.perf_counter() - began
    await nc.close()
    return seconds


async def consume_seconds(url: str, stream: str, subject: str, world: World, records: int) -> float:
    """`plaudit consume`'s consumer, from its start until every record is applied."""
    consumer = Consumer(
        ConsumeOptions(nats_url=url, stream=stream, partitions=1, subjects=subject),
        world.factory,
        ZONE,
    )
    stop = asyncio.Event()
    began = time.perf_counter()
    task = asyncio.create_task(consumer.run(stop))
    while consumer.applied < records:
        if task.done():
            task.result()  # raises what stopped it
            raise SystemExit("the consumer stopped before applying every record")
        await asyncio.sleep(0.01)
    seconds = time.perf_counter() - began
    stop.set()
    await task
    return seconds


def bulk_seconds(world: World, source: str, items: list[RecordIn], per_batch: int) -> float:
    began = time.perf_counter()
    for start in range(0, len(items), per_batch):
        with unit_of_work(world.factory) as session:
            ingest_records(session, source, items[start : start + per_batch], now=NOW, zone=ZONE)
    return time.perf_counter() - began


def run(args: argparse.Namespace, nats_url: str, server: str) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    source, stream = f"deals{tag}", f"BENCH_INTAKE_{tag.upper()}"
    subject = f"plaudit.records.{source}"
    out: dict[str, Any] = {}
    with postgres_database(server) as bulk_url, postgres_database(server) as consume_url:
        bulk_world = build_world(bulk_url, args.members, source)
        items = bulk_world.records(args.records, random.Random(11))
        bodies = messages(items, args.message_records)
        asyncio.run(publish(nats_url, stream, subject, bodies))
        try:
            plain = asyncio.run(plain_seconds(nats_url, stream, len(bodies), 200))
            consume_world = build_world(consume_url, args.members, source)
            consume = asyncio.run(
                consume_seconds(nats_url, stream, subject, consume_world, len(items))
            )
            bulk = bulk_seconds(bulk_world, source, items, args.message_records)
            out["same_awards"] = float(bulk_world.count_awards() == consume_world.count_awards())
            out["awards"] = consume_world.count_awards()
            consume_world.engine.dispose()
        finally:
            asyncio.run(delete_stream(nats_url, stream))
        bulk_world.engine.dispose()
    n = len(items)
    return out | {
        "consume_rps": n / consume,
        "plain_ack_rps": n / plain,
        "bulk_rps": n / bulk,
        "ratio_to_bulk": bulk / consume,
        "ratio_to_plain": plain / consume,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_size_options(parser, FULL_SIZES, QUICK_SIZES)
    args = parser.parse_args()
    resolve_sizes(args, FULL_SIZES, QUICK_SIZES)
    nats_url = os.environ.get(
        "PLAUDIT_BENCH_NATS_URL", os.environ.get("PLAUDIT_TEST_NATS_URL", "nats://127.0.0.1:4222")
    )
    server = os.environ.get(
        "PLAUDIT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    figures = run(args, nats_url, server)
    print(
        f"JetStream intake, messages of {args.message_records} records:",
        json.dumps({k: round(v, 3) for k, v in figures.items()}),
        "target ratio_to_bulk >= 0.5",
    )


if __name__ == "__main__":
    main()
