"""Awards CSV export benchmark: time and peak memory against a baseline from the same run.

    .venv/bin/python bench/export_bench.py [--quick] [--awards 1000000] [--small 100000]

`--quick` runs it at small sizes in seconds (the test suite's smoke test).

Creates the awards set-based in a SQLite file (one INSERT ... SELECT over a recursive
sequence), then exports them, each way in a fresh child process so that its peak memory
(ru_maxrss) is its own:

- baseline: the same joined SELECT through sqlite3, rows written with csv.writer as they come;
- service: plaudit.export.service.stream_awards_csv (what the CLI runs) into a file;
- http: GET /api/v1/exports/awards.csv from a live uvicorn server, streamed by httpx to a file;
- tracemalloc: the service again, with the peak of Python allocations traced.

Memory is reported as the child's peak RSS during the export (VmHWM, reset just before it) and
its growth above the RSS after imports, setup and one warm-up export that matches nothing, so
that interpreter and library size do not hide what the rows cost.
Running the same exports over `--small` awards shows whether memory grows with the data.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sizes import add_size_options, resolve_sizes

ADMIN = "bench-admin-token"
NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)
TEAMS, MEMBERS, ACHIEVEMENTS = 200, 20_000, 40
FULL_SIZES = {"awards": 1_000_000, "small": 100_000}
QUICK_SIZES = {"awards": 2_000, "small": 500}

BASELINE_SQL = """
SELECT a.id, a.achievement_id, ach.key, ach.name, a.achievement_version, a.member_id,
       m.name, m.email, m.external_id, m.team_id, t.name, t.external_id, a.points,
       a.awarded_at, a.period_key, a.period_start, a.period_end, a.completion, a.origin,
       a.given_by, a.revoked, a.revoked_at, a.revoked_by, a.revoke_reason
