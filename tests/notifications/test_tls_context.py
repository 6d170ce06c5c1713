"""The TLS client context is made when a TLS connection needs it, once per process."""

from __future__ import annotations

import ssl

import pytest

from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.kit.tls import default_tls_context
from tests.app_cache import app_for
from tests.one_hop_client import TestClient


def test_starting_and_stopping_the_app_loads_no_certificates(
    settings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the system's certificate authorities takes a tenth of a second or more; the
    webhook and email senders used to do it at every start, for connections most processes
    never open."""

    def refuse(*_args: object) -> None:
        raise AssertionError("certificates were loaded at start")

    monkeypatch.setattr(ssl.SSLContext, "load_default_certs", refuse)
    default_tls_context.cache_clear()
    try:
        with TestClient(app_for(settings, clock)) as client:
            assert client.get("/api/v1/health").status_code == 200
    finally:
        monkeypatch.undo()
        default_tls_context.cache_clear()


def test_one_context_serves_every_sender() -> None:
    context = default_tls_context()
    assert context is default_tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
