"""Leaderboard choices for pages: the measure, period and team selectors, and TV boards.

A measure is `points`, a saved board `board-ID`, or (admins and managers only)
`SOURCE/AGGREGATE[/FIELD]` (e.g. `deals/sum/value`, `deals/count`) over all of the source's
records, or `SOURCE*/AGGREGATE[/FIELD]` over those that pass the source's default filters
(`deals*/sum/value`: approved deals, say). A TV board is `MEASURE:PERIOD[:TEAM]`, e.g.
`points:month`, `deals/sum/value:quarter:3`, or a saved board alone (`board-2`: its own period
and team) or with them (`board-2:week`, `board-2:month:all`); PERIOD is day, week, month,
quarter, year (the current one), yesterday, last-week, last-month, last-quarter, last-year
(the one before) or all; TEAM is a team's id or `all`.

For a saved board an empty period or team means the board's own; for the other measures,
this month and all teams.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from plaudit.kit.schemas import MAX_ID, error_message
from plaudit.leaderboard.board.schemas import BoardRead
from plaudit.leaderboard.schemas import LeaderboardQuery
from plaudit.models import Board, Source
from plaudit.periods import Period, previous_start
from plaudit.rules.model import Aggregate, FieldType, Filter, FilterOp
from plaudit.web.forms.rule_builder import FILTER_LABELS

POINTS = "points"
ALL_TIME = "all"
PERIOD_TOKENS: dict[str, Period] = {
    "day": Period.day,
    "yesterday": Period.day,
    "week": Period.week,
    "last-week": Period.week,
    "month": Period.month,
    "last-month": Period.month,
    "quarter": Period.quarter,
    "last-quarter": Period.quarter,
    "year": Period.year,
    "last-year": Period.year,
    ALL_TIME: Period.none,
}
PREVIOUS = frozenset({"yesterday", "last-week", "last-month", "last-quarter", "last-year"})
"""Period tokens of the period before the current one: final standings."""
PERIOD_LABELS: dict[str, str] = {
    "day": "Today",
    "yesterday": "Yesterday",
    "week": "This week",
    "last-week": "Last week",
    "month": "This month",
    "last-month": "Last month",
    "quarter": "This quarter",
    "last-quarter": "Last quarter",
    "year": "This year",
    "last-year": "Last year",
    ALL_TIME: "All time",
}
AGGREGATE_LABELS: dict[Aggregate, str] = {
    Aggregate.COUNT: "number of records",
    Aggregate.SUM: "sum of",
    Aggregate.AVG: "average of",
    Aggregate.MIN: "smallest",
    Aggregate.MAX: "largest",
    Aggregate.COUNT_DISTINCT: "distinct values of",
}
NUMBER_AGGREGATES = (Aggregate.SUM, Aggregate.AVG, Aggregate.MIN, Aggregate.MAX)
WITH_DEFAULTS = "*"
"""After a source's key in a measure: only the records that pass its default filters."""
BOARD_PREFIX = "board-"
"""A saved board as a measure: `board-ID`."""
ALL_TEAMS = "all"
CURRENT_TOKENS: dict[Period, str] = {
    Period.none: ALL_TIME,
    Period.day: "day",
    Period.week: "week",
    Period.month: "month",
    Period.quarter: "quarter",
    Period.year: "year",
}
"""The period token of each period kind's current period."""
DEFAULT_BOARDS = ("points:month", "points:all")
MAX_BOARDS = 12


