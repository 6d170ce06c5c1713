"""Notification tests run the delivery worker with short delays, so retries take milliseconds,
and let webhooks reach the test receiver on 127.0.0.1 through the allow list (by default
loopback is refused)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from plaudit.config import Settings
from tests.conftest import ADMIN_TOKEN
from tests.notifications.receiver import RECEIVER_HOST, Receiver


def fast_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "admin_token": ADMIN_TOKEN,
        "timezone": "UTC",
        "webhook_poll_seconds": 0.05,
        "webhook_timeout_seconds": 5.0,
        "webhook_max_attempts": 4,
        "webhook_retry_base_seconds": 0.02,
        "webhook_retry_max_seconds": 0.1,
        "webhook_allowed_hosts": RECEIVER_HOST,
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return fast_settings(database_url)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running
