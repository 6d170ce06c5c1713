"""Webhooks cannot reach internal addresses (SSRF): refused when saved (422 naming the field
and the reason), refused again when sent, after DNS, so a name that rebinds to 127.0.0.1 does
not pass; the allow list lets on-premises receivers through; delivery errors are generic."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.config import Settings
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.kit.url_policy import AllowList, IPAddress, UrlPolicy
from plaudit.models import WebhookDelivery, WebhookDeliveryAttempt
from plaudit.notification import outbox
from plaudit.notification.schemas import NotificationCreate
from plaudit.notification.sender import WebhookSender
from plaudit.notification.service import WebhookGuard, create_notification
from plaudit.notification.worker import DeliveryWorker
from plaudit.source.schemas import SourceCreate
from plaudit.source.service import create_source
from tests.conftest import Api
from tests.notifications.conftest import fast_settings
from tests.notifications.helpers import setup
from tests.notifications.receiver import Receiver

APPROVED = {
    "type": "record",
    "source": "deals",
    "where": [{"field": "status", "op": "eq", "value": "approved"}],
}
PUBLIC = ipaddress.ip_address("93.184.215.14")
LOOPBACK = ipaddress.ip_address("127.0.0.1")
REFUSED = [
    ("http://127.0.0.1:8000/hook", "127.0.0.1 is a loopback address"),
    ("http://localhost/hook", "localhost resolves to 127.0.0.1, which is a loopback address"),
    ("http://10.0.0.1/hook", "10.0.0.1 is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "a link-local or cloud metadata address"),
    ("http://[::1]/hook", "::1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]/hook", "is a loopback address"),
    ("http://0.0.0.0:8000/", "0.0.0.0 is an unspecified address"),
    ("http://2130706433/", "2130706433 resolves to 127.0.0.1, which is a loopback address"),
    ("http://0177.0.0.1/", "resolves to 127.0.0.1, which is a loopback address"),
    ("http://[fd00:ec2::254]/", "is a private address"),
    ("https://100.64.0.1/", "is a shared (carrier-grade NAT) address"),
]


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The default policy: no allow list."""
    return fast_settings(database_url, webhook_allowed_hosts="")


def hook(url: str) -> dict[str, object]:
    return {"type": "webhook", "url": url, "secret": "test-secret-0123456789"}


def test_internal_addresses_are_refused_when_saved(admin: Api) -> None:
    setup(admin)
    for url, reason in REFUSED:
        body = {"name": "n", "trigger": APPROVED, "action": hook(url)}
        answer = admin.post("/notifications", json=body)
        assert answer.status_code == 422, (url, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        [error] = answer.json()["errors"]
        assert (error["loc"], error["code"]) == (["action", "url"], "url_not_allowed"), url
        assert reason in error["message"], (url, error["message"])
    assert admin.ok("GET", "/notifications") == []


def test_patch_and_the_unsaved_test_refuse_them_too(admin: Api) -> None:
    setup(admin)
    created = admin.ok(
        "POST",
        "/notifications",
        201,
        json={"name": "n", "trigger": APPROVED, "action": hook("https://hooks.invalid/x")},
    )
    moved = admin.patch(
        f"/notifications/{created['id']}", json={"action": hook("http://169.254.169.254/")}
    )
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["loc"] == ["action", "url"]
    assert admin.ok("GET", f"/notifications/{created['id']}")["action"]["url"] == (
        "https://hooks.invalid/x"
    )
    tested = admin.post(
        "/notifications/test", json={"trigger": APPROVED, "action": hook("http://10.0.0.1/")}
    )
    assert tested.status_code == 422
    assert "10.0.0.1 is a private address" in tested.json()["errors"][0]["message"]


def test_credentials_in_the_url_are_refused(admin: Api) -> None:
    setup(admin)
    body = {"name": "n", "trigger": APPROVED, "action": hook("https://u:p@hooks.invalid/")}
    answer = admin.post("/notifications", json=body)
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["loc"][-1] == "url" and "credentials" in error["message"]


def test_the_test_receiver_passes_only_through_the_allow_list(
    admin: Api, receiver: Receiver
) -> None:
    """The default refuses it; the notification tests' settings list 127.0.0.1."""
    setup(admin)
    body = {"name": "n", "trigger": APPROVED, "action": hook(receiver.url)}
    assert admin.post("/notifications", json=body).status_code == 422
    assert fast_settings("sqlite://").webhook_allow_list == AllowList.parse("127.0.0.1")


class Rebinding:
    """A name that resolves to a public address at first, and to 127.0.0.1 afterwards."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, host: str, port: int) -> Sequence[IPAddress]:
        self.calls += 1
        return [PUBLIC] if self.calls == 1 else [LOOPBACK]


def saved_webhook(engine: Engine, settings: Settings, url: str, policy: UrlPolicy) -> int:
    """A webhook notification saved through the service with `policy`, and one delivery of
    it in the outbox; no application (so no other worker) runs."""
    factory = build_sessionmaker(engine)
    data = NotificationCreate.model_validate(
        {"name": "n", "trigger": APPROVED, "action": hook(url)}
    )
    with unit_of_work(factory) as session:
        setup_sources(session)
        notification, _ = create_notification(
            session,
            data,
            actor=SYSTEM,
            now=datetime.now(UTC),
            guard=WebhookGuard(policy, settings.keyring),
        )
        delivery = outbox.enqueue(
            session,
            notification_id=notification.id,
            firing_id=None,
            member_id=None,
            url=url,
            payload={"event": "notification.fired"},
            now=datetime.now(UTC),
        )
        return delivery.id


def setup_sources(session: Session) -> None:
    create_source(
        session,
        SourceCreate.model_validate(
            {"key": "deals", "name": "Deals", "fields": [{"name": "status", "type": "string"}]}
        ),
    )


def drain(worker: DeliveryWorker, engine: Engine, delivery_id: int) -> WebhookDelivery:
    """Run the worker until the delivery is settled for good (retries take milliseconds)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        worker.run_once()
        with Session(engine) as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            assert delivery is not None
            if delivery.status in ("failed", "delivered"):
                session.expunge(delivery)
                return delivery
        time.sleep(0.02)
    raise AssertionError("the delivery was not settled in time")


def attempt_errors(engine: Engine, delivery_id: int) -> list[str | None]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(WebhookDeliveryAttempt.error)
                .where(WebhookDeliveryAttempt.delivery_id == delivery_id)
                .order_by(WebhookDeliveryAttempt.number)
            )
        )