class ChoiceError(ValueError):
    """A selector value that cannot be used; `field` names the selector."""

    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Choice:
    """One board: what is measured, over which period, for which team. An empty `period`
    (saved boards only) is the board's own; `team` is a team's id, `all`, or empty (the
    board's own team; everyone for the other measures)."""

    measure: str = POINTS
    period: str = "month"
    team: str = ""

    @property
    def team_id(self) -> int | None:
        return int(self.team) if self.team.isdigit() else None

    @property
    def board_id(self) -> int | None:
        """The saved board's id, for a `board-ID` measure."""
        if not self.measure.startswith(BOARD_PREFIX):
            return None
        return int(self.measure.removeprefix(BOARD_PREFIX))

    @property
    def source(self) -> str | None:
        """The key of the measured source (None for points and boards)."""
        if self.measure == POINTS or self.board_id is not None:
            return None
        return self.measure.split("/")[0].rstrip(WITH_DEFAULTS)

    @property
    def with_defaults(self) -> bool:
        """Whether only the records that pass the source's default filters count."""
        return self.source is not None and self.measure.split("/")[0].endswith(WITH_DEFAULTS)

    def at(self, now: datetime, zone: ZoneInfo) -> datetime:
        """An instant in the chosen period: now, or the start of the period before."""
        if self.period not in PREVIOUS:
            return now
        return previous_start(now, PERIOD_TOKENS[self.period], zone)

    def query(
        self, default_where: Sequence[Any] = (), *, at: datetime | None = None
    ) -> LeaderboardQuery:
        """The service's query for the period containing `at` (default: now), with
        `default_where`, the source's default filters, when the measure asks for them; an
        impossible measure raises ChoiceError("measure"). Period and team are left out when
        empty, so that a saved board brings its own."""
        values: dict[str, object] = {"at": at}
        if self.period:
            values["period"] = PERIOD_TOKENS[self.period]
        if self.team:
            values["team_id"] = self.team_id
        if self.board_id is not None:
            values["board"] = self.board_id
        elif self.source is not None:
            _, aggregate, *field = self.measure.split("/")
            values.update(
                source=self.source, aggregate=aggregate, field=field[0] if field else None
            )
            if self.with_defaults and default_where:
                values["where"] = json.dumps(list(default_where))
        try:
            return LeaderboardQuery.model_validate(values)
        except ValidationError as exc:
            message = "; ".join(error_message(e) for e in exc.errors())
            raise ChoiceError("measure", f"This measure cannot be used: {message}.") from exc

    @property
    def spec(self) -> str:
        """The board syntax for this choice."""
        if self.board_id is not None and not self.period and not self.team:
            return self.measure
        team = f":{self.team}" if self.team else ""
        return f"{self.measure}:{self.period}{team}"


def board_options(boards: Sequence[Board]) -> list[tuple[str, str]]:
    """(value, label) for saved boards; those members do not see are marked."""
    return [
        (f"{BOARD_PREFIX}{b.id}", b.name if b.published else f"{b.name} (not published)")
        for b in boards
    ]


def measure_options(sources: Sequence[Source]) -> list[tuple[str, str]]:
    """(value, label) for every measure that makes sense of the sources' fields: of a source
    with default filters, each over those records first ("Deals (status is Approved): sum of
    value"), then over all of them ("Deals, all records: sum of value")."""
    out = [(POINTS, "Points")]
    for source in sources:
        defaults = [Filter.model_validate(f) for f in source.default_where or []]
        if defaults:
            shown = " and ".join(filter_text(f) for f in defaults)
            out += _source_measures(source, f"{source.key}{WITH_DEFAULTS}", f"({shown})")
            out += _source_measures(source, source.key, ", all records")
        else:
            out += _source_measures(source, source.key, "")
    return out


DISTINCT_TYPES = frozenset({FieldType.STRING, FieldType.DATE})
"""Fields whose distinct values are worth counting: names, ids, days (distinct customers,
distinct days with a deal). A yes/no field has two values at most; numbers and timestamps
are nearly all different, so their distinct count is just the number of records."""


def field_words(name: str) -> str:
    """A field's name as words: `close_date` -> "close date"."""
    return name.replace("_", " ").strip()


def _source_measures(source: Source, token: str, qualifier: str) -> list[tuple[str, str]]:
    """Counting fits any source; sum, average, smallest and largest only number fields;
    distinct values only the fields of DISTINCT_TYPES."""
    fields = source.field_types()
    name_of = f"{source.name}{' ' if qualifier.startswith('(') else ''}{qualifier}"
    out = [(f"{token}/count", f"{name_of}: {AGGREGATE_LABELS[Aggregate.COUNT]}")]
    for name, kind in fields.items():
        if kind is FieldType.NUMBER:
            for aggregate in NUMBER_AGGREGATES:
                label = f"{name_of}: {AGGREGATE_LABELS[aggregate]} {field_words(name)}"
                out.append((f"{token}/{aggregate.value}/{name}", label))
    for name, kind in fields.items():
        if kind in DISTINCT_TYPES:
            label = f"{name_of}: {AGGREGATE_LABELS[Aggregate.COUNT_DISTINCT]} {field_words(name)}"
            out.append((f"{token}/count_distinct/{name}", label))
    return out


def filter_text(flt: Filter) -> str:
    """ "status is Approved", "region is one of EMEA, APAC", "note is present"."""
    if flt.op is FilterOp.EXISTS:
        return f"{flt.field} {'is present' if flt.value else 'is absent'}"
    values = flt.value if isinstance(flt.value, list) else [flt.value]
    return f"{flt.field} {FILTER_LABELS[flt.op]} {', '.join(map(_value_text, values))}"


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def column_label(source: str | None, aggregate: str | None, field: str | None) -> str:
    """What a saved board's values are, for its column: "Points", "Number of records",
    "Sum of value"."""
    if source is None:
        return "Points"
    kind = Aggregate(aggregate or Aggregate.COUNT)
    words = (
        AGGREGATE_LABELS[kind]
        if kind is Aggregate.COUNT
        else f"{AGGREGATE_LABELS[kind]} {field_words(field or '')}"
    )
    return words[:1].upper() + words[1:]


