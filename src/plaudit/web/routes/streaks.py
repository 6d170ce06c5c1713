"""Admin page of streak definitions: the list, a create form (a measure of a source, an
operator and a value, per day, week or month, N in a row, K freezes) and delete. Admins only;
the same services as /api/v1/streaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep
from plaudit.rules.model import Operator
from plaudit.source.service import list_sources
from plaudit.streak.schemas import StreakCreate, StreakPeriod
from plaudit.streak.service import create_streak, delete_streak, list_streaks, read_streak
from plaudit.web.forms.board import measure_body
from plaudit.web.forms.common import FieldErrors, form_data, text
from plaudit.web.forms.leaderboard import POINTS, measure_options
from plaudit.web.forms.people import parse_schema
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath
from plaudit.web.routes.users import AdminUser
from plaudit.web.rule_words import rule_sentence, source_words
from plaudit.web.streak_tiles import UNITS

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
BASE = "/admin/streaks"
LABELS = {
    "name": "Name",
    "measure": "Measure",
    "operator": "Compared",
    "value": "Value",
    "period": "Period",
    "target": "In a row",
    "freezes": "Freezes",
}
OPERATORS = [
    (Operator.AT_LEAST.value, "at least"),
    (Operator.MORE_THAN.value, "more than"),
    (Operator.AT_MOST.value, "at most"),
    (Operator.LESS_THAN.value, "less than"),
    (Operator.EXACTLY.value, "exactly"),
]
PERIODS = [(p.value, UNITS[p][0].capitalize()) for p in StreakPeriod]


@dataclass(frozen=True)
class StreakValues:
    name: str = ""
    measure: str = ""
    operator: str = Operator.AT_LEAST.value
    value: str = "1"
    period: str = StreakPeriod.week.value
    target: str = "5"
    freezes: str = "0"


def _number(raw: str) -> object:
    try:
        return int(raw) if raw.strip().lstrip("-").isdigit() else float(raw)
    except ValueError:
        return raw


def _page(
    request: Request,
    session: Session,
    *,
    values: StreakValues,
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    sources = list_sources(session)
    words = source_words(sources)
    streaks = [read_streak(s) for s in list_streaks(session)]
    rows = [(s, rule_sentence(s.rule, words), UNITS[s.period][1]) for s in streaks]
    return render(
        request,
        "admin/streaks/list.html",
        title="Streaks",
        rows=rows,
        values=values,
        errors=errors,
        labels=LABELS,
        measures=[m for m in measure_options(sources) if m[0] != POINTS],
        operators=OPERATORS,
        periods=PERIODS,
        status_code=status_code,
    )


@router.get(BASE)
def streaks_page(request: Request, session: SessionDep, user: AdminUser) -> Response:
    return _page(request, session, values=StreakValues(), errors={})


def _form_errors(errors: FieldErrors) -> FieldErrors:
    """The schema's errors under the form's names: anything of the rule but its value and
    operator belongs to the measure selector."""
    out: FieldErrors = {}
    for key, message in errors.items():
        parts = key.removeprefix("body.").split(".")
        if parts[0] == "rule":
            name = parts[1] if len(parts) > 1 and parts[1] in ("value", "operator") else "measure"
        else:
            name = parts[0]
        out.setdefault(name, message)
    return out


@router.post(BASE)
def create(
    request: Request, session: SessionDep, user: AdminUser, form: Form, now: NowDep
) -> Response:
    values = StreakValues(**{name: text(form, name) for name in StreakValues.__dataclass_fields__})
    sources = list_sources(session)
    measure = measure_body(values.measure, sources)
    errors: FieldErrors = {}
    if measure is None:
        errors["measure"] = "Choose what to count or add up."
    rule = {**(measure or {}), "operator": values.operator, "value": _number(values.value)}
    body = {
        "name": values.name,
        "rule": rule,
        "period": values.period,
        "target": _number(values.target),
        "freezes": _number(values.freezes),
    }
    data, schema_errors = parse_schema(StreakCreate, body, model_field="name")
    errors = {**_form_errors(schema_errors), **errors}
    if data is not None and not errors:
        try:
            streak = create_streak(session, data, actor=user.principal, now=now)
        except PlauditError as exc:
            session.rollback()
            errors = _form_errors({e.as_dict()["field"]: e.message for e in exc.errors}) or {
                (exc.field or "body.name").removeprefix("body."): exc.detail
            }
        else:
            flash(request, f"Created the streak “{streak.name}”.")
            return RedirectResponse(BASE, status_code=303)
    return _page(request, session, values=values, errors=errors, status_code=400)


@router.post(BASE + "/{streak_id}/delete")
def delete(
    streak_id: IdPath, request: Request, session: SessionDep, user: AdminUser, now: NowDep
) -> Response:
    delete_streak(session, streak_id, actor=user.principal, now=now)
    flash(request, "Deleted the streak.")
    return RedirectResponse(BASE, status_code=303)
