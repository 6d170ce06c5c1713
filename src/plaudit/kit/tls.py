"""The process's TLS client context, made on first use and shared.

`ssl.create_default_context()` loads the system's certificate authorities: a tenth to half a
second each time. Every application start made two (webhooks and email) although most
processes never open a TLS connection; an `SSLContext` may be shared by threads, so one per
process is enough. It reads the certificate store once: a process started before the store
changes keeps what it read.
"""

from __future__ import annotations

import ssl
from functools import cache


@cache
def default_tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()