FROM awards a
JOIN achievements ach ON ach.id = a.achievement_id
JOIN members m ON m.id = a.member_id
LEFT JOIN teams t ON t.id = m.team_id
ORDER BY a.id
"""


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def peak_rss_kib() -> int:
    """This process image's peak RSS. VmHWM, not ru_maxrss: on Linux ru_maxrss keeps the peak
    of the parent the child was forked from, which would hide the export's own."""
    return _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def start_measuring() -> int:
    """Reset the peak to the current RSS (Linux clear_refs 5) and return the current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return peak_rss_kib()
    return _status_kib("VmRSS") or peak_rss_kib()


def build(path: Path, awards: int) -> float:
    """Migrate a SQLite file and fill it set-based; returns the seconds the awards took."""
    from plaudit.db.migrate import upgrade

    url = f"sqlite:///{path}"
    upgrade(url)
    db = sqlite3.connect(path)
    ts = "'2026-01-01 00:00:00.000000'"
    db.executescript(f"""
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {TEAMS})
        INSERT INTO teams (id, name, external_id, attributes, created_at)
        SELECT n, 'Partner ' || n || ', Inc.', 'T-' || n, '{{}}', {ts} FROM seq;

        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {MEMBERS})
        INSERT INTO members (id, name, email, external_id, team_id, role, attributes, active,
                             created_at)
        SELECT n,
               CASE n % 4 WHEN 0 THEN 'Zoë "Z" O''Brien ' || n
                          WHEN 1 THEN 'Member, ' || n
                          WHEN 2 THEN 'Line' || char(10) || 'break ' || n
                          ELSE 'Åsa ' || n END,
               'member' || n || '@example.com', 'crm-' || n, 1 + n % {TEAMS}, 'sales_rep',
               '{{}}', 1, {ts}
        FROM seq;

        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq
                                  WHERE n < {ACHIEVEMENTS})
        INSERT INTO achievements (id, key, name, description, category, points, icon,
                                  show_next_to_name, period, audience, requirements,
                                  repeatable, active, version, created_at, updated_at)
        SELECT n, 'achievement-' || n, 'Achievement ' || n || ', "gold"', NULL, 'award', n,
               NULL, 0, CASE WHEN n % 2 = 0 THEN 'month' ELSE 'none' END, '[]', '[]', 0, 0, 1,
               {ts}, {ts}
        FROM seq;
    """)  # noqa: S608 - only integer constants are interpolated
    start = time.perf_counter()
    db.executescript(f"""
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {awards})
        INSERT INTO awards (id, achievement_id, achievement_version, member_id, points,
                            awarded_at, period_key, period_start, period_end, completion,
                            holder_slot, origin, notification_id, given_by, revoked,
                            revoked_at, revoked_by, revoke_reason)
        SELECT n, 1 + n % {ACHIEVEMENTS}, 1, 1 + n % {MEMBERS}, 1 + n % {ACHIEVEMENTS},
               strftime('%Y-%m-%d %H:%M:%S', '2026-01-01', '+' || (n % 7000) || ' hours')
                   || '.000000',
               CASE WHEN n % 2 = 1 THEN 'all'
                    ELSE strftime('%Y-%m-01', '2026-01-01', '+' || (n % 7000) || ' hours') END,
               CASE WHEN n % 2 = 1 THEN NULL
                    ELSE strftime('%Y-%m-01 00:00:00.000000', '2026-01-01',
                                  '+' || (n % 7000) || ' hours') END,
               CASE WHEN n % 2 = 1 THEN NULL
                    ELSE strftime('%Y-%m-01 00:00:00.000000', '2026-01-01',
                                  '+' || (n % 7000) || ' hours', '+1 month') END,
               NULL, NULL, CASE WHEN n % 3 = 0 THEN 'manual' ELSE 'notification' END, NULL,
               'bench', n % 50 = 0,
               CASE WHEN n % 50 = 0 THEN '2026-11-01 00:00:00.000000' END,
               CASE WHEN n % 50 = 0 THEN 'bench' END,
               CASE WHEN n % 50 = 0 THEN 'given by mistake, "sorry"' END
        FROM seq;
    """)  # noqa: S608 - only integers are interpolated
    db.commit()
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


# --- the ways of exporting, each run in its own child process --------------------------------


def export_baseline(db: Path, out: Path) -> dict[str, Any]:
    connection = sqlite3.connect(db)
    before = start_measuring()
    start = time.perf_counter()
    rows = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        cursor = connection.execute(BASELINE_SQL)
        writer.writerow([d[0] for d in cursor.description])
        while batch := cursor.fetchmany(5000):
            writer.writerows(batch)
            rows += len(batch)
    return {"seconds": time.perf_counter() - start, "rows": rows, "rss_before_kib": before}


def _service(db: Path, out: Path, traced: bool) -> dict[str, Any]:
    from plaudit.award.schemas import AwardFilters
    from plaudit.db.engine import build_engine
    from plaudit.export.service import stream_awards_csv

    engine = build_engine(f"sqlite:///{db}")
    rows = 0

    def count(n: int) -> None:
        nonlocal rows
        rows += n

    # Warm up (mapper configuration, statement compilation) on an export that matches nothing,
    # so that what follows measures what the rows cost.
    for _ in stream_awards_csv(engine, AwardFilters(member_id=MEMBERS + 1), now=NOW):
        pass
    before = start_measuring()
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    with out.open("wb") as handle:
        for chunk in stream_awards_csv(engine, AwardFilters(), now=NOW, on_rows=count):
            handle.write(chunk)
    result = {"seconds": time.perf_counter() - start, "rows": rows, "rss_before_kib": before}
    if traced:
        result["traced_peak_kib"] = tracemalloc.get_traced_memory()[1] // 1024
        tracemalloc.stop()
    engine.dispose()
    return result


def export_service(db: Path, out: Path) -> dict[str, Any]:
    return _service(db, out, traced=False)


def export_traced(db: Path, out: Path) -> dict[str, Any]:
    return _service(db, out, traced=True)


def export_http(db: Path, out: Path) -> dict[str, Any]:
    import httpx
    import uvicorn

    from plaudit.app import create_app
    from plaudit.clock import FixedClock
    from plaudit.config import Settings

    settings = Settings(database_url=f"sqlite:///{db}", admin_token=ADMIN)
    app = create_app(settings, clock=FixedClock(NOW))
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/v1/exports/awards.csv"
    headers = {"Authorization": f"Bearer {ADMIN}"}
    httpx.get(url, params={"member_id": MEMBERS + 1}, headers=headers).raise_for_status()
    before = start_measuring()
    start = time.perf_counter()
    size = 0
    with (
        out.open("wb") as handle,
        httpx.stream("GET", url, headers=headers, timeout=600) as response,
    ):
        response.raise_for_status()
        for chunk in response.iter_bytes():
            handle.write(chunk)
            size += len(chunk)
    elapsed = time.perf_counter() - start
    server.should_exit = True
    thread.join(timeout=10)
    return {"seconds": elapsed, "bytes_streamed": size, "rss_before_kib": before}


MODES = {
    "baseline": export_baseline,
    "service": export_service,
    "http": export_http,
    "tracemalloc": export_traced,
}


def child(mode: str, db: Path, out: Path) -> None:
    result = MODES[mode](db, out)
    result["peak_rss_kib"] = peak_rss_kib()
    result["growth_mib"] = (result["peak_rss_kib"] - result["rss_before_kib"]) / 1024
    result["file_mib"] = out.stat().st_size / 2**20
    print(json.dumps(result))


def run_child(mode: str, db: Path, out: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(db), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def count_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def measure(tmp: Path, awards: int) -> dict[str, dict[str, Any]]:
    db = tmp / f"export-{awards}.db"
    seconds = build(db, awards)
    print(f"{awards:,} awards inserted set-based in {seconds:.1f} s", flush=True)
    results = {}
    for mode in MODES:
        out = tmp / f"{mode}-{awards}.csv"
        figures = run_child(mode, db, out)
        figures["csv_rows"] = count_rows(out)
        results[mode] = figures
        line = (
            f"  {mode:<11} {figures['seconds']:7.2f} s  "
            f"{awards / figures['seconds']:>9,.0f} rows/s  "
            f"peak RSS {figures['peak_rss_kib'] / 1024:6.1f} MiB "
            f"(+{figures['growth_mib']:.1f} MiB during export)  "
            f"file {figures['file_mib']:.0f} MiB, {figures['csv_rows']:,} rows"
        )
        if "traced_peak_kib" in figures:
            line += f"  traced Python peak {figures['traced_peak_kib'] / 1024:.1f} MiB"
        print(line, flush=True)
        assert figures["csv_rows"] == awards, (mode, figures["csv_rows"])
        out.unlink()
    base = results["baseline"]["seconds"]
    print(
        f"  ratios to baseline: service {results['service']['seconds'] / base:.2f}x, "
        f"http {results['http']['seconds'] / base:.2f}x",
        flush=True,
    )
    db.unlink()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_size_options(parser, FULL_SIZES, QUICK_SIZES)  # --small 0 skips the small run
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    resolve_sizes(args, FULL_SIZES, QUICK_SIZES)
    if args.child:
        mode, db, out = args.child
        child(mode, Path(db), Path(out))
        return
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        sizes = [n for n in (args.small, args.awards) if n]
        report = {n: measure(tmp, n) for n in sizes}
    if len(sizes) == 2:
        small, large = (report[n] for n in sizes)
        for mode in ("service", "http"):
            print(
                f"memory growth {mode}: {small[mode]['growth_mib']:.1f} MiB at {sizes[0]:,} "
                f"awards, {large[mode]['growth_mib']:.1f} MiB at {sizes[1]:,}",
                flush=True,
            )


if __name__ == "__main__":
    main()
