"""Query parameters an endpoint does not take are refused (422), naming each one.

A typo such as `GET /members?team=3` (for `team_id`) would otherwise be answered as if no
filter had been asked for: every member, with a 200. Endpoints whose query is a model refused
such parameters already (their models forbid extra fields); this makes every endpoint do so,
with one message. The declared names are read from the route's own dependency tree, the same
declarations FastAPI validates and documents, once per route.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from pydantic import BaseModel

from plaudit.errors import FieldError, invalid_fields
from plaudit.http.deps import current_principal
from plaudit.kit.roles import Principal

_declared: dict[int, tuple[Dependant, frozenset[str]]] = {}
"""Per route (by its dependant, which routes do not hash), the names it declares."""


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model of a query declared as one (`q: Annotated[SomeQuery, Query()]`)."""
    candidates = getattr(annotation, "__args__", None) or (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def declared_query_names(dependant: Dependant) -> frozenset[str]:
    """Every query parameter name the endpoint or any of its dependencies declares."""
    names: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        for field in current.query_params:
            model = _model_of(field.field_info.annotation)
            if model is None:
                names.add(field.alias)
            else:
                names.update(info.alias or name for name, info in model.model_fields.items())
        stack.extend(current.dependencies)
    return frozenset(names)


def _takes(names: frozenset[str]) -> str:
    if not names:
        return "this endpoint takes no query parameters"
    return "this endpoint takes " + ", ".join(sorted(names))


async def refuse_unknown_query(
    request: Request,
    _principal: Annotated[Principal, Depends(current_principal)],
) -> None:
    """A dependency of every authenticated API route. It depends on the principal so that a
    request without a valid token is still answered 401 first, whatever its query says."""
    if not request.query_params:
        return
    dependant: Dependant | None = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    cached = _declared.get(id(dependant))
    if cached is None or cached[0] is not dependant:
        cached = _declared[id(dependant)] = (dependant, declared_query_names(dependant))
    declared = cached[1]
    unknown = sorted(set(request.query_params.keys()) - declared)
    if unknown:
        message = f"unknown query parameter; {_takes(declared)}"
        raise invalid_fields(
            [FieldError(("query", name), message, code="extra_forbidden") for name in unknown]
        )