def test_a_name_rebound_to_loopback_after_saving_is_refused_when_sent(
    clean_db: Engine, settings: Settings, receiver: Receiver
) -> None:
    port = receiver.server.server_address[1]
    rebinding = Rebinding()
    policy = UrlPolicy(resolve=rebinding)
    delivery_id = saved_webhook(clean_db, settings, f"http://rebind.test:{port}/hook", policy)
    assert rebinding.calls == 1  # checked when saved: a public address then
    worker = DeliveryWorker(
        clean_db, build_sessionmaker(clean_db), settings, send=WebhookSender(policy)
    )
    failed = drain(worker, clean_db, delivery_id)
    assert rebinding.calls == 1 + settings.webhook_max_attempts  # resolved again each time
    assert failed.status == "failed" and failed.last_error == "address not allowed"
    assert set(attempt_errors(clean_db, delivery_id)) == {"address not allowed"}
    assert receiver.requests == []  # nothing ever reached 127.0.0.1


def test_a_delivery_to_loopback_already_queued_is_refused_by_default(
    clean_db: Engine, settings: Settings, receiver: Receiver
) -> None:
    """Saved under a wider allow list, then the setting was narrowed: the send-time check,
    with the real resolver and the default sender, still refuses it."""
    wide = UrlPolicy(AllowList.parse("127.0.0.1"))
    delivery_id = saved_webhook(clean_db, settings, receiver.url, wide)
    worker = DeliveryWorker(clean_db, build_sessionmaker(clean_db), settings)
    failed = drain(worker, clean_db, delivery_id)
    assert failed.status == "failed"
    assert set(attempt_errors(clean_db, delivery_id)) == {"address not allowed"}
    assert receiver.requests == []


def pinned_to_loopback(host: str, port: int) -> Sequence[IPAddress]:
    return [LOOPBACK]


def loopback_sender() -> WebhookSender:
    return WebhookSender(UrlPolicy(AllowList.parse("127.0.0.1"), resolve=pinned_to_loopback))


def test_the_sender_connects_to_the_vetted_address_and_keeps_the_host_name(
    receiver: Receiver,
) -> None:
    port = receiver.server.server_address[1]
    result = loopback_sender()(
        f"http://hooks.test:{port}/in?x=1", b"{}", {"Content-Type": "application/json"}, 5.0
    )
    assert (result.ok, result.status_code, result.error) == (True, 200, None)
    [request] = receiver.requests
    assert request.path == "/in?x=1"
    assert request.headers["Host"] == f"hooks.test:{port}"


def test_redirects_are_answers_not_followed(receiver: Receiver) -> None:
    receiver.fail_first, receiver.fail_status = 5, 302
    result = loopback_sender()(receiver.url, b"{}", {}, 5.0)
    assert (result.ok, result.status_code) == (False, 302)
    assert result.error == "HTTP 302 from the receiver"
    assert len(receiver.requests) == 1


def test_a_slow_receiver_times_out(receiver: Receiver) -> None:
    release = threading.Event()
    receiver.hold = release
    try:
        result = loopback_sender()(receiver.url, b"{}", {}, 0.3)
    finally:
        release.set()
    assert (result.ok, result.status_code, result.error) == (False, None, "timed out")


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A port that accepts connections and closes them without a word."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    server.close()


def test_a_closed_port_and_an_open_one_that_hangs_up_read_the_same(silent_listener: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    errors = {
        loopback_sender()(f"http://127.0.0.1:{port}/", b"{}", {}, 2.0).error
        for port in (closed, silent_listener)
    }
    assert errors == {"connection failed"}


def test_refused_and_unresolved_targets_are_reported_generically() -> None:
    default = WebhookSender()
    refused = default("http://169.254.169.254/latest/meta-data/", b"{}", {}, 2.0)
    assert (refused.ok, refused.error) == (False, "address not allowed")
    unresolved = default("https://hooks.invalid/", b"{}", {}, 2.0)
    assert (unresolved.ok, unresolved.error) == (False, "host name did not resolve")
