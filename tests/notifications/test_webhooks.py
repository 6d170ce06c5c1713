"""Webhook actions against a real HTTP receiver on 127.0.0.1: signed bodies, retries with
backoff, failure after the last attempt, the delivery log, and the outbox's guarantees (sent
only after commit, never blocking the request, surviving a restart)."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from plaudit.app import create_app
from plaudit.clock import FixedClock
from plaudit.models import WebhookDelivery
from plaudit.notification import webhook
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from tests.conftest import ADMIN_TOKEN, Api
from tests.notifications.conftest import fast_settings
from tests.notifications.helpers import (
    NOV,
    deliveries,
    firings,
    formula,
    notify,
    send,
    setup,
    wait_for_deliveries,
)
from tests.notifications.receiver import Receiver
from tests.one_hop_client import TestClient

SECRET = "test-secret-0123456789"
APPROVED = {
    "type": "record",
    "source": "deals",
    "where": [{"field": "status", "op": "eq", "value": "approved"}],
}


def hook(url: str) -> dict[str, Any]:
    return {"type": "webhook", "url": url, "secret": SECRET}


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does: HMAC-SHA256 of the raw body, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Plaudit-Signature"])


def test_a_signed_webhook_is_delivered(admin: Api, receiver: Receiver) -> None:
    ids = setup(admin)
    created = notify(admin, APPROVED, hook(receiver.url), name="Deal won")
    result = send(admin, "deals", ids["ann"], external_id="d-1", status="approved", value=500)
    assert result["awards"] == []
    [request] = receiver.wait_for(1)
    assert request.path == "/hook"
    assert verify(SECRET, request.headers, request.body)
    assert webhook.verify(SECRET, request.body, request.headers["X-Plaudit-Signature"])
    assert not verify("another-secret-entirely", request.headers, request.body)
    assert not verify(SECRET, request.headers, request.body + b" ")
    body = json.loads(request.body)
    [delivery] = wait_for_deliveries(admin, created["id"], "delivered")
    assert request.headers["X-Plaudit-Delivery"] == str(delivery["id"]) == str(body["delivery_id"])
    assert request.headers["X-Plaudit-Event"] == "notification.fired"
    assert request.headers["Content-Type"] == "application/json"
    sent_at = datetime.fromisoformat(body["sent_at"])
    assert int(request.headers["X-Plaudit-Timestamp"]) == int(sent_at.timestamp())
    assert body["event"] == "notification.fired"
    assert body["attempt"] == 1
    assert body["notification"] == {"id": created["id"], "name": "Deal won"}
    assert body["member"] == {
        "id": ids["ann"],
        "name": "Ann",
        "external_id": "crm-ann",
        "team_id": None,
    }
    assert body["trigger"] == {"type": "record", "source": "deals", "event": "created"}
    assert body["record"]["data"] == {"status": "approved", "value": 500}
    assert body["record"]["occurred_at"] == NOV
    assert body["fired_at"] == "2026-11-18T13:00:00+00:00"
    assert (delivery["attempts"], delivery["last_status_code"], delivery["url"]) == (
        1,
        200,
        receiver.url,
    )
    [attempt] = delivery["attempt_log"]
    assert (attempt["number"], attempt["status_code"], attempt["succeeded"]) == (1, 200, True)
    assert attempt["duration_ms"] >= 0 and attempt["error"] is None
    [firing] = firings(admin, created["id"])
    assert (firing["outcome"], firing["delivery_id"]) == ("enqueued", delivery["id"])


def test_failures_are_retried_with_backoff_until_delivered(admin: Api, receiver: Receiver) -> None:
    ids = setup(admin)
    receiver.fail_first = 2
    created = notify(admin, APPROVED, hook(receiver.url))
    send(admin, "deals", ids["ann"], status="approved", value=1)
    requests = receiver.wait_for(3)
    [delivery] = wait_for_deliveries(admin, created["id"], "delivered")
    assert [r.answered for r in requests] == [500, 500, 200]
    bodies = [json.loads(r.body) for r in requests]
    assert [b["attempt"] for b in bodies] == [1, 2, 3]
    assert {b["delivery_id"] for b in bodies} == {delivery["id"]}
    assert all(verify(SECRET, r.headers, r.body) for r in requests)
    assert delivery["attempts"] == 3
    log = delivery["attempt_log"]
    assert [(a["number"], a["status_code"], a["succeeded"]) for a in log] == [
        (1, 500, False),
        (2, 500, False),
        (3, 200, True),
    ]
    assert log[0]["error"] == "HTTP 500 from the receiver"
    started = [datetime.fromisoformat(a["started_at"]) for a in log]
    assert started == sorted(started)


def test_a_delivery_fails_after_the_last_attempt_and_can_be_retried(
    admin: Api, receiver: Receiver
) -> None:
    ids = setup(admin)
    receiver.fail_first = 1000
    created = notify(admin, APPROVED, hook(receiver.url))
    send(admin, "deals", ids["ann"], status="approved", value=1)
    [failed] = wait_for_deliveries(admin, created["id"], "failed")
    assert failed["attempts"] == 4  # webhook_max_attempts in these tests
    assert len(failed["attempt_log"]) == 4
    assert failed["last_error"] == "HTTP 500 from the receiver"
    assert failed["next_attempt_at"] is None
    assert len(receiver.requests) == 4
    assert admin.ok("GET", f"/notifications/{created['id']}/deliveries?status=failed") == [failed]
    receiver.fail_first = 0
    retried = admin.ok("POST", f"/deliveries/{failed['id']}/retry")
    assert (retried["status"], retried["attempts"]) == ("pending", 0)
    [delivered] = wait_for_deliveries(admin, created["id"], "delivered")
    assert [a["number"] for a in delivered["attempt_log"]] == [1, 2, 3, 4, 5]
    again = admin.post(f"/deliveries/{failed['id']}/retry")
    assert (again.status_code, again.json()["code"]) == (409, "delivery_not_failed")
    assert admin.post("/deliveries/99999/retry").status_code == 404


def test_an_unreachable_receiver_is_logged_as_an_error(admin: Api) -> None:
    ids = setup(admin)
    with socket.socket() as probe:  # a port nobody listens on once this socket is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    created = notify(admin, APPROVED, hook(f"http://127.0.0.1:{port}/gone"))
    send(admin, "deals", ids["ann"], status="approved", value=1)
    [failed] = wait_for_deliveries(admin, created["id"], "failed")
    assert {a["status_code"] for a in failed["attempt_log"]} == {None}
    # Not "refused": a closed port reads the same as an unreachable or filtered one.
    assert failed["last_error"] == "connection failed"
    assert {a["error"] for a in failed["attempt_log"]} == {"connection failed"}


def test_the_request_never_waits_for_the_receiver(admin: Api, receiver: Receiver) -> None:
    ids = setup(admin)
    release = threading.Event()
    receiver.hold = release
    created = notify(admin, APPROVED, hook(receiver.url))
    try:
        for value in range(3):
            send(admin, "deals", ids["ann"], status="approved", value=value)
        receiver.wait_for(1)  # the worker is stuck in the receiver, the requests were answered
        assert all(
            d["status"] in ("pending", "delivering") for d in deliveries(admin, created["id"])
        )
    finally:
        release.set()
    wait_for_deliveries(admin, created["id"], "delivered", count=3)


def test_a_rolled_back_request_sends_nothing(
    admin: Api, engine: Engine, receiver: Receiver
) -> None:
    ids = setup(admin)
    created = notify(admin, APPROVED, hook(receiver.url))
    with Session(engine) as session:
        ingest_records(
            session,
            "deals",
            [
                RecordIn(
                    member_id=ids["ann"], occurred_at=NOV, data={"status": "approved", "value": 1}
                )
            ],
            now=datetime.fromisoformat(NOV),
            zone=ZoneInfo("UTC"),
        )
        enqueued = session.scalar(select(func.count()).select_from(WebhookDelivery))
        assert enqueued == 1  # in the transaction ...
        session.rollback()  # ... which never commits
    send(admin, "deals", ids["ann"], external_id="kept", status="approved", value=2)
    [request] = receiver.wait_for(1)
    [delivery] = wait_for_deliveries(admin, created["id"], "delivered")
    assert json.loads(request.body)["record"]["data"]["value"] == 2
    time.sleep(0.3)  # several polls of the worker
    assert len(receiver.requests) == 1
    assert [d["id"] for d in deliveries(admin, created["id"])] == [delivery["id"]]


def test_deliveries_survive_a_restart(
    clean_db: Engine, database_url: str, clock: FixedClock, receiver: Receiver
) -> None:
    stopped = fast_settings(database_url, webhook_worker=False)
    with TestClient(create_app(stopped, clock=clock)) as first:
        admin = Api(first, ADMIN_TOKEN)
        ids = setup(admin)
        created = notify(admin, APPROVED, hook(receiver.url))
        send(admin, "deals", ids["ann"], status="approved", value=1)
        [pending] = deliveries(admin, created["id"])
        assert (pending["status"], pending["attempts"]) == ("pending", 0)
    time.sleep(0.2)
    assert receiver.requests == []
    with TestClient(create_app(fast_settings(database_url), clock=clock)) as second:
        admin = Api(second, ADMIN_TOKEN)
        [delivered] = wait_for_deliveries(admin, created["id"], "delivered")
        assert delivered["id"] == pending["id"]
    [request] = receiver.requests
    assert json.loads(request.body)["delivery_id"] == pending["id"]


def test_a_formula_webhook_says_the_value_and_the_period(admin: Api, receiver: Receiver) -> None:
    ids = setup(admin)
    created = notify(admin, formula("count(calls)", threshold=2, period="week"), hook(receiver.url))
    send(admin, "calls", ids["ann"], minutes=1)
    send(admin, "calls", ids["ann"], minutes=2)
    [request] = receiver.wait_for(1)
    body = json.loads(request.body)
    assert body["trigger"] == {
        "type": "formula",
        "formula": "count(calls)",
        "operator": ">=",
        "threshold": 2.0,
        "value": 2.0,
        "period": "week",
        "period_key": "2026-11-16",
        "period_start": "2026-11-16T00:00:00+00:00",
        "period_end": "2026-11-23T00:00:00+00:00",
    }
    assert body["record"]["data"] == {"minutes": 2}  # the record that crossed
    wait_for_deliveries(admin, created["id"], "delivered")
