"""HTTP clients for the tests' own servers on 127.0.0.1.

A new `httpx.Client` builds a TLS context and loads the system's certificate authorities
(a tenth to half a CPU second) even when it only ever speaks plain HTTP to loopback: the race
tests made twelve clients per race and the readiness polls one per poll, several percent of
the suite's CPU. These clients share the process's one context (`plaudit.kit.tls`), which
verifies exactly as a new one would.
"""

from __future__ import annotations

from typing import Any

import httpx

from plaudit.kit.tls import default_tls_context


def loopback_client(**options: Any) -> httpx.Client:
    """`httpx.Client(**options)` on the process's shared TLS context."""
    return httpx.Client(verify=default_tls_context(), **options)


def loopback_request(method: str, url: str, **options: Any) -> httpx.Response:
    """One request on a client of its own, as `httpx.request` would send it."""
    timeout = options.pop("timeout", httpx.Timeout(5.0))
    with loopback_client(timeout=timeout) as client:
        return client.request(method, url, **options)
