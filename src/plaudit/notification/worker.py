"""The webhook delivery worker: a background thread that empties the outbox.

It wakes when a transaction that enqueued a delivery commits (a session event), and otherwise
every `webhook_poll_seconds`, so deliveries enqueued by other processes (the CLI, another
server) and retries that come due are sent too. It never blocks a request: each delivery is
claimed in one short transaction, sent with no transaction open, and settled in another.
Its timing (backoff, leases) follows the real clock, not the application's injected one.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from plaudit.clock import Clock, system_clock
from plaudit.config import Settings
from plaudit.db.session import unit_of_work
from plaudit.db.snapshot import read_snapshot
from plaudit.kit.encryption import KeyUnavailable
from plaudit.kit.url_policy import UrlPolicy
from plaudit.models import WebhookDelivery
from plaudit.notification import channels, webhook
from plaudit.notification.mailer import EmailSender, SmtpSettings
from plaudit.notification.outbox import (
    PENDING_FLAG,
    Outgoing,
    RetryPolicy,
    claim,
    due,
    outgoing,
    release,
    settle,
)
from plaudit.notification.sender import WebhookSender

logger = logging.getLogger(__name__)

Sender = Callable[[str, bytes, dict[str, str], float], webhook.SendResult]
Mailer = Callable[[dict[str, Any], float], webhook.SendResult]
BATCH = 20
NO_SECRET = "signing secret unavailable (see the server log)"  # noqa: S105 - a message
NO_CHANNEL_URL = "channel URL unavailable (see the server log)"
CHAT = ("slack", "teams")
LEASE_MARGIN = timedelta(seconds=60)


class DeliveryWorker:
    def __init__(
        self,
        engine: Engine,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        clock: Clock = system_clock,
        send: Sender | None = None,
        mail: Mailer | None = None,
    ) -> None:
        self.engine = engine
        self.factory = factory
        self.clock = clock
        self.send = send or WebhookSender(UrlPolicy(settings.webhook_allow_list))
        self.settings = settings
        self.mail = mail or EmailSender(smtp_settings(settings))
        self.name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.poll_seconds = settings.webhook_poll_seconds
        self.timeout = settings.webhook_timeout_seconds
        self.lease = timedelta(seconds=self.timeout) + LEASE_MARGIN
        self.policy = RetryPolicy(
            max_attempts=settings.webhook_max_attempts,
            base_seconds=settings.webhook_retry_base_seconds,
            max_seconds=settings.webhook_retry_max_seconds,
        )
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_problem: str | None = None

    def start(self) -> None:
        event.listen(self.factory, "after_commit", self._after_commit)
        self._thread = threading.Thread(target=self._run, name="plaudit-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the delivery in hand (if any); claimed but unsent ones are released."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(self.timeout + 5)
            self._thread = None
        if event.contains(self.factory, "after_commit", self._after_commit):
            event.remove(self.factory, "after_commit", self._after_commit)

    def wake(self) -> None:
        self._wake.set()

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(PENDING_FLAG, False):
            self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                worked = self.run_once()
            except Exception as exc:  # the worker outlives any database or network trouble
                self._report(exc)
                worked = 0
            if not worked:
                self._wake.wait(self.poll_seconds)

    def _report(self, exc: Exception) -> None:
        problem = f"{type(exc).__name__}: {exc}"
        if problem != self._last_problem:
            logger.warning("webhook worker: %s (retrying every %ss)", problem, self.poll_seconds)
            self._last_problem = problem

    def run_once(self) -> int:
        """Claim what is due and send it; returns how many deliveries were taken."""
        now = self.clock()
        with read_snapshot(self.engine) as connection:
            # A read first: on SQLite an idle poll must not take the writer lock.
            if (
                connection.execute(select(WebhookDelivery.id).where(due(now)).limit(1)).first()
                is None
            ):
                return 0
        with unit_of_work(self.factory) as session:
            claimed = claim(session, self.name, now=now, lease=self.lease, limit=BATCH)
        for index, delivery_id in enumerate(claimed):
            if self._stopping.is_set():
                with unit_of_work(self.factory) as session:
                    release(session, claimed[index:], self.name)
                break
            self._deliver(delivery_id)
        self._last_problem = None
        return len(claimed)

    def _deliver(self, delivery_id: int) -> None:
        with unit_of_work(self.factory) as session:
            out = outgoing(session, delivery_id)
        started_at = self.clock()
        if out.channel in CHAT:
            result = self._post_chat(out)
        elif out.channel == "email":
            message = channels.render(out.payload, self.settings.public_url)
            result = self.mail(message, self.timeout)
        elif (secret := self._secret(out.encrypted_secret)) is None:
            result = webhook.SendResult(False, None, NO_SECRET, 0.0)
        else:
            body = webhook.request_body(
                out.payload, delivery_id=out.id, attempt=out.attempt, sent_at=started_at
            )
            headers = webhook.request_headers(
                delivery_id=out.id, sent_at=started_at, signature=webhook.sign(secret, body)
            )
            result = self.send(out.url, body, headers, self.timeout)
        with unit_of_work(self.factory) as session:
            delivery = settle(
                session,
                delivery_id,
                self.name,
                result,
                started_at=started_at,
                now=self.clock(),
                policy=self.policy,
            )
            status = delivery.status
        logger.info(
            "webhook delivery %s attempt %s to %s: %s (%s)",
            delivery_id,
            out.attempt,
            out.url,
            result.status_code or result.error,
            status,
        )

    def _post_chat(self, out: Outgoing) -> webhook.SendResult:
        """A Slack or Teams message, to the URL kept encrypted on the notification."""
        url = self._secret(out.encrypted_secret)
        if url is None:
            return webhook.SendResult(False, None, NO_CHANNEL_URL, 0.0)
        message = channels.render(out.payload, self.settings.public_url)
        body = json.dumps(message, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "User-Agent": webhook.USER_AGENT}
        return self.send(url, body, headers, self.timeout)

    def _secret(self, encrypted: str | None) -> str | None:
        """The signing secret, or None (logged for the operator) when the keys cannot open it."""
        if encrypted is None:
            return None
        try:
            return self.settings.keyring().decrypt(encrypted)
        except KeyUnavailable as exc:
            logger.error("webhook worker: %s", exc.detail)
            return None


def smtp_settings(settings: Settings) -> SmtpSettings:
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=password,
        sender=settings.smtp_from,
        starttls=settings.smtp_starttls,
    )


def start_worker(
    engine: Engine, factory: sessionmaker[Session], settings: Settings
) -> DeliveryWorker | None:
    """Start the worker unless `webhook_worker` is off; the caller stops it."""
    if not settings.webhook_worker:
        return None
    worker = DeliveryWorker(engine, factory, settings)
    worker.start()
    return worker
