"""Rule-engine benchmarks, each a ratio against a baseline measured in the same run.

    .venv/bin/python bench/engine_bench.py [--quick] [--members 100000] [--records 50000]
                                           [--backfill-records 1000000] [--only SECTION]

`--quick` runs every section at small sizes in seconds (the test suite's smoke test).

Prints one line per figure; docs/benchmarks.md records a run. Only loopback is used.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import uvicorn
from sizes import add_size_options, resolve_sizes
from sqlalchemy import Table, insert, text
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, CreateTable
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from plaudit.achievement.schemas import AchievementCreate
from plaudit.achievement.service import activate_achievement, create_achievement
from plaudit.app import create_app
from plaudit.config import Settings
from plaudit.db.engine import build_engine
from plaudit.db.migrate import upgrade
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.engine.closing import close_periods
from plaudit.http.deps import SessionDep, allow
from plaudit.kit.roles import SYSTEM, Role
from plaudit.leaderboard.schemas import LeaderboardQuery
from plaudit.leaderboard.service import leaderboard
from plaudit.models import Member, Record
from plaudit.periods import parse_zone
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from plaudit.source.schemas import SourceCreate
from plaudit.source.service import create_source

ZONE = parse_zone("Europe/Berlin")
NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)
ADMIN = "bench-admin-token"
DEAL_FIELDS = [
    {"name": "status", "type": "string"},
    {"name": "currency", "type": "string"},
    {"name": "value", "type": "number"},
    {"name": "campaign_id", "type": "string"},
]


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def deal_rule(i: int, source: str = "deals") -> list[list[dict[str, Any]]]:
    kinds = [
        {"source": source, "aggregate": "count", "operator": "at_least", "value": 5 + i},
        {
            "source": source,
            "where": [{"field": "status", "op": "eq", "value": "Approved"}],
            "aggregate": "sum",
            "field": "value",
            "operator": "at_least",
            "value": 50000 + i,
        },
        {
            "source": source,
            "aggregate": "count_distinct",
            "field": "campaign_id",
            "operator": "at_least",
            "value": 3 + i % 3,
        },
        {
            "source": source,
            "aggregate": "max",
            "field": "value",
            "operator": "at_least",
            "value": 9000,
        },
    ]
    return [[kinds[i % len(kinds)]]]


class World:
    """A migrated database with members, sources and achievements, built for one benchmark."""

    def __init__(self, path: Path | str, members: int) -> None:
        """`path`: a SQLite file, or the URL of an empty database (bench/pg_bench.py)."""
        self.url = path if isinstance(path, str) else f"sqlite:///{path}"
        upgrade(self.url)
        self.engine = build_engine(self.url)
        self.factory = build_sessionmaker(self.engine)
        with self.engine.begin() as conn:
            conn.execute(
                insert(Member),
                [
                    {"name": f"Member {i}", "attributes": {}, "active": True, "created_at": NOW}
                    for i in range(members)
                ],
            )
        self.member_ids = list(range(1, members + 1))

    def source(self, key: str) -> None:
        with unit_of_work(self.factory) as session:
            create_source(
                session,
                SourceCreate.model_validate({"key": key, "name": key, "fields": DEAL_FIELDS}),
            )

    def achievement(self, body: dict[str, Any], *, activate: bool = True) -> int:
        """Create an achievement (and activate it, which backfills); return its id."""
        with unit_of_work(self.factory) as session:
            a = create_achievement(
                session, AchievementCreate.model_validate(body), actor=SYSTEM, now=NOW, zone=ZONE
            )
            if activate:
                activate_achievement(session, a.id, actor=SYSTEM, now=NOW, zone=ZONE)
            return a.id

    def achievements(self, count: int, source: str, prefix: str, period: str = "month") -> None:
        for i in range(count):
            self.achievement(
                {
                    "key": f"{prefix}-{i}",
                    "name": f"{prefix} {i}",
                    "category": "award",
                    "period": period,
                    "points": 10,
                    "requirements": deal_rule(i, source),
                }
            )

    def query_seconds(self, sql: str) -> float:
        """How long a plain SQL query takes, all rows fetched (a baseline)."""
        with self.engine.connect() as conn:
            return timed(lambda: conn.execute(text(sql)).all())

    def records(
        self, n: int, rng: random.Random, members: list[int] | None = None
    ) -> list[RecordIn]:
        """`n` deals of random `members` (default: all of them) over the last 20 days."""
        chosen = self.member_ids if members is None else members
        return [
            RecordIn(
                member_id=rng.choice(chosen),
                occurred_at=NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 20)),
                data={
                    "status": rng.choice(["Approved", "Pending"]),
                    "currency": "EUR",
                    "value": rng.randint(1, 10) * 1000,
                    "campaign_id": f"c{rng.randint(1, 6)}",
                },
            )
            for _ in range(n)
        ]

    def snapshot(self, path: Path) -> None:
        """A consistent copy of the database as it is now (SQLite's backup API)."""
        with self.engine.connect() as conn:
            source = cast(sqlite3.Connection, conn.connection.dbapi_connection)
            target = sqlite3.connect(path)
            source.backup(target)
            target.close()

    def rows_of(
        self, tables: tuple[str, ...]
    ) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
        """Every row of each table, as the driver returns them, with the column names."""
        out = {}
        with self.engine.connect() as conn:
            for table in tables:
                result = conn.exec_driver_sql(f"SELECT * FROM {table}")  # noqa: S608 (fixed names)
                out[table] = (list(result.keys()), [tuple(r) for r in result])
        return out

    def count_awards(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM awards")).scalar_one())

    def ingest(self, source: str, items: list[RecordIn], batch: int = 2000) -> None:
        with unit_of_work(self.factory) as session:
            for start in range(0, len(items), batch):
                ingest_records(session, source, items[start : start + batch], now=NOW, zone=ZONE)


def bench_bulk(tmp: Path, members: int, n: int) -> dict[str, float]:
    rng = random.Random(1)
    world = World(tmp / "bulk.db", members)
    world.source("deals")
    world.achievements(20, "deals", "bulk")
    items = world.records(n, rng)
    before = tmp / "bulk-before.db"
    world.snapshot(before)
    engine_s = timed(lambda: world.ingest("deals", items))
    kept = world.rows_of(("records", "awards", "tally_progress", "tally_values"))
    rows = [
        (
            1,
            None,
            r.member_id,
            r.occurred_at.isoformat(),
            json.dumps(r.data),
            NOW.isoformat(),
            NOW.isoformat(),
        )
        for r in items
    ]
    plain_s = _executemany_seconds(tmp / "plain.db", rows, indexed=False)
    indexed_s = _executemany_seconds(tmp / "indexed.db", rows, indexed=True)
    records_and_awards_s = _write_floor_seconds(before, kept, ("records", "awards"))
    everything_s = _write_floor_seconds(before, kept, tuple(kept))
    return {
        "engine_rps": n / engine_s,
        "plain_rps": n / plain_s,
        "ratio": plain_s / engine_s,
        "indexed_rps": n / indexed_s,
        "ratio_vs_indexed": indexed_s / engine_s,
        "awards": world.count_awards(),
        "floor_records_awards_ratio": plain_s / records_and_awards_s,
        "floor_all_rows_ratio": plain_s / everything_s,
    }


def _write_floor_seconds(
    before: Path, kept: dict[str, tuple[list[str], list[tuple[Any, ...]]]], tables: tuple[str, ...]
) -> float:
    """Time to write, with a plain executemany per table and nothing computed, the rows the
    engine left in `tables` into a copy of the database as it was before the ingest: the
    floor of any path that keeps what Plaudit keeps (records, awards, running tallies)."""
    copy = before.with_name(f"floor-{'-'.join(tables)}.db")
    copy.write_bytes(before.read_bytes())
    plain = sqlite3.connect(copy)

    def write() -> None:
        for table in tables:
            columns, rows = kept[table]
            marks = ",".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})"  # noqa: S608
            plain.executemany(sql, rows)
        plain.commit()

    seconds = timed(write)
    plain.close()
    return seconds


