"""PostgreSQL benchmarks, each a ratio against a baseline measured in the same run.

    .venv/bin/python bench/pg_bench.py [--quick] [--members 10000] [--records 50000]
                                       [--requests 400] [--only intake|latency|growth]

- **intake**: records posted over HTTP in batches of 500 (the operator's path) into a fresh
  PostgreSQL database and, in the same run, into a SQLite file, with 20 active achievements
  over the records' source. Prints the records per second of each tenth of the run on both,
  the cost per record of the last tenth against the first (flat in the size of the history is
  the target: at most 1.2), PostgreSQL's throughput against SQLite's (target at least 0.5)
  and against a plain `COPY` of the same rows into a bare table of the same server, and
  against the same batches through `ingest_records` in this process (the in-process bulk
  path, on a fresh PostgreSQL database: what HTTP adds).
- **growth**: the cost per record of each tenth of a long run as CPU time (this process's,
  and on PostgreSQL every process of a throwaway cluster started for it with initdb and
  pg_ctl, `bench/throwaway_pg.py`), the same records in-process in batches of 500, on SQLite
  and on PostgreSQL: the last tenth against the first (target at most 1.2), and the awards
  of each tenth (the workload's own growth: later batches give more awards). Beside it, on
  PostgreSQL, the same figure for a steady workload whose every tenth gives the same awards
  (`steady_`): each tenth is the same records (same seed) for its own tenth of the members,
  so the history grows as much while no key's state carries over from one tenth to the
  next; the cost the size of the history adds, apart from the work a tenth gives.
- **latency**: single-record requests against two no-op requests of the same server on
  PostgreSQL, interleaved: `GET /api/v1/health` (no admission, no thread, no database) and
  the fair no-op of `engine_bench.NOOP_PATH` (admission, the role check, a worker thread, a
  session that runs `SELECT 1` and commits). Target: median at most 3x the no-op.

The databases are made on the server of PLAUDIT_BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards. Only loopback is used.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
from engine_bench import ADMIN, NOW, ZONE, World, bench_latency_at, live_server
from sizes import add_size_options, resolve_sizes
from sqlalchemy import create_engine, make_url, text
from throwaway_pg import throwaway_cluster

from plaudit.config import Settings
from plaudit.db.session import unit_of_work
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records

BATCH = 500
FULL_SIZES = {"members": 10_000, "records": 50_000, "requests": 400}
QUICK_SIZES = {"members": 200, "records": 1_000, "requests": 20}


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server, dropped at the end."""
    name = f"plaudit_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        Settings(database_url=server_url).sqlalchemy_url, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def payloads(world: World, n: int) -> list[dict[str, Any]]:
    """The batches to post: the same records (same seed) for every database."""
    items = world.records(n, random.Random(7))
    records = [
        {"member_id": r.member_id, "occurred_at": r.occurred_at.isoformat(), "data": r.data}
        for r in items
    ]
    return [{"records": records[i : i + BATCH]} for i in range(0, len(records), BATCH)]


def post_tenths(url: str, batches: list[dict[str, Any]]) -> list[float]:
    """Post the batches over HTTP; the seconds per record of each tenth of them (a remainder
    of fewer than a tenth's batches is not posted)."""
    tenths: list[float] = []
    parts = min(10, len(batches))  # tenths, or fewer parts for a --quick run
    per_tenth = len(batches) // parts
    with (
        live_server(url) as base,
        httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=120
        ) as client,
    ):
        for start in range(0, per_tenth * parts, per_tenth):
            chunk = batches[start : start + per_tenth]
            began = time.perf_counter()
            for body in chunk:
                response = client.post("/api/v1/sources/deals/records", json=body)
                assert response.status_code == 200, response.text
            count = sum(len(b["records"]) for b in chunk)
            tenths.append((time.perf_counter() - began) / count)
    return tenths


def build_world(url: str, members: int) -> World:
    world = World(url, members)
    world.source("deals")
    world.achievements(20, "deals", "intake")
    return world


