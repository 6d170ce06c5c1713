"""The PlauditError tree: every failure a user can cause, with status, code and field.

Services raise these; each surface (JSON API, HTML pages, CLI) renders them its own way.
This module imports neither FastAPI nor a database session.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One bad field: `loc` is the path to it (e.g. ``["body", "records", 3, "data", "value"]``)."""

    loc: tuple[str | int, ...]
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, Any]:
        return {
            "loc": list(self.loc),
            "field": ".".join(str(p) for p in self.loc),
            "message": self.message,
            "code": self.code,
        }


@dataclass
class PlauditError(Exception):
    """Base of every error a user can cause. Rendered as application/problem+json."""

    detail: str
    field: str | None = None
    errors: list[FieldError] = dataclasses.field(default_factory=list)
    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __post_init__(self) -> None:
        super().__init__(self.detail)

    def __str__(self) -> str:
        return self.detail


@dataclass
class InvalidInput(PlauditError):
    status: int = 422
    code: str = "invalid_input"
    title: str = "Invalid input"


def invalid_fields(problems: list[FieldError]) -> InvalidInput:
    """An InvalidInput listing every problem, the first five also in its detail."""
    return InvalidInput(
        detail="; ".join(f"{'.'.join(map(str, p.loc))}: {p.message}" for p in problems[:5]),
        errors=problems,
    )


@dataclass
class BadRequest(PlauditError):
    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"


@dataclass
class Unauthenticated(PlauditError):
    status: int = 401
    code: str = "unauthenticated"
    title: str = "Unauthenticated"


@dataclass
class Forbidden(PlauditError):
    status: int = 403
    code: str = "forbidden"
    title: str = "Forbidden"


@dataclass
class NotFound(PlauditError):
    status: int = 404
    code: str = "not_found"
    title: str = "Not found"


@dataclass
class Conflict(PlauditError):
    status: int = 409
    code: str = "conflict"
    title: str = "Conflict"


@dataclass
class PayloadTooLarge(PlauditError):
    status: int = 413
    code: str = "payload_too_large"
    title: str = "Payload too large"


@dataclass
class UnsupportedMediaType(PlauditError):
    status: int = 415
    code: str = "unsupported_media_type"
    title: str = "Unsupported media type"


def not_found(kind: str, ident: object) -> NotFound:
    """The one wording for an unknown id, so every 404 reads the same."""
    return NotFound(
        detail=f"{kind} {ident!r} does not exist", code=f"{kind.replace(' ', '_')}_not_found"
    )
