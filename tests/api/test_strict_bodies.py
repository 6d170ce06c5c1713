"""Every number and flag of every JSON body is declared strict (see kit.schemas.InputSchema).

Pydantic's lax mode would take `true` as the id 1 and "3" as 3; test_errors.py shows that for
the fields there are today. This test keeps it so for fields added later: it walks the body of
every route of the API, nested models, lists and unions included, and names each int, float
or bool that is declared without `Strict`.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Strict

from plaudit.record.schemas import RecordIn
from tests.api import routes

Leaf = tuple[str, type, bool]
CONTAINERS = (list, set, frozenset, tuple, dict, Sequence)


def leaves(
    annotation: Any, metadata: tuple[Any, ...], where: str, seen: set[type]
) -> Iterator[Leaf]:
    """(where, type, declared strict) for each int, float and bool inside `annotation`."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        yield from leaves(base, (*metadata, *extra), where, seen)
    elif origin in (Union, types.UnionType):
        for member in get_args(annotation):
            yield from leaves(member, metadata, where, seen)
    elif origin in CONTAINERS:
        for item in get_args(annotation):
            yield from leaves(item, (), f"{where}[]", seen)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for name, field in annotation.model_fields.items():
            inner = f"{annotation.__name__}.{name}"
            yield from leaves(field.annotation, tuple(field.metadata), inner, seen)
    elif annotation in (int, float, bool):
        strict = any(isinstance(m, Strict) and m.strict for m in metadata)
        yield where, annotation, strict


def body_annotations() -> list[tuple[str, Any, tuple[Any, ...]]]:
    out = []
    for path, methods, route in routes.api_routes():
        for param in route.dependant.body_params:
            info = param.field_info
            out.append((f"{sorted(methods)} {path}", info.annotation, tuple(info.metadata)))
    # The records endpoint reads its body itself (one record or a batch, errors by index).
    out.append(("POST /sources/{key}/records", RecordIn, ()))
    return out


def test_the_walk_finds_the_bodies_it_should() -> None:
    """Not vacuous: the walk reaches the numbers and flags it must check."""
    found = {
        where
        for _route, annotation, metadata in body_annotations()
        for where, _type, _strict in leaves(annotation, metadata, "", set())
    }
    assert {
        "RecordIn.member_id",
        "AchievementCreate.points",
        "AchievementCreate.audience[]",
        "MemberUpdate.active",
        "FormulaTrigger.threshold",
        "GiveAchievementAction.achievement_id",
    } <= found


def test_every_number_and_flag_of_a_body_is_strict() -> None:
    lax = [
        f"{route}: {where} ({kind.__name__})"
        for route, annotation, metadata in body_annotations()
        for where, kind, strict in leaves(annotation, metadata, "", set())
        if not strict
    ]
    assert not lax, "declare these StrictInt / StrictFloat / StrictBool / StrictId:\n" + "\n".join(
        lax
    )
