"""One application per worker for the tests that read the app's routes or OpenAPI document.

Five test modules listed the routes or read the document, each from an application of its
own made while collecting: every worker built the routes' state five times and the document
twice (about a CPU second each). The routes and the document do not depend on the settings or
the database (nothing connects until the lifespan runs), so one application serves them all.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from fastapi import FastAPI
from pydantic import SecretStr

from plaudit.app import create_app
from plaudit.config import Settings


@cache
def reference_app() -> FastAPI:
    """An application that is never started: for its routes and its document only."""
    return create_app(
        Settings(database_url="sqlite://", secret_key=SecretStr("reference-app-routes-only"))
    )


@cache
def route_contexts() -> tuple[Any, ...]:
    """Every route with its full path, methods and effective dependencies (`path`, `methods`,
    `original_route`, `dependant`), whether FastAPI keeps included routers apart (newer
    versions, walked with iter_route_contexts) or flattens them into app.routes (older ones)."""
    routes = list(reference_app().routes)
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - a FastAPI that flattens included routers
        return tuple(routes)
    return tuple(iter_route_contexts(routes))


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, a copy of its own for each caller (Schemathesis edits what it is
    given)."""
    return copy.deepcopy(reference_app().openapi())
