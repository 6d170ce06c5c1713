"""Smoke test of the benchmarks: each one, run with ``--quick`` (small sizes, seconds) in its
own process as people run it, exits 0 and prints every figure it reports at full size.

Nothing is asserted about speed: the figures of a quick run mean nothing. What is checked is
that the benchmark still runs against today's code and that its figures are all there and
well formed. `bench/pg_bench.py` runs on the suite's PostgreSQL server, in a database of its
own that it drops.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 300


def run_quick(script: str, tmp_path: Path, **settings: str) -> list[str]:
    """Run `bench/<script> --quick`; its stdout lines. Fails with its output on a non-zero exit.

    The benchmark's own PLAUDIT_* settings are cleared so that a developer's environment
    cannot change what runs (`settings` are set instead); its temporary files go under
    `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAUDIT_")}
    env["TMPDIR"] = str(tmp_path)
    env.update(settings)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr[-4000:]}"
    return done.stdout.splitlines()


def figures(line: str, label: str) -> dict[str, float]:
    """The JSON figures of an engine benchmark line `<label>: {...} <target>`: every one a
    finite, non-negative number."""
    assert line.startswith(f"{label}: {{"), (label, line)
    found: dict[str, float] = json.loads(line[len(label) + 2 : line.rindex("}") + 1])
    for name, value in found.items():
        assert isinstance(value, int | float), (label, name, value)
        assert math.isfinite(value), (label, name, value)
        assert value >= 0, (label, name, value)
    return found


def test_engine_benchmark_runs_quick(tmp_path: Path) -> None:
    lines = run_quick("engine_bench.py", tmp_path)

    sections = [
        ("bulk ingest", {"engine_rps", "plain_rps", "ratio", "indexed_rps", "awards"}),
        ("single-record HTTP", {"noop_median_ms", "record_median_ms", "median_ratio", "p99_ratio"}),
        ("10 vs 20 achievements on other sources", {"us_per_record_10", "us_per_record_20"}),
        ("backfill", {"backfill_s", "group_by_s", "ratio"}),
        ("leaderboard over 300 members", {"points_s", "measure_s", "awards_group_by_s"}),
        ("deciding a month when it ends", {"closing_s", "group_by_s", "ratio", "awards"}),
    ]
    assert len(lines) == len(sections) + 1, lines
    for line, (label, names) in zip(lines, sections, strict=False):
        found = figures(line, label)
        assert names <= set(found), (label, sorted(found))
    # The quick worlds still exercise the engine: records gave awards, ingest and decide.
    assert figures(lines[0], "bulk ingest")["awards"] > 0
    assert figures(lines[5], "deciding a month when it ends")["awards"] > 0
    assert re.fullmatch(r"peak memory: \d+ MiB", lines[-1]), lines[-1]


def test_import_benchmark_runs_quick(tmp_path: Path) -> None:
    lines = run_quick("import_bench.py", tmp_path)

    number = r"[\d,.]+"
    assert len(lines) == 3, lines
    for line, rows in zip(lines, ("300", "1,000"), strict=False):
        assert re.fullmatch(
            rf"\s*{rows} rows: import {number} s \({number} rows/s, peak {number} MiB\); "
            rf"baseline {number} s \(peak {number} MiB\); ratio {number}x",
            line,
        ), line
    assert re.fullmatch(
        rf"import peak memory growth: -?{number} MiB per 100,000 more rows", lines[2]
    ), lines[2]


def test_export_benchmark_runs_quick(tmp_path: Path) -> None:
    lines = run_quick("export_bench.py", tmp_path)

    number = r"[\d,.]+"
    modes = ("baseline", "service", "http", "tracemalloc")
    expected: list[str] = []
    for awards in ("500", "2,000"):
        expected.append(rf"{awards} awards inserted set-based in {number} s")
        expected += [
            rf"  {mode:<11} +{number} s +{number} rows/s  peak RSS +{number} MiB "
            rf"\(\+{number} MiB during export\)  file {number} MiB, {awards} rows"
            + (rf"  traced Python peak {number} MiB" if mode == "tracemalloc" else "")
            for mode in modes
        ]
        expected.append(rf"  ratios to baseline: service {number}x, http {number}x")
    expected += [
        rf"memory growth {mode}: {number} MiB at 500 awards, {number} MiB at 2,000"
        for mode in ("service", "http")
    ]
    assert len(lines) == len(expected), lines
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line), (pattern, line)


def test_postgresql_benchmark_runs_quick(tmp_path: Path) -> None:
    server = os.environ["PLAUDIT_TEST_POSTGRES_URL"]
    lines = run_quick("pg_bench.py", tmp_path, PLAUDIT_BENCH_POSTGRES_URL=server)

    assert len(lines) == 3, lines
    intake = figures(lines[0], "HTTP batches of 500 into PostgreSQL and SQLite")
    assert {"postgresql_rps", "sqlite_rps", "ratio_to_sqlite", "copy_rps", "ratio_to_copy"} <= set(
        intake
    ), sorted(intake)
    assert {"postgresql_last_to_first", "sqlite_last_to_first"} <= set(intake), sorted(intake)
    assert {"inprocess_rps", "http_to_inprocess"} <= set(intake), sorted(intake)
    # The same batches gave awards, and the same ones, on both databases.
    assert intake["awards"] > 0
    assert intake["same_awards_on_both"] == 1
    latency = figures(lines[1], "single-record HTTP on PostgreSQL")
    assert {"noop_median_ms", "record_median_ms", "median_ratio", "p99_ratio"} <= set(latency)
    assert {"fair_noop_median_ms", "fair_median_ratio", "fair_p99_ratio"} <= set(latency)
    growth = figures(lines[2], "CPU per record over a long run, in-process batches of 500")
    assert {"postgresql_last_to_first", "sqlite_last_to_first", "awards_last_to_first"} <= set(
        growth
    ), sorted(growth)
    # Both databases gave the same awards in every tenth.
    assert growth["same_awards_per_tenth"] == 1


def test_workers_benchmark_runs_quick(tmp_path: Path) -> None:
    # Its own throwaway PostgreSQL cluster (initdb, pg_ctl): no server setting is passed.
    lines = run_quick("workers_bench.py", tmp_path)

    assert len(lines) == 4, lines
    names = {
        "records_per_s",
        "cpu_ms_per_record",
        "server_cpu_ms_per_record",
        "database_cpu_ms_per_record",
    }
    for line, workers in zip(lines, (1, 2, 4), strict=False):
        found = figures(line, f"{workers} worker(s), 8 clients")
        assert names <= set(found), sorted(found)
        # Serving records costs CPU in the servers and in the database, and both are counted.
        assert found["server_cpu_ms_per_record"] > 0
        assert found["database_cpu_ms_per_record"] > 0
    scaling = figures(lines[3], "scaling")
    assert {"cpu_per_record_2_vs_1", "cpu_per_record_4_vs_1"} <= set(scaling), sorted(scaling)


def test_intake_benchmark_runs_quick(tmp_path: Path) -> None:
    lines = run_quick(
        "intake_bench.py",
        tmp_path,
        PLAUDIT_BENCH_POSTGRES_URL=os.environ["PLAUDIT_TEST_POSTGRES_URL"],
        PLAUDIT_BENCH_NATS_URL=os.environ.get("PLAUDIT_TEST_NATS_URL", "nats://127.0.0.1:4222"),
    )

    assert len(lines) == 1, lines
    found = figures(lines[0], "JetStream intake, messages of 100 records")
    assert {"consume_rps", "plain_ack_rps", "bulk_rps", "ratio_to_bulk", "ratio_to_plain"} <= set(
        found
    ), sorted(found)
    # The consumer applied the same records as the bulk path: the same awards on both.
    assert found["awards"] > 0
    assert found["same_awards"] == 1
