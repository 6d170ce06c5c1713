"""A parsed formula checked against the sources: each aggregate call becomes a rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from pydantic import ValidationError

from plaudit.kit.schemas import error_message
from plaudit.notification.formula.parser import AGGREGATES, problem_at
from plaudit.notification.formula.syntax import (
    Call,
    FormulaProblem,
    ParsedFormula,
    Position,
)
from plaudit.rules.model import Aggregate, FieldType, Filter, Operator, Rule
from plaudit.rules.validation import validate_requirements

SourceFields: TypeAlias = Mapping[str, Mapping[str, FieldType]]


def _unknown_source(name: str, sources: SourceFields) -> str:
    known = ", ".join(repr(s) for s in sorted(sources)) or "none are defined yet"
    return f"unknown source {name!r}; known sources: {known}"


class _RefError(Exception):
    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _split_ref(call: Call, aggregate: Aggregate, sources: SourceFields) -> tuple[str, str | None]:
    """(source, field) of the call's reference; raises _RefError with the place to blame."""
    ref = call.ref
    source, dot, field = ref.rpartition(".")
    if aggregate is Aggregate.COUNT:
        if ref in sources:
            return ref, None
        if dot and source in sources:
            raise _RefError(
                "'count' counts records and takes no field: write "
                f"count({source}); count_distinct({ref}) counts distinct values",
                Position(call.ref_at.line, call.ref_at.column + len(source) + 1),
            )
        raise _RefError(_unknown_source(ref, sources), call.ref_at)
    if dot and source in sources:
        return source, field
    if ref in sources:
        raise _RefError(
            f"'{aggregate}' needs a field: write {aggregate}({ref}.<field>)", call.ref_at
        )
    raise _RefError(_unknown_source(source if dot else ref, sources), call.ref_at)


def resolve_formula(
    parsed: ParsedFormula, sources: SourceFields
) -> tuple[list[Rule], list[FormulaProblem]]:
    """Each aggregate call as a rule (its operator and value are unused), checked against the
    sources' fields exactly as rules are; every problem carries its position."""
    rules: list[Rule] = []
    problems: list[FormulaProblem] = []
    text = parsed.text
    for call in parsed.calls:
        aggregate = AGGREGATES.get(call.function.lower())
        if aggregate is None:
            known = ", ".join(AGGREGATES)
            problems.append(
                problem_at(
                    text,
                    call.function_at,
                    f"unknown aggregate {call.function!r}; use one of {known}",
                )
            )
            continue
        try:
            source, field = _split_ref(call, aggregate, sources)
        except _RefError as exc:
            problems.append(problem_at(text, exc.position, exc.message))
            continue
        field_at = Position(call.ref_at.line, call.ref_at.column + len(source) + 1)
        try:
            where = [Filter(field=c.field, op=c.op, value=c.value) for c in call.conditions]
            rule = Rule(
                source=source,
                where=where,
                aggregate=aggregate,
                field=field,
                operator=Operator.AT_LEAST,
                value=0.0,
            )
        except ValidationError as exc:
            message = "; ".join(error_message(e) for e in exc.errors())
            problems.append(problem_at(text, call.ref_at, message))
            continue
        for found in validate_requirements([[rule]], sources, repeatable=False):
            loc = found.loc[2:]
            position = call.ref_at
            if loc[:1] == ("field",):
                position = field_at
            elif loc[:1] == ("where",) and len(loc) >= 3:
                index = loc[1]
                assert isinstance(index, int)
                condition = call.conditions[index]
                position = {"field": condition.field_at, "op": condition.op_at}.get(
                    str(loc[2]), condition.value_at
                )
            problems.append(problem_at(text, position, found.message))
        rules.append(rule)
    return rules, problems
