"""What a leaderboard ranks by, checked the same way wherever a measure is given: in the
query of GET /leaderboard and in a saved board.

A measure is an aggregate of a source's records (`count` by default), of one field where the
aggregate needs one, over the records that pass all of its filters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy.orm import Session

from plaudit.errors import FieldError, InvalidInput, invalid_fields
from plaudit.models import Source
from plaudit.rules.model import Aggregate, FieldType, Filter
from plaudit.rules.validation import validate_filters
from plaudit.source.service import get_source

NUMBER_AGGREGATES = frozenset({Aggregate.SUM, Aggregate.AVG, Aggregate.MIN, Aggregate.MAX})


def aggregate_for(source: str | None, aggregate: Aggregate | None) -> Aggregate | None:
    """The aggregate of a measure over `source` (`count` when left out); ValueError when an
    aggregate is given without a source."""
    if source is None:
        if aggregate is not None:
            raise ValueError("'aggregate' needs 'source': the source whose records it ranks")
        return None
    return aggregate or Aggregate.COUNT


def field_for(aggregate: Aggregate | None, field: str | None) -> str | None:
    """`field` if `aggregate` takes one (and it is there when needed); ValueError if not."""
    if aggregate is None:
        if field is not None:
            raise ValueError("'field' needs 'source': the source the field belongs to")
        return None
    if aggregate is Aggregate.COUNT and field is not None:
        raise ValueError(
            "'count' counts records and takes no field; use aggregate 'count_distinct' "
            "to count distinct values of a field"
        )
    if aggregate is not Aggregate.COUNT and field is None:
        raise ValueError(f"aggregate '{aggregate}' needs 'field'")
    return field


def where_needs_source(source: str | None) -> None:
    if source is None:
        raise ValueError("'where' needs 'source': the source whose records it filters")


def check_measure(
    session: Session,
    source_key: str,
    aggregate: Aggregate,
    field: str | None,
    filters: Sequence[Filter],
    *,
    at: tuple[str, ...],
) -> Source:
    """The measure's source, once its field and filters fit the source's fields; errors name
    the parameter under `at` (`("query",)`, `("body", "measure")`). An unknown source is the
    source's 404."""
    source = get_source(session, source_key)
    fields = source.field_types()
    where = ".".join((*at, "field"))
    if field and field not in fields:
        raise InvalidInput(
            detail=f"Source {source_key!r} has no field {field!r}; its fields: "
            f"{', '.join(sorted(fields)) or 'none'}.",
            field=where,
        )
    if aggregate in NUMBER_AGGREGATES and fields.get(field or "") != FieldType.NUMBER:
        raise InvalidInput(
            detail=f"'{aggregate}' needs a number field; {field!r} is not.", field=where
        )
    problems = validate_filters(list(filters), source_key, fields)
    if problems:
        raise invalid_fields([FieldError((*at, "where", *p.loc), p.message) for p in problems])
    return source


def measure_name(
    source: str | None,
    aggregate: Aggregate | str | None,
    field: str | None,
    filters: Sequence[Filter],
) -> str:
    """`points`; `sum(deals.value)`, and the filters when there are any:
    `sum(deals.value) where status eq "Approved"`."""
    if source is None:
        return "points"
    name = f"{aggregate or Aggregate.COUNT}({source}.{field or '*'})"
    if not filters:
        return name
    return f"{name} where {' and '.join(_filter_text(f) for f in filters)}"


def _filter_text(flt: Filter) -> str:
    return f"{flt.field} {flt.op} {json.dumps(flt.value)}"
