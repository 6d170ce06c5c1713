"""The board form of the admin pages: the measure as one of the leaderboard page's measure
tokens (`points`, `deals/sum/value`, `deals*/count`: see forms/leaderboard.py), the period,
the team, whether members see it and whether it is seasonal (season awards are set
through the API, and kept). Filters other than a source's default ones are set
through the API (`PATCH /api/v1/leaderboard/boards/{id}`); the form keeps them as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from plaudit.errors import PlauditError
from plaudit.models import Board, Source
from plaudit.periods import Period
from plaudit.web.forms.common import FieldErrors, add_error, errors_from_exception
from plaudit.web.forms.leaderboard import POINTS, WITH_DEFAULTS

KEEP = "keep"
"""The measure option that leaves a board's measure as it is."""
PERIOD_CHOICES = [
    (Period.day.value, "Today"),
    (Period.week.value, "This week"),
    (Period.month.value, "This month"),
    (Period.quarter.value, "This quarter"),
    (Period.year.value, "This year"),
    (Period.none.value, "All time"),
]


@dataclass(frozen=True)
class BoardValues:
    """What the form holds, as typed (for re-rendering)."""

    name: str = ""
    measure: str = POINTS
    period: str = Period.month.value
    team: str = ""
    published: bool = False
    seasonal: bool = False


def measure_token(board: Board, sources: Sequence[Source]) -> str:
    """The board's measure as a form token, or KEEP when its filters are not a source's
    default filters (the form cannot show them)."""
    if board.source is None:
        return POINTS
    defaults = next((s.default_where for s in sources if s.key == board.source), [])
    where = list(board.where or [])
    if where and where != list(defaults):
        return KEEP
    star = WITH_DEFAULTS if where else ""
    field = f"/{board.field}" if board.field else ""
    return f"{board.source}{star}/{board.aggregate}{field}"


def values_of(board: Board, sources: Sequence[Source]) -> BoardValues:
    return BoardValues(
        name=board.name,
        measure=measure_token(board, sources),
        period=board.period,
        team=str(board.team_id) if board.team_id is not None else "",
        published=board.published,
        seasonal=board.seasonal,
    )


def measure_body(token: str, sources: Sequence[Source]) -> dict[str, Any] | None:
    """The API's `measure` for a form token (None: points)."""
    if token in ("", POINTS):
        return None
    head, *rest = token.split("/")
    key = head.rstrip(WITH_DEFAULTS)
    body: dict[str, Any] = {"source": key}
    if rest:
        body["aggregate"] = rest[0]
    if len(rest) > 1:
        body["field"] = "/".join(rest[1:])
    if head.endswith(WITH_DEFAULTS):
        source = next((s for s in sources if s.key == key), None)
        body["where"] = list(source.default_where or []) if source else []
    return body


def board_body(values: BoardValues, sources: Sequence[Source]) -> dict[str, Any]:
    """The API body for the form (without `measure` when it is kept as it is)."""
    body: dict[str, Any] = {
        "name": values.name,
        "period": values.period,
        "team_id": int(values.team) if values.team.isdigit() else None,
        "published": values.published,
        "seasonal": values.seasonal,
    }
    if values.measure != KEEP:
        body["measure"] = measure_body(values.measure, sources)
    return body


def form_errors(errors: FieldErrors) -> FieldErrors:
    """Errors of the API's body under the form's field names: anything in the measure is the
    measure selector's, `team_id` the team's."""
    out: FieldErrors = {}
    for key, message in errors.items():
        field = key.removeprefix("body.").split(".")[0]
        add_error(out, {"team_id": "team"}.get(field, field), message)
    return out


def service_errors(exc: PlauditError) -> FieldErrors:
    return form_errors(errors_from_exception(exc))