def copy_seconds(url: str, batches: list[dict[str, Any]]) -> float:
    """A plain COPY of the same rows into a bare table of the same server: the floor."""
    rows = [
        (1, r["member_id"], r["occurred_at"], json.dumps(r["data"]), NOW, NOW)
        for b in batches
        for r in b["records"]
    ]
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        conn.execute(
            "CREATE TABLE bare_records (id bigserial PRIMARY KEY, source_id int, member_id int,"
            " occurred_at timestamptz, data jsonb, created_at timestamptz,"
            " updated_at timestamptz)"
        )
        conn.commit()
        began = time.perf_counter()
        with conn.cursor() as cur:
            copy_sql = (
                "COPY bare_records (source_id, member_id, occurred_at, data, created_at,"
                " updated_at) FROM STDIN"
            )
            with cur.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        conn.commit()
        return time.perf_counter() - began


def inprocess_seconds(server: str, members: int, n: int) -> float:
    """The same records through `ingest_records` in the same batches, one transaction each,
    in this process (the in-process bulk path), into a fresh PostgreSQL database."""
    with postgres_database(server) as url:
        world = build_world(url, members)
        items = world.records(n, random.Random(7))
        began = time.perf_counter()
        for start in range(0, len(items), BATCH):
            with unit_of_work(world.factory) as session:
                ingest_records(session, "deals", items[start : start + BATCH], now=NOW, zone=ZONE)
        seconds = time.perf_counter() - began
        world.engine.dispose()
    return seconds


def bench_intake(tmp: Path, server: str, members: int, n: int) -> dict[str, float]:
    lite = build_world(f"sqlite:///{tmp / 'intake.db'}", members)
    batches = payloads(lite, n)
    lite_tenths = post_tenths(lite.url, batches)
    inprocess_s = inprocess_seconds(server, members, n)
    with postgres_database(server) as url:
        pg = build_world(url, members)
        pg_tenths = post_tenths(url, batches)
        awards = pg.count_awards()
        same_awards = awards == lite.count_awards()
        copy_s = copy_seconds(url, batches)
        pg.engine.dispose()
    total = sum(len(b["records"]) for b in batches)
    pg_rps = 1 / statistics.fmean(pg_tenths)
    return {
        "postgresql_rps": pg_rps,
        "sqlite_rps": 1 / statistics.fmean(lite_tenths),
        "ratio_to_sqlite": statistics.fmean(lite_tenths) / statistics.fmean(pg_tenths),
        "copy_rps": total / copy_s,
        "inprocess_rps": total / inprocess_s,
        "http_to_inprocess": inprocess_s / (statistics.fmean(pg_tenths) * total),
        "ratio_to_copy": pg_rps / (total / copy_s),
        "postgresql_first_tenth_ms": pg_tenths[0] * 1000,
        "postgresql_last_tenth_ms": pg_tenths[-1] * 1000,
        "postgresql_last_to_first": pg_tenths[-1] / pg_tenths[0],
        "sqlite_last_to_first": lite_tenths[-1] / lite_tenths[0],
        "awards": awards,
        "same_awards_on_both": float(same_awards),
    } | {f"pg_tenth_{i}_rps": 1 / t for i, t in enumerate(pg_tenths)}


def steady_records(world: World, n: int) -> list[RecordIn]:
    """Ten tenths of the same records (one seed), each for its own tenth of the members."""
    part = len(world.member_ids) // 10
    return [
        item
        for k in range(10)
        for item in world.records(
            n // 10, random.Random(7), world.member_ids[k * part : (k + 1) * part]
        )
    ]


