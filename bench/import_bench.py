"""`plaudit import` benchmark: time and peak memory against a baseline from the same run.

    .venv/bin/python bench/import_bench.py [--quick] [--rows 200000] [--small 50000]

`--quick` runs it at small sizes in seconds (the test suite's smoke test).

Builds a migrated SQLite database (`--members` members, 10,000 by default; a deals source,
five active achievements over it), writes a CSV of `--rows` deals and one of `--small`, then,
each in a fresh child process so that its peak memory (ru_maxrss, read with wait4) is its own
and on a fresh copy of the database:

- baseline: the CSV read with csv.reader and written with one sqlite3 ``executemany`` into a
  bare table, in one transaction (rows streamed, none kept);
- import: ``plaudit import deals FILE``: each batch of the file checked and imported through
  the engine before the next is read.

Importing both files shows whether memory grows with the size of the file.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sizes import add_size_options, resolve_sizes
from sqlalchemy import insert

from plaudit.achievement.schemas import AchievementCreate
from plaudit.achievement.service import activate_achievement, create_achievement
from plaudit.db.engine import build_engine
from plaudit.db.migrate import upgrade
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.models import Member
from plaudit.periods import parse_zone
from plaudit.source.schemas import SourceCreate
from plaudit.source.service import create_source

NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)
ZONE = parse_zone("UTC")
FULL_SIZES = {"rows": 200_000, "small": 50_000, "members": 10_000}
QUICK_SIZES = {"rows": 1_000, "small": 300, "members": 200}
FIELDS = [{"name": "status", "type": "string"}, {"name": "value", "type": "number"}]

BASELINE = """
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("CREATE TABLE plain (external_id TEXT, member_id INTEGER, occurred_at TEXT, "
             "status TEXT, value REAL)")
with open(sys.argv[2], newline="") as handle:
    rows = csv.reader(handle)
    next(rows)
    conn.executemany("INSERT INTO plain VALUES (?, ?, ?, ?, ?)", rows)
conn.commit()
"""


def build_database(path: Path, members: int) -> None:
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = build_engine(url)
    with engine.begin() as conn:
        conn.execute(
            insert(Member),
            [
                {"name": f"Member {i}", "attributes": {}, "active": True, "created_at": NOW}
                for i in range(members)
            ],
        )
    factory = build_sessionmaker(engine)
    with unit_of_work(factory) as session:
        deals = {"key": "deals", "name": "Deals", "fields": FIELDS}
        create_source(session, SourceCreate.model_validate(deals))
    for i in range(5):
        body = {
            "key": f"deals-{i}",
            "name": f"Deals {i}",
            "category": "award",
            "period": "month",
            "points": 10,
            "requirements": [
                [
                    {
                        "source": "deals",
                        "where": [{"field": "status", "op": "eq", "value": "Approved"}],
                        "aggregate": "sum",
                        "field": "value",
                        "operator": "at_least",
                        "value": 20_000 * (i + 1),
                    }
                ]
            ],
        }
        with unit_of_work(factory) as session:
            created = create_achievement(
                session, AchievementCreate.model_validate(body), actor=SYSTEM, now=NOW, zone=ZONE
            )
            activate_achievement(session, created.id, actor=SYSTEM, now=NOW, zone=ZONE)
    engine.dispose()


def write_csv(path: Path, rows: int, members: int) -> None:
    rng = random.Random(rows)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["external_id", "member_id", "occurred_at", "status", "value"])
        for i in range(rows):
            day = rng.randint(1, 28)
            out.writerow(
                [
                    f"deal-{i}",
                    rng.randint(1, members),
                    f"2026-11-{day:02d}T10:00:00Z",
                    rng.choice(["Approved", "Pending"]),
                    rng.randint(1, 100) * 100,
                ]
            )


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run a child process; its wall time and peak RSS in KiB. Fails on a non-zero exit."""
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise SystemExit(f"{args[:3]} failed ({child.returncode}): {stderr[-2000:]}")
    return seconds, usage.ru_maxrss


def measure(tmp: Path, template: Path, csv_path: Path) -> dict[str, float]:
    env = dict(os.environ)
    plain_db = tmp / "plain.db"
    plain_db.unlink(missing_ok=True)
    baseline = [sys.executable, "-c", BASELINE, str(plain_db), str(csv_path)]
    base_s, base_kib = run_child(baseline, env)
    database = tmp / "import.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, database)
    env["PLAUDIT_DATABASE_URL"] = f"sqlite:///{database}"
    cli = "from plaudit.cli.main import app; app()"
    import_s, import_kib = run_child(
        [sys.executable, "-c", cli, "import", "deals", str(csv_path)], env
    )
    return {
        "baseline_s": base_s,
        "import_s": import_s,
        "ratio": import_s / base_s,
        "baseline_peak_mib": base_kib / 1024,
        "import_peak_mib": import_kib / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_options(parser, FULL_SIZES, QUICK_SIZES)
    args = parser.parse_args()
    resolve_sizes(args, FULL_SIZES, QUICK_SIZES)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        template = tmp / "template.db"
        build_database(template, args.members)
        results = {}
        for rows in (args.small, args.rows):
            csv_path = tmp / f"deals-{rows}.csv"
            write_csv(csv_path, rows, args.members)
            results[rows] = measure(tmp, template, csv_path)
            figures = results[rows]
            print(
                f"{rows:>9,} rows: import {figures['import_s']:.2f} s "
                f"({rows / figures['import_s']:,.0f} rows/s, peak {figures['import_peak_mib']:.0f}"
                f" MiB); baseline {figures['baseline_s']:.2f} s (peak "
                f"{figures['baseline_peak_mib']:.0f} MiB); ratio {figures['ratio']:.1f}x",
                flush=True,
            )
        small, large = results[args.small], results[args.rows]
        growth = (large["import_peak_mib"] - small["import_peak_mib"]) / (
            (args.rows - args.small) / 100_000
        )
        print(f"import peak memory growth: {growth:.1f} MiB per 100,000 more rows")


if __name__ == "__main__":
    main()
