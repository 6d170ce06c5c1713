"""Check a notification's trigger and action against the data, and prepare it for firing.

Shape is Pydantic's job (schemas); this module checks what needs the database: the sources and
fields a trigger reads (with the rules' own validation), the formula (with the position of each
mistake), and the achievement an action gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.engine.sources import field_types_by_source
from plaudit.errors import FieldError, invalid_fields
from plaudit.kit.url_policy import NameNotResolved, UrlPolicy, UrlRefused
from plaudit.models import Achievement, Level
from plaudit.notification.formula import (
    Expr,
    FormulaProblem,
    FormulaSyntaxError,
    parse_formula,
    resolve_formula,
)
from plaudit.notification.schemas import (
    Action,
    AnyAction,
    AnyTrigger,
    AwardTrigger,
    GiveAchievementAction,
    LevelTrigger,
    RecordTrigger,
    SlackAction,
    TeamsAction,
    Trigger,
    WebhookAction,
)
from plaudit.rules.model import FieldType, Rule
from plaudit.rules.validation import validate_filters

TRIGGER_ADAPTER: TypeAdapter[AnyTrigger] = TypeAdapter(Trigger)
ACTION_ADAPTER: TypeAdapter[AnyAction] = TypeAdapter(Action)


@dataclass(frozen=True)
class FormulaFieldError(FieldError):
    """A mistake in a formula, located by line and column, with the line and a caret."""

    line: int = 1
    column: int = 1
    snippet: str = ""

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {
            "line": self.line,
            "column": self.column,
            "snippet": self.snippet,
        }


@dataclass
class CompiledNotification:
    """An active notification ready to fire: its trigger parsed once, its sources' fields."""

    id: int
    name: str
    trigger: AnyTrigger
    action: AnyAction
    fields: dict[str, dict[str, FieldType]]
    expr: Expr | None = None
    terms: list[Rule] = field(default_factory=list)
    """Formula triggers: each aggregate call as a rule (operator and value unused)."""

    @property
    def sources(self) -> set[str]:
        if isinstance(self.trigger, RecordTrigger):
            return {self.trigger.source}
        return {term.source for term in self.terms}

    @property
    def listens_to_events(self) -> bool:
        """An award or level trigger: fired by what is written, not by records."""
        return isinstance(self.trigger, AwardTrigger | LevelTrigger)


def _formula_error(problem: FormulaProblem) -> FormulaFieldError:
    return FormulaFieldError(
        ("trigger", "formula"),
        problem.describe(),
        code="formula_invalid",
        line=problem.position.line,
        column=problem.position.column,
        snippet=problem.snippet,
    )


def _check_record_trigger(
    trigger: RecordTrigger, fields: dict[str, dict[str, FieldType]], problems: list[FieldError]
) -> None:
    if trigger.source not in fields:
        known = ", ".join(repr(k) for k in sorted(fields)) or "none are defined yet"
        problems.append(
            FieldError(
                ("trigger", "source"),
                f"unknown source {trigger.source!r}; known sources: {known}",
            )
        )
        return
    source = trigger.source
    for found in validate_filters(trigger.where, source, fields[source], loc=("where",)):
        problems.append(FieldError(("trigger", *found.loc), found.message))


def _check_ids(
    session: Session,
    model: type[Achievement] | type[Level],
    ids: list[int],
    field_name: str,
    what: str,
    problems: list[FieldError],
) -> None:
    if not ids:
        return
    where = [model.id.in_(ids)]
    if model is Achievement:
        where.append(Achievement.deleted_at.is_(None))
    found = set(session.scalars(select(model.id).where(*where)))
    for index, missing in enumerate(ids):
        if missing not in found:
            problems.append(
                FieldError(("trigger", field_name, index), f"{what} {missing} does not exist")
            )


def compile_trigger(
    session: Session,
    notification_id: int,
    name: str,
    trigger: AnyTrigger,
    action: AnyAction,
) -> CompiledNotification:
    """Check the trigger against the sources and prepare it; raises InvalidInput listing every
    problem (a formula's with line, column and a caret under the mistake)."""
    problems: list[FieldError] = []
    if isinstance(trigger, AwardTrigger):
        _check_ids(
            session,
            Achievement,
            trigger.achievement_ids,
            "achievement_ids",
            "achievement",
            problems,
        )
        compiled = CompiledNotification(notification_id, name, trigger, action, {})
    elif isinstance(trigger, LevelTrigger):
        _check_ids(session, Level, trigger.level_ids, "level_ids", "level", problems)
        compiled = CompiledNotification(notification_id, name, trigger, action, {})
    elif isinstance(trigger, RecordTrigger):
        fields = field_types_by_source(session, {trigger.source})
        _check_record_trigger(trigger, fields, problems)
        compiled = CompiledNotification(notification_id, name, trigger, action, fields)
    else:
        fields = field_types_by_source(session)
        compiled = CompiledNotification(notification_id, name, trigger, action, {})
        try:
            parsed = parse_formula(trigger.formula)
        except FormulaSyntaxError as exc:
            problems.extend(_formula_error(p) for p in exc.problems)
        else:
            terms, formula_problems = resolve_formula(parsed, fields)
            problems.extend(_formula_error(p) for p in formula_problems)
            compiled.expr, compiled.terms = parsed.expr, terms
            compiled.fields = {s: fields[s] for s in compiled.sources if s in fields}
    if problems:
        raise invalid_fields(problems)
    return compiled


def check_action(session: Session, action: AnyAction, url_policy: UrlPolicy) -> None:
    """The achievement given exists; a webhook's (or chat channel's) URL leads to an address it
    may reach (its name resolved now; a name that does not resolve yet is checked again when
    sending)."""
    if isinstance(action, WebhookAction | SlackAction | TeamsAction):
        if action.url is None:
            return
        try:
            url_policy.vet(action.url)
        except NameNotResolved:
            pass
        except UrlRefused as refused:
            raise invalid_fields(
                [FieldError(("action", "url"), refused.reason, code="url_not_allowed")]
            ) from refused
        return
    if not isinstance(action, GiveAchievementAction):
        return
    found = session.scalars(
        select(Achievement.id).where(
            Achievement.id == action.achievement_id, Achievement.deleted_at.is_(None)
        )
    ).first()
    if found is None:
        raise invalid_fields(
            [
                FieldError(
                    ("action", "achievement_id"),
                    f"achievement {action.achievement_id} does not exist",
                )
            ]
        )


def stored_action(action: AnyAction, *, host: str | None = None) -> dict[str, Any]:
    """The action as kept and answered: never with the webhook's secret, nor a chat channel's
    URL (a secret too: it is kept encrypted); a chat action keeps the URL's `host`."""
    if isinstance(action, SlackAction | TeamsAction):
        dumped: dict[str, Any] = action.model_dump(mode="json", exclude={"url", "host"})
        return dumped | {"host": host if host is not None else action.host}
    dumped = action.model_dump(mode="json", exclude={"secret"})
    return dumped


def stored_trigger(trigger: AnyTrigger) -> dict[str, Any]:
    dumped: dict[str, Any] = trigger.model_dump(mode="json")
    return dumped