def cpu_tenths(
    world: World, n: int, cpu: Callable[[], float], items: list[RecordIn] | None = None
) -> tuple[list[float], list[int]]:
    """The records (default: `n` of the world's, seed 7) through the in-process bulk path in
    batches of BATCH, one transaction each: the CPU seconds per record of each tenth
    (`cpu()`: this process's, plus the database's when it is a server) and the awards each
    tenth gave."""
    if items is None:
        items = world.records(n, random.Random(7))
    per_tenth = max(BATCH, n // 10 // BATCH * BATCH)
    tenths: list[float] = []
    awards: list[int] = []
    for first in range(0, per_tenth * min(10, n // per_tenth), per_tenth):
        before_awards, before_cpu = world.count_awards(), cpu()
        for start in range(first, first + per_tenth, BATCH):
            with unit_of_work(world.factory) as session:
                ingest_records(session, "deals", items[start : start + BATCH], now=NOW, zone=ZONE)
        tenths.append((cpu() - before_cpu) / per_tenth)
        awards.append(world.count_awards() - before_awards)
    return tenths, awards


def bench_growth(tmp: Path, members: int, n: int) -> dict[str, float]:
    """Cost per record over a long run, as CPU time (the client's and, on PostgreSQL, every
    process of a throwaway cluster of its own): unlike wall time, it does not move with the
    load of a shared machine, and it counts the work the database does."""
    lite = build_world(f"sqlite:///{tmp / 'growth.db'}", members)
    lite_tenths, lite_awards = cpu_tenths(lite, n, time.process_time)
    lite.engine.dispose()
    with throwaway_cluster() as cluster:
        pg = build_world(make_url(cluster.url).set(database="postgres").render_as_string(), members)
        pg_tenths, pg_awards = cpu_tenths(
            pg, n, lambda: time.process_time() + cluster.cpu_seconds()
        )
        pg.engine.dispose()
    with throwaway_cluster() as cluster:
        steady = build_world(
            make_url(cluster.url).set(database="postgres").render_as_string(), members
        )
        steady_tenths, steady_awards = cpu_tenths(
            steady,
            n,
            lambda: time.process_time() + cluster.cpu_seconds(),
            steady_records(steady, n),
        )
        steady.engine.dispose()
    per_award = [t / a for t, a in zip(pg_tenths, pg_awards, strict=True)]
    return (
        {
            "postgresql_first_tenth_cpu_ms": pg_tenths[0] * 1000,
            "postgresql_last_tenth_cpu_ms": pg_tenths[-1] * 1000,
            "postgresql_last_to_first": pg_tenths[-1] / pg_tenths[0],
            "sqlite_last_to_first": lite_tenths[-1] / lite_tenths[0],
            "awards_last_to_first": pg_awards[-1] / pg_awards[0],
            "postgresql_per_award_last_to_first": per_award[-1] / per_award[0],
            "same_awards_per_tenth": float(pg_awards == lite_awards),
            "steady_postgresql_last_to_first": steady_tenths[-1] / steady_tenths[0],
            "steady_awards_per_tenth": float(steady_awards[0]),
            "steady_same_awards_every_tenth": float(len(set(steady_awards)) == 1),
        }
        | {f"pg_tenth_{i}_cpu_ms": t * 1000 for i, t in enumerate(pg_tenths)}
        | {f"steady_tenth_{i}_cpu_ms": t * 1000 for i, t in enumerate(steady_tenths)}
    )


def bench_pg_latency(server: str, members: int, requests: int) -> dict[str, float]:
    with postgres_database(server) as url:
        world = build_world(url, members)
        figures = bench_latency_at(world, requests)
        world.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_size_options(parser, FULL_SIZES, QUICK_SIZES)
    parser.add_argument("--only", action="append", choices=("intake", "latency", "growth"))
    args = parser.parse_args()
    resolve_sizes(args, FULL_SIZES, QUICK_SIZES)
    server = os.environ.get(
        "PLAUDIT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    wanted = set(args.only or ("intake", "latency", "growth"))
    sections: list[tuple[str, str, str, Callable[[Path], dict[str, float]]]] = [
        (
            "intake",
            f"HTTP batches of {BATCH} into PostgreSQL and SQLite:",
            "targets: ratio_to_sqlite >= 0.5, postgresql_last_to_first <= 1.2",
            lambda tmp: bench_intake(tmp, server, args.members, args.records),
        ),
        (
            "latency",
            "single-record HTTP on PostgreSQL:",
            "target median_ratio <= 3",
            lambda tmp: bench_pg_latency(server, args.members, args.requests),
        ),
        (
            "growth",
            f"CPU per record over a long run, in-process batches of {BATCH}:",
            "target postgresql_last_to_first <= 1.2",
            lambda tmp: bench_growth(tmp, args.members, args.records),
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for key, label, target, run in sections:
            if key in wanted:
                result = run(Path(tmp))
                print(label, json.dumps({k: round(v, 3) for k, v in result.items()}), target)


if __name__ == "__main__":
    main()