def _executemany_seconds(path: Path, rows: list[tuple[Any, ...]], *, indexed: bool) -> float:
    """A plain executemany of the rows into a bare records table (the target's baseline), or,
    `indexed`, into Plaudit's own records table with its indexes and unique constraint (the
    floor of any path that stores records as Plaudit does)."""
    plain = sqlite3.connect(path)
    if indexed:
        table = cast(Table, Record.__table__)
        plain.execute(str(CreateTable(table).compile(dialect=sqlite_dialect())))
        for index in table.indexes:
            plain.execute(str(CreateIndex(index).compile(dialect=sqlite_dialect())))
    else:
        plain.execute(
            "CREATE TABLE records (id INTEGER PRIMARY KEY, source_id INT, external_id TEXT,"
            " member_id INT, occurred_at TEXT, data TEXT, created_at TEXT, updated_at TEXT)"
        )

    def executemany() -> None:
        plain.executemany(
            "INSERT INTO records (source_id, external_id, member_id, occurred_at,"
            " data, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
            rows,
        )
        plain.commit()

    seconds = timed(executemany)
    plain.close()
    return seconds


def bench_scaling(tmp: Path, members: int, n: int, many: int) -> dict[str, float]:
    """Per-record cost of the bulk path with 10 and with `many` achievements on OTHER
    sources."""
    out = {}
    for count in (10, many):
        rng = random.Random(2)
        world = World(tmp / f"scale{count}.db", members)
        world.source("deals")
        world.source("other")
        world.achievements(5, "deals", "mine")
        world.achievements(count, "other", "other")
        items = world.records(n, rng)
        out[count] = timed(lambda w=world, i=items: w.ingest("deals", i)) / n  # type: ignore[misc]
    return {
        "us_per_record_10": out[10] * 1e6,
        f"us_per_record_{many}": out[many] * 1e6,
        "ratio": out[many] / out[10],
    }


