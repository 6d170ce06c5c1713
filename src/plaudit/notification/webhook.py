"""Webhook requests: the signed JSON body and its headers, and one HTTP attempt at sending it.

The body is the delivery's payload plus ``delivery_id``, ``attempt`` and ``sent_at``; the
signature is HMAC-SHA256 over the raw body bytes with the notification's secret, sent as
``X-Plaudit-Signature: sha256=<hex>``. Because ``sent_at`` and ``delivery_id`` are inside the
signed body, a receiver that checks freshness and remembers delivery ids refuses replays.
Sending is `sender`'s job.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plaudit import __version__

SIGNATURE_HEADER = "X-Plaudit-Signature"
TIMESTAMP_HEADER = "X-Plaudit-Timestamp"
DELIVERY_HEADER = "X-Plaudit-Delivery"
EVENT_HEADER = "X-Plaudit-Event"
EVENT = "notification.fired"
USER_AGENT = f"Plaudit-Webhooks/{__version__}"
SECRET_PREFIX = "whsec_"  # noqa: S105  (a prefix, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does (documented in docs/notifications.md): compare in constant time."""
    return hmac.compare_digest(sign(secret, body), signature)


def request_body(
    payload: dict[str, Any], *, delivery_id: int, attempt: int, sent_at: datetime
) -> bytes:
    body = payload | {
        "delivery_id": delivery_id,
        "attempt": attempt,
        "sent_at": sent_at.isoformat(),
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def request_headers(
    *, delivery_id: int | None, sent_at: datetime, signature: str
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: EVENT,
        DELIVERY_HEADER: "" if delivery_id is None else str(delivery_id),
        TIMESTAMP_HEADER: str(int(sent_at.timestamp())),
        SIGNATURE_HEADER: signature,
    }


@dataclass(frozen=True)
class SendResult:
    """One attempt's outcome; `error` is one of the generic texts of `sender` (never the
    network's own message, which would tell closed ports from open ones)."""

    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: float
