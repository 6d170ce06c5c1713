"""Webhook requests: the signed JSON body and its headers, and one HTTP attempt at sending it.

The body is the delivery's payload plus ``delivery_id``, ``attempt`` and ``sent_at``; the
signature is HMAC-SHA256 over the raw body bytes with the notification's secret, sent as
``X-Plaudit-Signature: sha256=<hex>``. Because ``sent_at`` and ``delivery_id`` are inside the
signed body, a receiver that checks freshness and remembers delivery ids refuses replays.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from plaudit import __version__

SIGNATURE_HEADER = "X-Plaudit-Signature"
TIMESTAMP_HEADER = "X-Plaudit-Timestamp"
DELIVERY_HEADER = "X-Plaudit-Delivery"
EVENT_HEADER = "X-Plaudit-Event"
EVENT = "notification.fired"
SECRET_PREFIX = "whsec_"  # noqa: S105  (a prefix, not a secret)
RESPONSE_BYTES_KEPT = 500


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
        "User-Agent": f"Plaudit-Webhooks/{__version__}",
        EVENT_HEADER: EVENT,
        DELIVERY_HEADER: "" if delivery_id is None else str(delivery_id),
        TIMESTAMP_HEADER: str(int(sent_at.timestamp())),
        SIGNATURE_HEADER: signature,
    }


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: float


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a place to resend a signed body to: 3xx fails the attempt."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> SendResult:
    """POST once. Never raises for network trouble: every outcome is a result to log."""
    if urlsplit(url).scheme not in ("http", "https"):
        return SendResult(False, None, f"refused: {url!r} is not an http(s) URL", 0.0)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only, checked above
    started = time.perf_counter()
    status: int | None = None
    error: str | None = None
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = int(response.status)
            response.read(RESPONSE_BYTES_KEPT)
    except urllib.error.HTTPError as exc:
        status = exc.code
        error = f"HTTP {exc.code} {exc.reason}"
        exc.close()
    except urllib.error.URLError as exc:
        error = f"{type(exc.reason).__name__}: {exc.reason}"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = (time.perf_counter() - started) * 1000
    ok = status is not None and 200 <= status < 300
    if not ok and error is None:
        error = f"HTTP {status}"
    return SendResult(ok, status, error if not ok else None, duration_ms)
