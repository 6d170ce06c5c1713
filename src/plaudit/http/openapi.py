"""The OpenAPI document says how the API answers errors: application/problem+json.

FastAPI documents a 422 of its own shape (`HTTPValidationError`, application/json) that this
API never sends, and no other error at all. Every API operation here answers its errors as
problems (http.problems), so the document says that instead: the `Problem` schema, for a 422
(which names each bad field in `errors`), for any other 4xx, and for the 503 of a busy
database. Clients and contract tools (Schemathesis) can then check the errors they get.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from plaudit.http.problems import HTTP_METHODS, PROBLEM_JSON

_REF = "#/components/schemas/"

PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "description": "An error (RFC 9457).",
        "type": "object",
        "required": ["type", "status", "title", "detail"],
        "properties": {
            "type": {"type": "string", "description": "Always `about:blank`."},
            "status": {"type": "integer", "description": "The HTTP status of the answer."},
            "title": {"type": "string", "description": "The status in words."},
            "detail": {"type": "string", "description": "What is wrong, for a person."},
            "code": {"type": "string", "description": "What is wrong, for a program."},
            "errors": {
                "type": "array",
                "description": "Bad input: one entry per bad field.",
                "items": {"$ref": _REF + "FieldProblem"},
            },
        },
    },
    "FieldProblem": {
        "title": "FieldProblem",
        "description": "One bad field of the request.",
        "type": "object",
        "required": ["loc", "field", "message", "code"],
        "properties": {
            "loc": {
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "description": 'The path to the field, such as `["body", "records", 3]`.',
            },
            "field": {"type": "string", "description": "`loc` joined with dots."},
            "message": {"type": "string"},
            "code": {"type": "string"},
        },
    },
}

ERROR_ANSWERS = {
    "422": "Invalid input: `errors` names each bad field.",
    "4XX": "Refused (bad request, no or bad token, role not allowed, unknown id, conflict, "
    "too large...); nothing was changed.",
    "503": "The database is busy or unavailable; nothing was changed.",
}
_FASTAPI_ONLY = ("HTTPValidationError", "ValidationError")


def document_problems(document: dict[str, Any]) -> None:
    """Declare the problem answers on every operation of the document (the API's: the web
    pages are not in it), in place."""
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_ANSWERS.items():
                responses[status] = {
                    "description": description,
                    "content": {PROBLEM_JSON: {"schema": {"$ref": _REF + "Problem"}}},
                }
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_ONLY:
        schemas.pop(name, None)
    schemas.update(PROBLEM_SCHEMAS)


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_EXACT_FLOAT = 2**53
"""Whole numbers up to here survive a trip through a float (every bound here does: MAX_ID is
2**31 - 1)."""


def _exact_bound(bound: float) -> int:
    if abs(bound) >= _EXACT_FLOAT or not bound.is_integer():
        raise ValueError(f"no exact integer bound for {bound!r}")
    return int(bound)


def exact_integer_bounds(node: Any) -> None:
    """Give integer schemas their bounds back as integers, in place.

    FastAPI passes the models' schemas through its own OpenAPI model, whose `minimum` and
    `maximum` are floats (`maximum: 2147483647.0`); an integer's bounds are whole numbers, and
    a float bound past 2**53 would not even be the number meant. Walked with a stack, like the
    document's nesting."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") == "integer":
                for key in _BOUNDS:
                    if isinstance(item.get(key), float):
                        item[key] = _exact_bound(item[key])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def install_problem_document(app: FastAPI) -> None:
    """Make `app.openapi()` (and /openapi.json) declare the problem answers."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()  # FastAPI's: kept, and made again only when the routes change
        if "Problem" not in document.get("components", {}).get("schemas", {}):
            document_problems(document)
            exact_integer_bounds(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
