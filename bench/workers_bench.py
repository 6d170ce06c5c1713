"""Server processes: `plaudit serve --workers 1, 2 and 4` under 8 concurrent clients.

    .venv/bin/python bench/workers_bench.py [--quick] [--members 10000] [--requests 4000]
                                            [--clients 8]

Runs on a THROWAWAY PostgreSQL cluster that it starts itself (initdb and pg_ctl in a temporary
directory, a free port of 127.0.0.1; `bench/throwaway_pg.py`), so that every postgres process
is the benchmark's and the database's CPU time can be counted. With 10,000 members and 20
active achievements over a source, each worker count serves `--requests` single-record POSTs
from `--clients` concurrent clients (after a warm-up), and the bench reads from /proc the CPU
time (utime + stime) of the server processes and of the postgres processes before and after.

Prints, per worker count, the records per second and the CPU milliseconds per record (servers
and database together, and each); then the CPU per record of 2 workers against 1 (target at
most 1.15: on a machine of 2 cores throughput cannot show the scaling, the CPU spent per
record can). The clients' own CPU is not counted (they are threads of this process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from engine_bench import ADMIN, NOW, World
from proc_cpu import tree_cpu_seconds
from sizes import add_size_options, resolve_sizes
from sqlalchemy import create_engine, text
from throwaway_pg import Cluster, free_port, throwaway_cluster

from plaudit.config import Settings
from plaudit.kit.tls import default_tls_context

FULL_SIZES = {"members": 10_000, "requests": 4_000, "clients": 8}
QUICK_SIZES = {"members": 200, "requests": 80, "clients": 8}
WORKER_COUNTS = (1, 2, 4)
ROOT = Path(__file__).resolve().parents[1]


def _admin(cluster: Cluster, sql: str) -> None:
    admin = create_engine(
        Settings(database_url=cluster.url).sqlalchemy_url, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(sql))
    admin.dispose()


def make_database(cluster: Cluster, members: int) -> str:
    """The world in a database named `bench`, used only as the template of each run's copy."""
    _admin(cluster, 'CREATE DATABASE "bench"')
    world = World(database_url(cluster, "bench"), members)
    world.source("deals")
    world.achievements(20, "deals", "workers")
    world.engine.dispose()
    return "bench"


def database_url(cluster: Cluster, name: str) -> str:
    return cluster.url.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def fresh_copy(cluster: Cluster, template: str, name: str) -> Iterator[str]:
    """A copy of the template for one run: every worker count starts from the same history
    (run one after another on one database, each later count would pay for the records and
    awards of the earlier ones: the cost per record grows with the awards a member has)."""
    _admin(cluster, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield database_url(cluster, name)
    finally:
        _admin(cluster, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serve(url: str, workers: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`plaudit serve --workers N` on a free port; its base URL once it answers."""
    port = free_port()
    env = os.environ | {
        "PLAUDIT_DATABASE_URL": url,
        "PLAUDIT_ADMIN_TOKEN": ADMIN,
        "PLAUDIT_TIMEZONE": "Europe/Berlin",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-c", "from plaudit.cli.main import app; app()", "serve"]
    options = ["--no-migrate", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, *options, "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # several workers start slowly on a busy machine
        # One client for every poll: a new one loads the certificate store (CPU of this process).
        with httpx.Client(timeout=1, verify=default_tls_context()) as probe:
            while True:
                try:
                    if probe.get(f"{base}/api/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"plaudit serve --workers {workers} did not start")
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def post_records(base: str, members: int, count: int, clients: int, seed: int) -> None:
    """`count` single-record POSTs spread over `clients` concurrent clients."""
    share = [count // clients + (1 if i < count % clients else 0) for i in range(clients)]

    def client(index: int) -> None:
        rng = random.Random(seed * 100 + index)
        with httpx.Client(
            base_url=base,
            headers={"Authorization": f"Bearer {ADMIN}"},
            timeout=60,
            verify=default_tls_context(),
        ) as http:
            for _ in range(share[index]):
                response = http.post(
                    "/api/v1/sources/deals/records",
                    json={
                        "member_id": rng.randint(1, members),
                        "occurred_at": (
                            NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 20))
                        ).isoformat(),
                        "data": {
                            "status": rng.choice(["Approved", "Pending"]),
                            "currency": "EUR",
                            "value": rng.randint(1, 10) * 1000,
                            "campaign_id": f"c{rng.randint(1, 6)}",
                        },
                    },
                )
                assert response.status_code == 200, response.text

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))


def bench_workers(
    cluster: Cluster, url: str, members: int, requests: int, clients: int, workers: int
) -> dict[str, float]:
    with serve(url, workers) as (base, process):
        post_records(base, members, max(clients, requests // 10), clients, seed=workers)
        servers_before = tree_cpu_seconds(process.pid)
        db_before = cluster.cpu_seconds()
        began = time.perf_counter()
        post_records(base, members, requests, clients, seed=1000 + workers)
        seconds = time.perf_counter() - began
        servers = tree_cpu_seconds(process.pid) - servers_before
        database = cluster.cpu_seconds() - db_before
    return {
        "records_per_s": requests / seconds,
        "cpu_ms_per_record": (servers + database) * 1000 / requests,
        "server_cpu_ms_per_record": servers * 1000 / requests,
        "database_cpu_ms_per_record": database * 1000 / requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_size_options(parser, FULL_SIZES, QUICK_SIZES)
    args = parser.parse_args()
    resolve_sizes(args, FULL_SIZES, QUICK_SIZES)
    results: dict[int, dict[str, Any]] = {}
    with throwaway_cluster() as cluster:
        template = make_database(cluster, args.members)
        for workers in WORKER_COUNTS:
            with fresh_copy(cluster, template, f"bench_{workers}") as url:
                results[workers] = bench_workers(
                    cluster, url, args.members, args.requests, args.clients, workers
                )
            figures = {k: round(v, 3) for k, v in results[workers].items()}
            print(f"{workers} worker(s), {args.clients} clients:", json.dumps(figures))
    ratio = {
        "cpu_per_record_2_vs_1": results[2]["cpu_ms_per_record"] / results[1]["cpu_ms_per_record"],
        "cpu_per_record_4_vs_1": results[4]["cpu_ms_per_record"] / results[1]["cpu_ms_per_record"],
        "records_per_s_2_vs_1": results[2]["records_per_s"] / results[1]["records_per_s"],
    }
    print(
        "scaling:",
        json.dumps({k: round(v, 3) for k, v in ratio.items()}),
        "target cpu_per_record_2_vs_1 <= 1.15",
    )


if __name__ == "__main__":
    main()
