"""Signed, tamper-evident tokens (itsdangerous, HMAC-SHA256) under the process's secret key.

Each use signs with its own salt, so a token made for one purpose (an embed link) is never
accepted for another (the session cookie, which Starlette signs without this salt).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

logger = logging.getLogger(__name__)
PLACEHOLDER_SECRET = "change-me-in-production"  # noqa: S105 (the default we refuse to trust)


def process_secret(configured: str) -> str:
    """The key this process signs with: the configured one, or, when it is left at the
    published default (which would let anyone forge a signature), a random key for this
    process (what it signed stops being accepted when the process restarts)."""
    if configured and configured != PLACEHOLDER_SECRET:
        return configured
    logger.warning(
        "PLAUDIT_SECRET_KEY is not set: web sign-ins and embed links use a random key and end "
        "when the process restarts (set it when running several processes)."
    )
    return secrets.token_urlsafe(32)


class TokenSigner:
    """JSON payloads signed for one purpose (`salt`): `sign` and `open`."""

    def __init__(self, secret: str, salt: str) -> None:
        self._serializer = URLSafeSerializer(
            secret, salt=salt, signer_kwargs={"digest_method": hashlib.sha256}
        )

    def sign(self, payload: dict[str, Any]) -> str:
        token: str = self._serializer.dumps(payload)
        return token

    def open(self, token: str) -> dict[str, Any] | None:
        """The payload, or None when the token was not signed by this key for this purpose
        (altered, truncated, made up, or signed before the key changed)."""
        try:
            payload = self._serializer.loads(token)
        except BadSignature:
            return None
        return payload if isinstance(payload, dict) else None
