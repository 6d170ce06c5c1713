"""The API's routes as FastAPI serves them, for tests that check a rule on every route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from plaudit.app import API_PREFIX
from tests.reference_app import route_contexts

DOCS_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def api_routes() -> Iterator[tuple[str, frozenset[str], Any]]:
    """(path relative to the base path, methods, route context) for every API route."""
    for route in route_contexts():
        path = getattr(route, "path", None) or ""
        if path in DOCS_ROUTES or not path.startswith(API_PREFIX + "/"):
            continue
        methods = frozenset(getattr(route, "methods", None) or ()) - {"HEAD", "OPTIONS"}
        yield path[len(API_PREFIX) :], methods, route
