"""`plaudit serve --workers N`: N real server processes on one port over PostgreSQL.

Run as people run it (the `plaudit` command in a subprocess), on a database of its own:
the category limits hold across processes, a web sign-in is valid on every worker, the
metrics add up every worker's counters, a worker killed with SIGKILL is replaced, and the
migrations run once when several processes start together. SQLite is refused clearly.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine

from plaudit.db.migrate import is_current
from tests.conftest import ADMIN_TOKEN, postgres_url, private_postgres_database
from tests.loopback_http import loopback_client, loopback_request

PLAUDIT = [sys.executable, "-m", "plaudit.cli.main"]
WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def children_of(pid: int) -> set[int]:
    """The processes whose parent is `pid` (from /proc)."""
    out = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("PPid:") and int(line.split()[1]) == pid:
                out.add(int(status.parent.name))
    return out


def plaudit_env(database_url: str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAUDIT_")}
    env.update(
        PLAUDIT_DATABASE_URL=database_url,
        PLAUDIT_ADMIN_TOKEN=ADMIN_TOKEN,
        PLAUDIT_LOG_FORMAT="text",
        PLAUDIT_PERIOD_CLOSER="false",
        **more,
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


class Cluster:
    def __init__(self, process: subprocess.Popen[str], base: str) -> None:
        self.process = process
        self.base = base
        self.api = loopback_client(
            base_url=base + "/api/v1", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        )

    def workers(self) -> set[int]:
        # uvicorn's manager is our child; the workers are its children (spawned interpreters
        # may add a resource tracker, which serves nothing and is not counted).
        return {
            pid
            for pid in children_of(self.process.pid)
            if "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()
        }


def wait_ready(base: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            if loopback_request("GET", base + "/api/v1/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the workers did not become ready")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with private_postgres_database(postgres_url()) as url:
        port = free_port()
        process = subprocess.Popen(
            [*PLAUDIT, "serve", "--workers", str(WORKERS), "--port", str(port)],
            env=plaudit_env(url),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, process)
            cluster = Cluster(process, base)
            yield cluster
            cluster.api.close()
        finally:
            process.send_signal(signal.SIGTERM)  # our own child, by its id
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def test_n_worker_processes_serve_the_port(cluster: Cluster) -> None:
    deadline = time.monotonic() + 30
    while len(cluster.workers()) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(cluster.workers()) == WORKERS


def test_a_record_has_one_holder_with_50_concurrent_gives_over_the_workers(
    cluster: Cluster,
) -> None:
    api = cluster.api
    members = [api.post("/members", json={"name": f"Rep {i}"}).json()["id"] for i in range(50)]
    achievement = api.post(
        "/achievements",
        json={
            "key": "star-of-the-month",
            "name": "Star of the month",
            "category": "record",
            "period": "month",
            "points": 100,
            "requirements": [],
        },
    ).json()["id"]
    assert api.post(f"/achievements/{achievement}/activate").status_code == 200

    def give(member: int) -> int:
        with loopback_client(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as own:
            answer = own.post(
                f"{cluster.base}/api/v1/members/{member}/awards",
                json={"achievement_id": achievement},
                timeout=60,
            )
            return answer.status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(give, members))
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == 49, statuses
    holders = api.get("/awards", params={"achievement_id": achievement}).json()
    assert len(holders) == 1


def test_metrics_add_up_every_worker(cluster: Cluster) -> None:
    api = cluster.api
    api.post("/sources", json={"key": "visits", "name": "Visits", "fields": []})
    member = api.post("/members", json={"name": "Counted"}).json()["id"]
    sent = 0
    for i in range(40):  # one connection each: spread over the workers
        answer = loopback_request(
            "POST",
            f"{cluster.base}/api/v1/sources/visits/records",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            json={"member_id": member, "occurred_at": f"2026-11-02T10:{i:02d}:00Z", "data": {}},
        )
        assert answer.status_code == 200, answer.text
        sent += 1
    for _ in range(6):  # whichever worker answers the scrape, the sum is the same
        text = loopback_request("GET", cluster.base + "/metrics").text
        line = next(
            line
            for line in text.splitlines()
            if line.startswith('plaudit_records_ingested_total{source="visits"}')
        )
        assert float(line.split()[-1]) == sent


def test_a_sign_in_on_one_worker_holds_on_the_others(cluster: Cluster) -> None:
    api = cluster.api
    api.post("/users", json={"username": "ops", "password": "a-long-password-1", "role": "admin"})
    with loopback_client(base_url=cluster.base, follow_redirects=False) as browser:
        page = browser.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        signed = browser.post(
            "/login",
            data={"username": "ops", "password": "a-long-password-1", "csrf_token": token},
        )
        assert signed.status_code == 303, signed.text
        for _ in range(20):
            browser.cookies.update(signed.cookies)
            assert browser.get("/admin/members").status_code == 200


def test_a_killed_worker_is_replaced(cluster: Cluster) -> None:
    before = cluster.workers()
    victim = min(before)
    os.kill(victim, signal.SIGKILL)  # a worker of the server this test started
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = cluster.workers()
        if victim not in now and len(now) == WORKERS:
            break
        time.sleep(0.2)
    assert victim not in cluster.workers()
    assert len(cluster.workers()) == WORKERS
    for _ in range(10):
        assert loopback_request("GET", cluster.base + "/api/v1/health").status_code == 200


def test_workers_on_sqlite_are_refused_with_the_reason(tmp_path: Path) -> None:
    done = subprocess.run(
        [*PLAUDIT, "serve", "--workers", "2", "--port", str(free_port())],
        env=plaudit_env(f"sqlite:///{tmp_path / 'one.db'}"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "--workers 2 needs PostgreSQL" in done.stderr


def test_migrations_run_once_when_processes_start_together() -> None:
    with private_postgres_database(postgres_url()) as url:
        starts = [
            subprocess.Popen(
                [*PLAUDIT, "migrate"],
                env=plaudit_env(url),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(3)
        ]
        outputs = [p.communicate(timeout=120)[0] for p in starts]
        assert [p.returncode for p in starts] == [0, 0, 0], outputs
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            assert is_current(engine)
        finally:
            engine.dispose()
