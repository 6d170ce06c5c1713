"""Background work in two real processes over one PostgreSQL database: each period decided
once and each webhook delivered once, whatever the two processes do at the same moment.

The world is written through the application in this process (its own webhook worker and
closer off); then two `plaudit` processes do the background work side by side.
"""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from plaudit.app import create_app
from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.db.migrate import upgrade
from plaudit.notification.webhook import DELIVERY_HEADER
from tests.concurrency.test_workers import PLAUDIT, free_port, plaudit_env, wait_ready
from tests.conftest import ADMIN_TOKEN, Api, postgres_url, private_postgres_database
from tests.engine.helpers import achievement, record, seed_sources
from tests.engine.test_period_close import CLEAN_MONTH
from tests.loopback_http import loopback_request
from tests.notifications.receiver import Receiver
from tests.one_hop_client import TestClient

NOVEMBER = FixedClock(datetime(2026, 11, 18, 13, 0, tzinfo=UTC))
MEMBERS = 24


@pytest.fixture
def database() -> Iterator[str]:
    with private_postgres_database(postgres_url()) as url:
        upgrade(url)
        yield url


def writer(url: str, **settings: object) -> TestClient:
    return TestClient(
        create_app(
            Settings(
                database_url=url,
                admin_token=ADMIN_TOKEN,
                timezone="UTC",
                period_closer=False,
                webhook_worker=False,
                **settings,  # type: ignore[arg-type]
            ),
            clock=NOVEMBER,
        )
    )


def test_two_closers_decide_each_period_once(database: str) -> None:
    with writer(database) as client:
        admin = Api(client, ADMIN_TOKEN)
        seed_sources(admin)
        clean = achievement(admin, "clean-month", CLEAN_MONTH, period="month", points=7)
        expected = set()
        for i in range(MEMBERS):
            member = admin.ok("POST", "/members", 201, json={"name": f"Rep {i}"})["id"]
            record(admin, "calls", member, outcome="won")
            if i % 3 == 0:  # two lost calls break "at most one lost"
                record(admin, "calls", member, outcome="lost")
                record(admin, "calls", member, outcome="lost")
            else:
                expected.add(member)
        assert admin.ok("GET", f"/awards?achievement_id={clean['id']}") == []  # not decided

        # Today is after November: both processes find November ended and decide it.
        closers = [
            subprocess.Popen(
                [*PLAUDIT, "close-periods"],
                env=plaudit_env(database, PLAUDIT_TIMEZONE="UTC"),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120)[0] for p in closers]
        assert [p.returncode for p in closers] == [0, 0], outputs
        awards = admin.ok("GET", f"/awards?achievement_id={clean['id']}")
    holders = Counter(a["member_id"] for a in awards)
    assert set(holders) == expected
    assert set(holders.values()) == {1}, holders  # each member's November decided once
    assert {a["period_start"] for a in awards} == {"2026-11-01T00:00:00+00:00"}


def test_two_webhook_workers_deliver_each_delivery_once(database: str) -> None:
    with Receiver() as receiver:
        hook = receiver.url
        with writer(database, webhook_allowed_hosts="127.0.0.1") as client:
            admin = Api(client, ADMIN_TOKEN)
            seed_sources(admin)
            admin.ok(
                "POST",
                "/notifications",
                201,
                json={
                    "name": "every call",
                    "trigger": {"type": "record", "source": "calls"},
                    "action": {"type": "webhook", "url": hook},
                },
            )
            member = admin.ok("POST", "/members", 201, json={"name": "Caller"})["id"]
            for i in range(40):
                record(admin, "calls", member, at=f"2026-11-10T10:{i:02d}:00+00:00", outcome="won")
        assert receiver.requests == []  # nothing is sent until the workers run

        env = plaudit_env(
            database,
            PLAUDIT_WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
            PLAUDIT_WEBHOOK_POLL_SECONDS="0.1",
        )
        ports = [free_port(), free_port()]
        servers = [
            subprocess.Popen(
                [*PLAUDIT, "serve", "--port", str(port), "--no-migrate"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for port in ports
        ]
        try:
            for port, server in zip(ports, servers, strict=True):
                wait_ready(f"http://127.0.0.1:{port}", server)
            deadline = time.monotonic() + 60
            while len(receiver.requests) < 40 and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1)  # a duplicate would arrive within the poll interval
            pending = loopback_request("GET", f"http://127.0.0.1:{ports[0]}/metrics").text
        finally:
            for server in servers:
                server.terminate()  # our own children, by their handles
            for server in servers:
                server.communicate(timeout=30)
    deliveries = Counter(r.headers[DELIVERY_HEADER] for r in receiver.requests)
    assert len(deliveries) == 40
    assert set(deliveries.values()) == {1}, deliveries
    assert "plaudit_outbox_depth 0.0" in pending
