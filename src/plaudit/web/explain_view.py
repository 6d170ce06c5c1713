"""An explanation (`plaudit.engine.explain`) as a person reads it: the audience group by
group, the effective window, the period counted, the rule groups, the category's limits and
what is still needed, with people by their names, never by their ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plaudit.engine.explain import Explanation
from plaudit.engine.explain_context import ConditionCheck, GroupCheck
from plaudit.models import Achievement, Member
from plaudit.periods import Period, PeriodWindow
from plaudit.source.service import list_sources
from plaudit.web.explain_rules import RuleView, rule_view, value_text
from plaudit.web.forms.group import describe_condition
from plaudit.web.words import day, last_day, moment, window_words


@dataclass(frozen=True)
class AudienceLine:
    group: str
    matched: bool
    why: str


@dataclass(frozen=True)
class GroupView:
    number: int
    state: str  # met, waiting, open
    rules: list[RuleView]


@dataclass(frozen=True)
class AwardLine:
    when: str
    how: str
    revoked: bool


@dataclass(frozen=True)
class ExplainView:
    earned: bool
    headline: str
    needed: list[str]
    everyone: bool
    in_audience: bool
    audience: list[AudienceLine]
    window: str
    period: str
    counted: str
    groups: list[GroupView]
    category: str
    awards: list[AwardLine]
    previous_at: str | None
    next_at: str | None


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _condition(check: ConditionCheck, name: str) -> str:
    words = describe_condition({"attribute": check.attribute, "op": check.op, "value": check.value})
    actual = "not set" if check.actual is None else value_text(check.actual)
    return f"{words} ({'yes' if check.holds else 'no'}: for {name} it is {actual})"


def _audience_line(group: GroupCheck, name: str) -> AudienceLine:
    title = group.name or "A group"
    if group.member_listed:
        why = f"{name} is listed in it."
    elif group.team_listed:
        why = f"{name}'s team is listed in it."
    elif group.matched:
        why = f"{name} meets every condition: " + "; ".join(
            _condition(c, name) for c in group.conditions
        )
    else:
        team = ", nor is their team" if "their team is not listed" in group.why else ""
        why = f"{name} is not listed in it{team}."
        failing = [c for c in group.conditions if not c.holds]
        if failing:
            why += " Conditions not met: " + "; ".join(_condition(c, name) for c in failing)
        elif not group.conditions:
            why += " It has no conditions."
    return AudienceLine(group=title, matched=group.matched, why=why)


def _window(result: Explanation, zone: ZoneInfo) -> str:
    start, until = _instant(result.window["from"]), _instant(result.window["until"])
    state = result.window["state"]
    if state == "always":
        return "Always open: it has no start or end date."
    span = (
        f"from {day(start, zone) if start else 'the beginning'} to "
        f"{last_day(until, zone) if until else 'no end date'}"
    )
    if state == "not_open_yet":
        return f"Not open yet: it can be earned {span}."
    if state == "closed":
        return f"Closed: it could be earned {span}; records after it do not count."
    return f"Open: it can be earned {span}."


def _group_state(met: bool, waiting: bool) -> str:
    return "met" if met else "waiting" if waiting else "open"


def _category(result: Explanation, name: str, period: str, holder: str | None) -> str:
    state = result.category_state
    if state.category == "record":
        if state.holder is None:
            return (
                f"A record: one member holds it per period. Nobody holds it for {period} yet: "
                "the first to qualify gets it."
            )
        if state.holder == result.member_id:
            return f"A record: one member holds it per period, and {name} holds it for {period}."
        return (
            f"A record: one member holds it per period. {holder} holds it for {period}, so "
            "nobody else can earn it until the period ends."
        )
    if state.category == "membership":
        if state.held:
            return (
                f"A membership: held at most once per period, and {name} already holds it for "
                f"{period}."
            )
        return f"A membership: held at most once per period; {name} does not hold it for {period}."
    completions = state.awards_this_period
    times = f"{completions} time{'s' if completions != 1 else ''}"
    if state.repeatable:
        return (
            f"Repeatable: earned again each time the requirements are met over; {name} has "
            f"earned it {times} in {period}."
        )
    once = "Earned once" if period == "all time" else "Earned once per period"
    span = "" if period == "all time" else f" for {period}"
    if state.held:
        return f"{once}: {name} has earned it{span}."
    return f"{once}: {name} has not earned it{span}."


def _needed(
    result: Explanation,
    achievement: Achievement,
    name: str,
    period: str,
    holder: str | None,
    groups: list[GroupView],
    zone: ZoneInfo,
) -> list[str]:
    """What stands between the member and the achievement, most decisive first."""
    out: list[str] = []
    if not result.active:
        out.append(f"“{achievement.name}” is inactive: records do not count until it is active.")
    if not result.in_audience:
        out.append(f"{name} is not in its audience: nobody outside it earns it.")
    if not result.member_active:
        out.append(f"{name} is inactive: inactive members receive no awards.")
    state = result.window["state"]
    if state in ("not_open_yet", "closed"):
        out.append(_window(result, zone))
    category = result.category_state
    if category.category == "record" and category.holder not in (None, result.member_id):
        out.append(f"{holder} holds the record for {period}: nobody else can earn it then.")
    if not achievement.requirements:
        out.append("It has no requirements: it is only given by hand.")
    elif any(result.groups_waiting) and not result.complete:
        decided = _instant(result.decided_at)
        when = f" ({moment(decided, zone)})" if decided else ""
        out.append(
            "The requirements are met so far, but a rule has an upper limit (at most, less "
            f"than, exactly) that later records could break: it is decided when the period "
            f"ends{when}."
        )
    elif not result.complete:
        open_groups = [g for g in groups if g.state == "open"]
        if open_groups:
            closest = min(open_groups, key=lambda g: sum(not r.met for r in g.rules))
            missing = "; ".join(f"{r.text}: {r.needed}" for r in closest.rules if not r.met)
            lead = f"Group {closest.number}, the closest: " if len(groups) > 1 else ""
            out.append(f"{lead}{missing}.")
    if not out:
        span = "" if period == "all time" else f" for {period}"
        out.append(f"Nothing: the requirements are met{span}.")
    return out


def _neighbours(
    result: Explanation, window: PeriodWindow, now: datetime, zone: ZoneInfo
) -> tuple[str | None, str | None]:
    """The `at` dates of the periods before and after the one explained."""
    if window.period is Period.none or window.start is None or window.end is None:
        return None, None
    previous = last_day(window.start, zone)
    following = (
        day(window.end, zone) if not result.period["current"] and window.end <= now else None
    )
    return previous, following


def explain_view(
    session: Session,
    result: Explanation,
    achievement: Achievement,
    member: Member,
    window: PeriodWindow,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> ExplainView:
    name = member.name
    period = window_words(window, zone)
    holder = result.category_state.holder_name or "Another member"
    sources = {s.key: s for s in list_sources(session)}
    groups: list[GroupView] = []
    for index, (met, waiting) in enumerate(
        zip(result.groups_met, result.groups_waiting, strict=True)
    ):
        rules = [rule_view(r, sources, zone) for r in result.rules if r.group == index]
        groups.append(GroupView(number=index + 1, state=_group_state(met, waiting), rules=rules))
    counted_from = _instant(result.window["counted_from"])
    counted_until = _instant(result.window["counted_until"])
    counted = (
        f"Records dated from {moment(counted_from, zone) if counted_from else 'any time'} "
        f"until {moment(counted_until, zone) if counted_until else 'now'} count."
    )
    earned = any(not a["revoked"] for a in result.awards)
    span = "" if period == "all time" else f" for {period}"
    headline = (
        f"{name} has earned it{span}."
        if earned
        else f"{name} meets the requirements{span}."
        if result.complete
        else f"{name} has not earned it{span} yet."
    )
    previous_at, next_at = _neighbours(result, window, now, zone)
    return ExplainView(
        earned=earned,
        headline=headline,
        needed=_needed(result, achievement, name, period, holder, groups, zone),
        everyone=result.audience.everyone,
        in_audience=result.in_audience,
        audience=[_audience_line(g, name) for g in result.audience.groups],
        window=_window(result, zone),
        period=(
            f"{period[:1].upper()}{period[1:]}"
            + (" (the current period)." if result.period["current"] else ".")
        ),
        counted=counted,
        groups=groups,
        category=_category(result, name, period, holder),
        awards=[
            AwardLine(
                when=moment(datetime.fromisoformat(a["awarded_at"]), zone),
                how="by hand" if a["completion"] is None else "by its rules",
                revoked=bool(a["revoked"]),
            )
            for a in result.awards
        ],
        previous_at=previous_at,
        next_at=next_at,
    )