NOOP_PATH = "/api/v1/bench/noop"
"""The fair no-op of the latency figures: served as a record is, through admission, the role
check, one worker-thread hop and a database session that makes one round trip (`SELECT 1`)
and commits; only the work of the ingest itself is missing. `GET /api/v1/health` skips
admission, the thread and the database: the bench reports against it too."""


def _noop_in_thread(session: Session) -> Response:
    session.execute(text("SELECT 1"))
    session.commit()
    return Response(b'{"ok":true}', media_type="application/json")


async def _noop(session: SessionDep) -> Response:
    return await run_in_threadpool(_noop_in_thread, session)


@contextmanager
def live_server(url: str) -> Iterator[str]:
    app = create_app(Settings(database_url=url, admin_token=ADMIN, timezone="Europe/Berlin"))
    # Only on the bench's own server: the application's routes do not include it.
    app.add_api_route(
        NOOP_PATH, _noop, methods=["POST"], dependencies=[allow(Role.admin, Role.ingest)]
    )
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def bench_latency(tmp: Path, members: int, requests: int) -> dict[str, float]:
    world = World(tmp / "http.db", members)
    world.source("deals")
    world.achievements(20, "deals", "http")
    return bench_latency_at(world, requests)


def bench_latency_at(world: World, requests: int) -> dict[str, float]:
    """Single-record requests against no-op requests of the same server over `world`."""
    rng = random.Random(3)
    with (
        live_server(world.url) as base,
        httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=60
        ) as client,
    ):

        def timed_call(call: Callable[[], httpx.Response]) -> float:
            start = time.perf_counter()
            response = call()
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, response.text
            return elapsed

        def post_record() -> httpx.Response:
            return client.post(
                "/api/v1/sources/deals/records",
                json={
                    "member_id": rng.choice(world.member_ids),
                    "occurred_at": (NOW - timedelta(minutes=rng.randint(0, 9999))).isoformat(),
                    "data": {
                        "status": "Approved",
                        "currency": "EUR",
                        "value": 1000,
                        "campaign_id": f"c{rng.randint(1, 6)}",
                    },
                },
            )

        def health() -> httpx.Response:
            return client.get("/api/v1/health")

        def fair_noop() -> httpx.Response:
            return client.post(NOOP_PATH, json={})

        for _ in range(min(50, requests)):  # warm up the routes
            timed_call(health)
            timed_call(fair_noop)
            timed_call(post_record)
        # Interleaved, the no-ops then one record: a change in the machine's load hits every
        # sample alike, so the ratios hold on a shared, noisy machine.
        noop: list[float] = []
        fair: list[float] = []
        record: list[float] = []
        for _ in range(requests):
            noop.append(timed_call(health))
            fair.append(timed_call(fair_noop))
            record.append(timed_call(post_record))

    def pct(xs: list[float], q: float) -> float:
        return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] * 1000

    return {
        "noop_median_ms": statistics.median(noop) * 1000,
        "noop_p99_ms": pct(noop, 0.99),
        "record_median_ms": statistics.median(record) * 1000,
        "record_p99_ms": pct(record, 0.99),
        "median_ratio": statistics.median(record) / statistics.median(noop),
        "p99_ratio": pct(record, 0.99) / pct(noop, 0.99),
        "fair_noop_median_ms": statistics.median(fair) * 1000,
        "fair_noop_p99_ms": pct(fair, 0.99),
        "fair_median_ratio": statistics.median(record) / statistics.median(fair),
        "fair_p99_ratio": pct(record, 0.99) / pct(fair, 0.99),
    }


