"""`plaudit serve --workers N`: what the N server processes share, and the app each makes.

uvicorn's process manager starts each worker as a new interpreter that imports
`worker_app` and calls it, so everything a worker needs comes from the environment: the
settings (PLAUDIT_*), plus what the parent decided for all of them here:

- a web session key when none is configured: one random key for all workers, so that a
  sign-in made on one worker is valid on the others (each would otherwise make its own);
- the admin token `--demo` made, so that every worker accepts it;
- a directory for prometheus-client's multiprocess mode, so that `/metrics`, whichever worker
  answers it, adds up the counters of every worker.
"""

from __future__ import annotations

import os
import secrets
import tempfile

from fastapi import FastAPI

from plaudit.config import Settings

DEFAULT_SECRET = "change-me-in-production"  # noqa: S105 - the placeholder, not a secret
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def share_with_workers(settings: Settings) -> None:
    """Put in this process's environment what its workers must agree on."""
    if settings.secret_key.get_secret_value() == DEFAULT_SECRET:
        os.environ["PLAUDIT_SECRET_KEY"] = secrets.token_urlsafe(32)
    if settings.admin_token is not None:
        os.environ["PLAUDIT_ADMIN_TOKEN"] = settings.admin_token.get_secret_value()
    if not os.environ.get(MULTIPROC_DIR):
        os.environ[MULTIPROC_DIR] = tempfile.mkdtemp(prefix="plaudit-metrics-")


def worker_app() -> FastAPI:
    """The application of one worker process (the migrations ran in the parent)."""
    from plaudit.app import create_app
    from plaudit.observability.logs import configure_logging

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
