"""The API's routes as FastAPI serves them, for tests that check a rule on every route."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from plaudit.app import API_PREFIX, create_app
from plaudit.config import Settings

DOCS_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def route_contexts(routes: list[Any]) -> Iterable[Any]:
    """Every route with its full path and effective dependencies, whether FastAPI keeps
    included routers apart (newer versions) or flattens them into app.routes (older ones)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - a FastAPI that flattens included routers
        return routes
    return iter_route_contexts(routes)


@cache
def _application_routes() -> tuple[Any, ...]:
    return tuple(create_app(Settings(database_url="sqlite://")).routes)


def api_routes() -> Iterator[tuple[str, frozenset[str], Any]]:
    """(path relative to the base path, methods, route context) for every API route."""
    for route in route_contexts(list(_application_routes())):
        path = getattr(route, "path", None) or ""
        if path in DOCS_ROUTES or not path.startswith(API_PREFIX + "/"):
            continue
        methods = frozenset(getattr(route, "methods", None) or ()) - {"HEAD", "OPTIONS"}
        yield path[len(API_PREFIX) :], methods, route