def bench_backfill(tmp: Path, members: int, n: int) -> dict[str, float]:
    world = World(tmp / "backfill.db", members)
    world.source("deals")
    rng = random.Random(4)
    chunk = 100_000
    with world.engine.begin() as conn:
        for start in range(0, n, chunk):
            conn.execute(
                insert(Record),
                [
                    {
                        "source_id": 1,
                        "member_id": rng.randint(1, members),
                        "occurred_at": NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 25)),
                        "data": {
                            "status": rng.choice(["Approved", "Pending"]),
                            "currency": "EUR",
                            "value": rng.randint(1, 10) * 1000,
                            "campaign_id": "c1",
                        },
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for _ in range(min(chunk, n - start))
                ],
            )
    group_by = world.query_seconds(
        "SELECT member_id, count(*), sum(CAST(json_extract(data, '$.value') AS REAL)) "
        "FROM records WHERE source_id = 1 AND json_extract(data, '$.status') = 'Approved' "
        "GROUP BY member_id"
    )
    approved = [{"field": "status", "op": "eq", "value": "Approved"}]
    rule = {"source": "deals", "where": approved, "aggregate": "sum", "field": "value"}
    achievement_id = world.achievement(
        {
            "key": "backfill",
            "name": "Backfill",
            "category": "award",
            "points": 1,
            "requirements": [[{**rule, "operator": "at_least", "value": 50000}]],
        },
        activate=False,
    )

    def activate() -> None:
        with unit_of_work(world.factory) as session:
            activate_achievement(session, achievement_id, actor=SYSTEM, now=NOW, zone=ZONE)

    backfill_s = timed(activate)
    return {"backfill_s": backfill_s, "group_by_s": group_by, "ratio": backfill_s / group_by}


def bench_leaderboard(tmp: Path, members: int, n: int) -> dict[str, float]:
    world = World(tmp / "board.db", members)
    world.source("deals")
    world.achievements(4, "deals", "board")
    world.ingest("deals", world.records(n, random.Random(5)))
    baseline = world.query_seconds("SELECT member_id, sum(points) FROM awards GROUP BY member_id")
    results = {}
    with unit_of_work(world.factory) as session:
        results["points_s"] = timed(
            lambda: leaderboard(
                session, LeaderboardQuery(period="month", limit=100), now=NOW, zone=ZONE
            )
        )
        results["measure_s"] = timed(
            lambda: leaderboard(
                session,
                LeaderboardQuery.model_validate(
                    {"period": "month", "source": "deals", "aggregate": "sum", "field": "value"}
                ),
                now=NOW,
                zone=ZONE,
            )
        )
    results["awards_group_by_s"] = baseline
    return results


