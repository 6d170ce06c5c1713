"""Readiness, Prometheus metrics, request ids and JSON log lines (plaudit.observability).

The counters are process-wide, so each test reads them before and after what it does and
checks the difference."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from plaudit.app import create_app
from plaudit.config import Settings
from plaudit.kit.metrics import AWARDS_GIVEN, count_after_commit
from plaudit.models import Notification, WebhookDelivery
from plaudit.observability.logs import configure_logging
from tests.conftest import ADMIN_TOKEN, Api
from tests.one_hop_client import TestClient

RECORDS_PATH = "/api/v1/sources/{key}/records"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client: TestClient) -> dict[str, float]:
    """Every sample of GET /metrics, by name and labels."""
    answer = client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(answer.text):
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            out[f"{s.name}{{{labels}}}"] = s.value
    return out


def make_world(admin: Api) -> tuple[int, int]:
    """A source and an active achievement given at 2 calls; (member id, achievement id)."""
    member = admin.ok("POST", "/members", 201, json={"name": "Ada"})["id"]
    admin.ok("POST", "/sources", 201, json={"key": "calls", "name": "Calls", "fields": []})
    achievement = admin.ok(
        "POST",
        "/achievements",
        201,
        json={
            "key": "two-calls",
            "name": "Two calls",
            "category": "award",
            "points": 5,
            "repeatable": True,
            "requirements": [
                [{"source": "calls", "aggregate": "count", "operator": "at_least", "value": 2}]
            ],
        },
    )["id"]
    admin.ok("POST", f"/achievements/{achievement}/activate")
    return member, achievement


def calls(member: int, n: int, day: int = 10) -> dict[str, Any]:
    return {
        "records": [
            {"member_id": member, "occurred_at": f"2026-11-{day:02d}T10:{i:02d}:00Z", "data": {}}
            for i in range(n)
        ]
    }


def test_ready_when_the_database_answers_and_is_migrated(admin: Api) -> None:
    answer = admin.as_token(None).get("/ready")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": "ready"}


def test_not_ready_on_a_database_without_the_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with TestClient(create_app(Settings(database_url=url, period_closer=False))) as client:
        answer = client.get("/api/v1/ready")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert "newest migration" in answer.json()["detail"]


def test_not_ready_when_the_database_does_not_answer() -> None:
    # Port 1 of loopback: nothing listens there, the connection is refused at once.
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none", period_closer=False)
    with TestClient(create_app(settings)) as client:
        answer = client.get("/api/v1/ready")
        health = client.get("/api/v1/health")
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("the database does not answer")
    assert health.status_code == 200  # liveness is not readiness


def test_records_and_awards_are_counted_once_committed(client: TestClient, admin: Api) -> None:
    member, achievement = make_world(admin)
    before = scrape(client)
    admin.ok("POST", "/sources/calls/records", json=calls(member, 5))  # 2 awards (2 and 4)
    # A refused batch (an unknown member in it) writes nothing and counts nothing.
    bad = calls(member, 3)
    bad["records"][1]["member_id"] = 999_999
    assert admin.post("/sources/calls/records", json=bad).status_code == 422
    admin.ok(
        "POST", f"/members/{member}/awards", 201, json={"achievement_id": achievement}
    )  # one by hand
    after = scrape(client)

    def grew(key: str) -> float:
        return after.get(key, 0) - before.get(key, 0)

    assert grew("plaudit_records_ingested_total{source=calls}") == 5
    assert grew("plaudit_awards_given_total{origin=rule}") == 2
    assert grew("plaudit_awards_given_total{origin=manual}") == 1
    histogram = (
        "plaudit_http_request_duration_seconds_count"
        f"{{method=POST,route={RECORDS_PATH},status=200}}"
    )
    assert grew(histogram) == 1
    refused = histogram.replace("status=200", "status=422")
    assert grew(refused) == 1
    assert not any("999999" in key or "/sources/calls/" in key for key in after)


def test_the_outbox_depth_and_failed_deliveries_are_read_from_the_database(
    client: TestClient, clean_db: Engine
) -> None:
    now = datetime(2026, 11, 18, tzinfo=UTC)
    with Session(clean_db) as session, session.begin():
        hook = Notification(
            name="n", trigger={}, action={}, created_by="test", created_at=now, updated_at=now
        )
        session.add(hook)
        session.flush()
        for status in ("pending", "pending", "delivering", "delivered", "failed"):
            session.add(
                WebhookDelivery(
                    notification_id=hook.id,
                    url="https://example.org/hook",
                    payload={},
                    status=status,
                    created_at=now,
                )
            )
    figures = scrape(client)
    assert figures["plaudit_outbox_depth{}"] == 3
    assert figures["plaudit_webhook_deliveries_failed{}"] == 1


def test_a_savepoint_rolled_back_counts_nothing(clean_db: Engine) -> None:
    counter = AWARDS_GIVEN.labels("notification")
    start = sample("plaudit_awards_given_total", origin="notification")
    with Session(clean_db) as session:
        with session.begin():
            count_after_commit(session, counter, 1)
            try:
                with session.begin_nested():
                    count_after_commit(session, counter, 10)
                    raise RuntimeError("undo the savepoint")
            except RuntimeError:
                pass
            with session.begin_nested():
                count_after_commit(session, counter, 100)
            assert sample("plaudit_awards_given_total", origin="notification") == start
        assert sample("plaudit_awards_given_total", origin="notification") == start + 101
        with session.begin():
            count_after_commit(session, counter, 1000)
            session.rollback()
    assert sample("plaudit_awards_given_total", origin="notification") == start + 101


def test_every_answer_carries_a_request_id(admin: Api) -> None:
    mine = admin.get("/members", headers={"X-Request-Id": "trace-42.a:b"})
    assert mine.headers["X-Request-Id"] == "trace-42.a:b"
    fresh = admin.get("/members")
    assert len(fresh.headers["X-Request-Id"]) == 32
    assert fresh.headers["X-Request-Id"] != admin.get("/members").headers["X-Request-Id"]
    for injected in ("a b", "x" * 200, 'evil"}\n{"level":"ERROR'):
        answer = admin.get("/members", headers={"X-Request-Id": injected})
        assert answer.headers["X-Request-Id"] != injected
        assert len(answer.headers["X-Request-Id"]) == 32
    refused = admin.get("/members/999999")
    assert refused.status_code == 404 and len(refused.headers["X-Request-Id"]) == 32


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    access = logging.getLogger("uvicorn.access").disabled
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    yield stream
    root.handlers[:], level = saved
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = access


def test_log_lines_are_json_with_the_request_id(json_logs: io.StringIO, admin: Api) -> None:
    answer = admin.get("/members", headers={"X-Request-Id": "abc-123"})
    assert answer.status_code == 200
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "plaudit.access"]
    assert access, lines
    last = access[-1]
    assert last["request_id"] == "abc-123"
    assert last["method"] == "GET" and last["path"] == "/api/v1/members"
    assert last["route"] == "/api/v1/members" and last["status"] == 200
    assert last["level"] == "INFO" and isinstance(last["duration_ms"], float)
    assert {"time", "message"} <= set(last)


def test_metrics_and_probes_need_no_token_and_skip_admission(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 200
    assert client.get("/api/v1/ready").status_code == 200
    assert ADMIN_TOKEN  # the scrape above sent none


def test_the_default_handler_writes_to_the_current_standard_error(
    json_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`plaudit serve` logs to standard error as it is when a line is written: a stream
    replaced since (a test runner's capture, closed afterwards) is never written to."""
    configure_logging("INFO", "text")
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stderr", first)
    logging.getLogger("plaudit.test").warning("first line")
    first.close()
    monkeypatch.setattr("sys.stderr", second)
    logging.getLogger("plaudit.test").warning("second line")
    assert "second line" in second.getvalue() and "first line" not in second.getvalue()
