"""Render every error as application/problem+json (RFC 9457) with status, title, detail."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from plaudit.errors import PlauditError
from plaudit.kit.schemas import error_message

logger = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "status": status,
        "title": title or _TITLES.get(status, "Error"),
        "detail": detail,
    }
    if code:
        body["code"] = code
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    items = []
    for err in exc.errors():
        loc = [p for p in err.get("loc", ()) if p is not None]
        items.append(
            {
                "loc": loc,
                "field": ".".join(str(p) for p in loc),
                "message": error_message(err),
                "code": str(err.get("type", "invalid")),
            }
        )
    return items


def _describe(errors: list[dict[str, Any]]) -> str:
    shown = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return shown + more


async def _on_plaudit_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PlauditError)
    errors = [e.as_dict() for e in exc.errors] if exc.errors else None
    if errors is None and exc.field:
        errors = [
            {
                "loc": exc.field.split("."),
                "field": exc.field,
                "message": exc.detail,
                "code": exc.code,
            }
        ]
    if errors is None and exc.status in (400, 422):
        # Bad input always names where it is: the request as a whole when no field is known.
        errors = [{"loc": ["request"], "field": "request", "message": exc.detail, "code": exc.code}]
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem(
        exc.status, exc.detail, code=exc.code, errors=errors, title=exc.title, headers=headers
    )


def _literal_path_methods(request: Request) -> set[str] | None:
    """The methods of the route whose path is exactly the request's (no parameters), or None
    when there is none. `PATCH /groups/preview` reaches `PATCH /groups/{group_id}` with the
    id "preview", but the path names the preview route, which has no PATCH: a 405."""
    operations = request.app.openapi().get("paths", {}).get(request.scope["path"])
    if operations is None:
        return None
    return {method.upper() for method in operations if method in HTTP_METHODS}


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    methods = _literal_path_methods(request)
    if methods is not None and request.method not in methods:
        return problem(
            405,
            f"{request.method} is not a method of {request.scope['path']}",
            headers={"Allow": ", ".join(sorted(methods))},
        )
    errors = _validation_errors(exc)
    if any(e["code"] == "json_invalid" for e in errors):
        return problem(
            400,
            "The request body is not valid JSON: " + _describe(errors),
            code="malformed_json",
            errors=errors,
        )
    return problem(422, _describe(errors), code="invalid_input", errors=errors)


HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
"""The keys of an OpenAPI path item that are operations."""


def _fits(template: str, path: str) -> bool:
    """Whether `path` is an instance of the OpenAPI path `template` (`{x}`: one segment)."""
    want, got = template.split("/"), path.split("/")
    return len(want) == len(got) and all(
        w == g or (w.startswith("{") and w.endswith("}") and g != "")
        for w, g in zip(want, got, strict=True)
    )


def _allowed_methods(request: Request) -> str:
    """Every method the API takes at the request's path, read from the OpenAPI document (which
    has every API route). Starlette's 405 names only the methods of the first route it tried
    (GET of /teams/{team_id}, not PATCH), and `Allow` must list them all (RFC 9110)."""
    path = request.scope["path"]
    literal = _literal_path_methods(request)
    if literal is not None:  # /groups/preview is that route's path, not a group's id
        return ", ".join(sorted(literal))
    methods = {
        method.upper()
        for template, operations in request.app.openapi().get("paths", {}).items()
        if _fits(template, path)
        for method in operations
        if method in HTTP_METHODS
    }
    return ", ".join(sorted(methods))


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No such path in the API"
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
        headers["Allow"] = allowed
    return problem(exc.status_code, detail, headers=headers or None)


async def _on_integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    # Services translate the constraints they know; this is the backstop for a race that
    # slipped past them: the database refused the write, so nothing was half written.
    logger.info("integrity error answered as 409: %s", exc)
    return problem(
        409, "The change conflicts with existing data and was not applied.", code="conflict"
    )


async def _on_out_of_range(_request: Request, exc: Exception) -> JSONResponse:
    # Backstop for values the database cannot hold (an id of 2**70 in a path, a NUL character
    # in a path or query on PostgreSQL): bad input, not a crash.
    logger.info("value out of range answered as 422: %s", exc)
    detail = (
        "A value in the request cannot be stored or looked up by the database (a number out "
        "of range, or a character it does not accept); nothing was changed."
    )
    errors = [{"loc": ["request"], "field": "request", "message": detail, "code": "out_of_range"}]
    return problem(422, detail, code="out_of_range", errors=errors)


async def _on_operational_error(_request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable: %s", exc)
    return problem(
        503,
        "The database is busy or unavailable; nothing was changed. Try again.",
        code="database_unavailable",
    )


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error", exc_info=exc)
    return problem(500, "An unexpected error occurred; nothing was changed.", code="internal")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PlauditError, _on_plaudit_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(IntegrityError, _on_integrity_error)
    app.add_exception_handler(OperationalError, _on_operational_error)
    app.add_exception_handler(PoolTimeoutError, _on_operational_error)  # no connection free
    app.add_exception_handler(DataError, _on_out_of_range)
    app.add_exception_handler(OverflowError, _on_out_of_range)
    app.add_exception_handler(Exception, _on_unexpected)