def bench_closing(tmp: Path, members: int, n: int) -> dict[str, float]:
    """Deciding a month when it ends (an upper-bound rule) for every member with records,
    against a plain SQL GROUP BY over the month's records (what deciding from scratch reads)."""
    world = World(tmp / "closing.db", members)
    world.source("deals")
    pending = {"field": "status", "op": "eq", "value": "Pending"}
    requirements = [
        [
            {"source": "deals", "aggregate": "count", "operator": "at_least", "value": 1},
            {
                "source": "deals",
                "where": [pending],
                "aggregate": "count",
                "operator": "at_most",
                "value": 1,
            },
        ]
    ]
    body = {"key": "calm", "name": "Calm", "category": "award", "period": "month", "points": 1}
    world.achievement({**body, "requirements": requirements})
    world.ingest("deals", world.records(n, random.Random(6)))
    before = world.count_awards()  # October's records: that month was over at ingestion
    month_end = datetime(2026, 12, 1, tzinfo=ZONE).astimezone(UTC)
    group_by = world.query_seconds(
        "SELECT member_id, count(*), sum(json_extract(data, '$.status') = 'Pending') "
        "FROM records WHERE occurred_at >= '2026-10-31 23:00:00' "
        "AND occurred_at < '2026-11-30 23:00:00' GROUP BY member_id"
    )

    def close() -> None:
        with unit_of_work(world.factory) as session:
            close_periods(session, now=month_end, zone=ZONE)

    closing_s = timed(close)
    return {
        "closing_s": closing_s,
        "group_by_s": group_by,
        "ratio": closing_s / group_by,
        "awards": world.count_awards() - before,
    }


SECTIONS = ("bulk", "latency", "scaling", "backfill", "leaderboard", "closing")
FULL_SIZES = {
    "members": 100_000,
    "records": 50_000,
    "scale_records": 10_000,
    "scale_achievements": 200,
    "requests": 400,
    "backfill_records": 1_000_000,
    "board_records": 20_000,
}
QUICK_SIZES = {
    "members": 300,
    "records": 400,
    "scale_records": 200,
    "scale_achievements": 20,
    "requests": 20,
    "backfill_records": 2_000,
    "board_records": 500,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_size_options(parser, FULL_SIZES, QUICK_SIZES)
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        help="run only this section (repeatable); default: all of them",
    )
    args = parser.parse_args()
    resolve_sizes(args, FULL_SIZES, QUICK_SIZES)
    wanted = set(args.only or SECTIONS)
    # section -> (label, target, how to run it), in the order they run
    sections: dict[str, tuple[str, str, Callable[[Path], dict[str, float]]]] = {
        "bulk": (
            "bulk ingest:",
            "target ratio >= 0.2",
            lambda tmp: bench_bulk(tmp, args.members, args.records),
        ),
        "latency": (
            "single-record HTTP:",
            "target ratio <= 3",
            lambda tmp: bench_latency(tmp, args.members, args.requests),
        ),
        "scaling": (
            f"10 vs {args.scale_achievements} achievements on other sources:",
            "target ratio ~1",
            lambda tmp: bench_scaling(
                tmp, args.members, args.scale_records, args.scale_achievements
            ),
        ),
        "backfill": (
            "backfill:",
            "target ratio <= 2",
            lambda tmp: bench_backfill(tmp, args.members, args.backfill_records),
        ),
        "leaderboard": (
            f"leaderboard over {args.members} members:",
            "",
            lambda tmp: bench_leaderboard(tmp, args.members, args.board_records),
        ),
        "closing": (
            "deciding a month when it ends:",
            "",
            lambda tmp: bench_closing(tmp, args.members, args.records),
        ),
    }
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for name, (label, target, run) in sections.items():
            if name in wanted:
                print(label, json.dumps(run(tmp)), target, flush=True)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory: {peak:.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
