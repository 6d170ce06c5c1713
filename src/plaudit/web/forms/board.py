"""The board form of the admin pages: the measure as one of the leaderboard page's measure
tokens (`points`, `deals/sum/value`, `deals*/count`: see forms/leaderboard.py), the period,
the team, whether members see it, whether it is seasonal and its season awards (rows of
"top N get achievement X"; blank rows are ignored). Filters other than a source's default
ones are set through the API (`PATCH /api/v1/leaderboard/boards/{id}`); the form keeps them
as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from plaudit.errors import PlauditError
from plaudit.leaderboard.board.schemas import MAX_SEASON_AWARDS, BoardCreate, BoardUpdate
from plaudit.models import Board, Source
from plaudit.periods import Period
from plaudit.web.forms.common import FieldErrors, add_error, errors_from_exception
from plaudit.web.forms.leaderboard import POINTS, WITH_DEFAULTS
from plaudit.web.forms.people import parse_schema

BoardT = TypeVar("BoardT", BoardCreate, BoardUpdate)

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
BLANK_SEASON_ROWS = 2
"""Empty season award rows offered below the filled ones (the form works without a script)."""
SEASON_TOP_HELP = "Enter how many top places get it: a whole number from 1 to 1000."
SeasonRow = tuple[str, str]
"""One season award row as typed: (top, achievement id)."""


@dataclass(frozen=True)
class BoardValues:
    """What the form holds, as typed (for re-rendering)."""

    name: str = ""
    measure: str = POINTS
    period: str = Period.month.value
    team: str = ""
    published: bool = False
    seasonal: bool = False
    season_awards: tuple[SeasonRow, ...] = ()

    def season_rows(self) -> list[SeasonRow]:
        """The rows to show: the filled ones, then blank ones, at most MAX_SEASON_AWARDS."""
        blank = ("", "")
        rows = [*self.season_awards, *[blank] * BLANK_SEASON_ROWS]
        return rows[: max(MAX_SEASON_AWARDS, len(self.season_awards))]


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
        season_awards=tuple(
            (str(a["top"]), str(a["achievement_id"])) for a in board.season_awards or []
        ),
    )


def season_rows_of(tops: list[str], achievements: list[str]) -> tuple[SeasonRow, ...]:
    """The rows a form sent (`season_top` and `season_achievement` in pairs), blank ones left
    out."""
    pairs = zip(tops, achievements + [""] * (len(tops) - len(achievements)), strict=False)
    return tuple((top.strip(), chosen.strip()) for top, chosen in pairs if top.strip() or chosen)


def season_awards_body(values: BoardValues, errors: FieldErrors) -> list[dict[str, Any]]:
    """The API's `season_awards` for the rows, with the errors a person can act on
    (`season_awards.<row>`); the schema and the service check the rest."""
    if values.season_awards and not values.seasonal:
        add_error(
            errors,
            "season_awards",
            "Season awards are given when a season ends: tick Seasonal too, or clear them.",
        )
    out: list[dict[str, Any]] = []
    for row, (top, chosen) in enumerate(values.season_awards):
        if not top.isdigit() or not 1 <= int(top) <= 1000:
            add_error(errors, f"season_awards.{row}", f"Row {row + 1}: {SEASON_TOP_HELP}")
        elif not chosen.isdigit():
            add_error(
                errors,
                f"season_awards.{row}",
                f"Row {row + 1}: choose the achievement the top {top} get.",
            )
        else:
            out.append({"top": int(top), "achievement_id": int(chosen)})
    return out


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


def parse_board(
    schema: type[BoardT], values: BoardValues, sources: Sequence[Source]
) -> tuple[BoardT | None, FieldErrors]:
    """The create or update body for the form, checked: the rows' own errors first, then the
    schema's under the form's field names."""
    errors: FieldErrors = {}
    body = board_body(values, sources)
    body["season_awards"] = season_awards_body(values, errors)
    data, schema_problems = parse_schema(schema, body, model_field="name")
    for key, message in form_errors(schema_problems).items():
        add_error(errors, key, message)
    return (data if not errors else None), errors


def form_errors(errors: FieldErrors) -> FieldErrors:
    """Errors of the API's body under the form's field names: anything in the measure is the
    measure selector's, `team_id` the team's, a season award's its row's."""
    out: FieldErrors = {}
    for key, message in errors.items():
        parts = key.removeprefix("body.").split(".")
        field = parts[0]
        if field == "season_awards" and len(parts) > 1 and parts[1].isdigit():
            add_error(out, f"season_awards.{parts[1]}", f"Row {int(parts[1]) + 1}: {message}")
            continue
        add_error(out, {"team_id": "team"}.get(field, field), message)
    return out


def service_errors(exc: PlauditError) -> FieldErrors:
    return form_errors(errors_from_exception(exc))