def board_measure_words(board: BoardRead, sources: Sequence[Source]) -> str:
    """A saved board's measure as the measure list words it: "Points", "Deals (status is
    Approved): sum of value"."""
    measure = board.measure
    if measure is None:
        return "Points"
    name = next((s.name for s in sources if s.key == measure.source), measure.source)
    if measure.where:
        name += f" ({' and '.join(filter_text(f) for f in measure.where)})"
    words = AGGREGATE_LABELS[measure.aggregate]
    field = f" {field_words(measure.field)}" if measure.field else ""
    return f"{name}: {words}{field}"


def measure_label(
    measure: str, options: Sequence[tuple[str, str]], sources: Sequence[Source] = ()
) -> str:
    """The measure's label from the list; one the list does not offer (typed into the
    address) in the same words, "Deals: distinct values of approved", never its raw key."""
    found = dict(options).get(measure)
    if found is not None:
        return found
    head, _, rest = measure.partition("/")
    key = head.rstrip(WITH_DEFAULTS)
    name = next((s.name for s in sources if s.key == key), key)
    if head.endswith(WITH_DEFAULTS):
        name += " (default filters)"
    aggregate, _, field = rest.partition("/")
    if aggregate not in {a.value for a in Aggregate}:
        return measure
    words = AGGREGATE_LABELS[Aggregate(aggregate)]
    return f"{name}: {words}{' ' + field_words(field) if field else ''}"


def _measure(raw: str) -> str:
    value = raw.strip() or POINTS
    if value == POINTS:
        return value
    if value.startswith(BOARD_PREFIX):
        number = value.removeprefix(BOARD_PREFIX)
        if not number.isdigit() or not 1 <= int(number) <= MAX_ID:
            raise ChoiceError("measure", f"Unknown board {raw!r}: choose a board from the list.")
        return f"{BOARD_PREFIX}{int(number)}"
    parts = value.split("/")
    if len(parts) not in (2, 3) or not all(parts) or not parts[0].rstrip(WITH_DEFAULTS):
        raise ChoiceError(
            "measure", f"Unknown measure {raw!r}: use points, a board or SOURCE/AGGREGATE[/FIELD]."
        )
    if parts[1] not in {a.value for a in Aggregate}:
        known = ", ".join(a.value for a in Aggregate)
        raise ChoiceError("measure", f"Unknown aggregate {parts[1]!r}: use one of {known}.")
    return value


def _period(raw: str, *, board: bool) -> str:
    value = raw.strip() or ("" if board else "month")
    if value and value not in PERIOD_TOKENS:
        raise ChoiceError(
            "period", f"Unknown period {raw!r}: use one of {', '.join(PERIOD_TOKENS)}."
        )
    return value


def _team(raw: str, *, board: bool) -> str:
    value = raw.strip()
    if not value:
        return ""
    if value == ALL_TEAMS:
        return ALL_TEAMS if board else ""  # everyone is the default of the other measures
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise ChoiceError("team", f"Unknown team {raw!r}: choose a team from the list.")
    return str(int(value))


def parse_choice(measure: str = "", period: str = "", team: str = "") -> Choice:
    """The selectors' values as a Choice; a bad value raises ChoiceError."""
    chosen = _measure(measure)
    board = chosen.startswith(BOARD_PREFIX)
    choice = Choice(
        measure=chosen, period=_period(period, board=board), team=_team(team, board=board)
    )
    choice.query()
    return choice


def parse_board(spec: str) -> Choice:
    """One TV board, `MEASURE:PERIOD[:TEAM]` or `board-ID`; a bad spec raises
    ChoiceError("board")."""
    parts = spec.strip().split(":")
    alone = len(parts) == 1 and parts[0].startswith(BOARD_PREFIX)
    if len(parts) not in (2, 3) and not alone:
        raise ChoiceError(
            "board",
            f"Board {spec!r} is not MEASURE:PERIOD[:TEAM] or board-ID, e.g. points:month.",
        )
    try:
        return parse_choice(*parts)
    except ChoiceError as exc:
        raise ChoiceError("board", f"Board {spec!r}: {exc.message}") from exc


def parse_boards(specs: Sequence[str]) -> list[Choice]:
    """Every board of a TV page (the defaults when none is given)."""
    given = [s for s in specs if s.strip()] or list(DEFAULT_BOARDS)
    if len(given) > MAX_BOARDS:
        raise ChoiceError("board", f"At most {MAX_BOARDS} boards, not {len(given)}.")
    return [parse_board(s) for s in given]
