"""One webhook attempt over HTTP(S), made to the very addresses the URL policy has just vetted.

The URL is vetted again here, after DNS (`UrlPolicy.vet`), and the connection goes to the
addresses that passed, while the Host header and TLS SNI (and certificate check) keep the
URL's host name: a name that resolved to a public address when it was saved and resolves to
127.0.0.1 now (DNS rebinding) is refused, and nothing else is ever resolved in between.
Redirects are not followed: a 3xx is an answer, and the signed body goes nowhere else.

What the delivery log records is one of a few generic texts: the network's own messages would
tell a closed port from an open or filtered one, and expose internal detail.
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from plaudit.kit.tls import default_tls_context
from plaudit.kit.url_policy import IPAddress, NameNotResolved, Target, UrlPolicy, UrlRefused
from plaudit.notification.webhook import SendResult

logger = logging.getLogger(__name__)

ADDRESS_NOT_ALLOWED = "address not allowed"
NOT_RESOLVED = "host name did not resolve"
CONNECTION_FAILED = "connection failed"
TIMED_OUT = "timed out"
RESPONSE_BYTES_KEPT = 500


def receiver_answered(status: int) -> str:
    return f"HTTP {status} from the receiver"


def _connect_first(
    addresses: Sequence[IPAddress], port: int, timeout: float | None
) -> socket.socket:
    """A TCP connection to the first of `addresses` that answers (no name is resolved here)."""
    last: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((str(address), port), timeout)
        except OSError as exc:
            last = exc
    raise last


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a vetted address, the Host header still the URL's host."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        self.sock = _connect_first(self.target.addresses, self.target.port, self.timeout)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to a vetted address; SNI and the certificate check use the URL's host."""

    default_port = http.client.HTTPS_PORT

    def __init__(self, target: Target, timeout: float, tls: ssl.SSLContext) -> None:
        super().__init__(target, timeout)
        self.tls = tls

    def connect(self) -> None:
        super().connect()
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.target.host)


@dataclass(frozen=True)
class WebhookSender:
    """POST once: `sender(url, body, headers, timeout)`. Never raises for network trouble:
    every outcome is a result to log. The resolver is the policy's (tests inject one)."""

    policy: UrlPolicy = field(default_factory=UrlPolicy)
    tls: ssl.SSLContext | None = None  # None: the process's own (`kit.tls`)

    def __call__(
        self, url: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> SendResult:
        started = time.perf_counter()
        try:
            target = self.policy.vet(url)
        except NameNotResolved:
            return SendResult(False, None, NOT_RESOLVED, _ms_since(started))
        except UrlRefused as refused:
            logger.info("webhook to %s refused: %s", url, refused.reason)
            return SendResult(False, None, ADDRESS_NOT_ALLOWED, _ms_since(started))
        connection = (
            _PinnedHTTPSConnection(target, timeout, self.tls or default_tls_context())
            if target.scheme == "https"
            else _PinnedHTTPConnection(target, timeout)
        )
        status: int | None = None
        error: str | None = None
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            status = response.status
            response.read(RESPONSE_BYTES_KEPT)
        except TimeoutError:
            error = TIMED_OUT
        except (OSError, http.client.HTTPException, ValueError) as exc:
            logger.debug("webhook to %s failed: %r", url, exc)
            error = CONNECTION_FAILED
        finally:
            connection.close()
        ok = status is not None and 200 <= status < 300
        if status is not None and not ok:
            error = receiver_answered(status)
        return SendResult(ok, status, None if ok else error, _ms_since(started))


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
