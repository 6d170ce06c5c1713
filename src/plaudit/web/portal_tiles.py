"""One portal tile in words: progress per rule group, toward a repeatable achievement's next
completion, and how and when it was earned, so that a tile never says more than is true.

- An OR of groups is shown group by group ("Either: …", "Or: …"), each with its own state.
- A repeatable achievement shows the part toward its next completion ("7 of 10 toward the
  2nd"), never the running total against one target ("17 of 10").
- A complete tile shows no unmet bar: it says how it was earned ("Given by admin on 18 Nov
  2026"); an incomplete one with an award from a past period says which ("Earned last week
  (9-15 Nov)") and shows the current period's progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from plaudit.award.schemas import AwardRead
from plaudit.domain.origins import AwardOrigin
from plaudit.periods import Period, period_containing, previous_window
from plaudit.portal.schemas import PortalAchievement, RuleProgressRead
from plaudit.rules.model import Operator, Rule
from plaudit.rules.oracle import repeat_count
from plaudit.web.numbers import format_number
from plaudit.web.rule_words import SourceWords, ordinal, progress_words, subject

DASH = "\u2013"
"""Between the first and last day of a span, as in "16\u201322 Nov"."""
BAR_OPERATORS = (Operator.AT_LEAST, Operator.MORE_THAN, Operator.EXACTLY)
LAST_PERIOD = {
    Period.day: "yesterday",
    Period.week: "last week",
    Period.month: "last month",
    Period.quarter: "last quarter",
    Period.year: "last year",
}


@dataclass(frozen=True)
class RuleLine:
    text: str
    current: float
    target: float
    met: bool
    bar: bool


@dataclass(frozen=True)
class GroupLines:
    """One rule group: `heading` is empty for an achievement with a single group."""

    heading: str
    state: str
    met: bool
    rules: list[RuleLine]


@dataclass(frozen=True)
class Item:
    achievement: Any
    complete: bool
    badge: str | None
    state: str
    groups: list[GroupLines]
    background: str | None = None
    detail: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)


def _short(instant: datetime, zone: ZoneInfo) -> str:
    """The portal's one date format, as a tile's headline says it: "18 Nov 2026"."""
    local = instant.astimezone(zone)
    return f"{local.day} {local:%b %Y}"


def moment(instant: datetime, zone: ZoneInfo) -> str:
    """A date and time in the portal's format: "18 Nov 2026, 13:00"."""
    return f"{_short(instant, zone)}, {instant.astimezone(zone):%H:%M}"


def span(start: datetime, end: datetime, zone: ZoneInfo, *, year: bool) -> str:
    """The days from `start` to `end` (exclusive): "16-22 Nov", "30 Nov-6 Dec",
    "29 Dec 2025-4 Jan 2026" (with an en dash); with `year`, the year is always said."""
    first, last = start.astimezone(zone), (end - timedelta(seconds=1)).astimezone(zone)
    tail = f" {last.year}" if year else ""
    if first.year != last.year:
        return f"{first.day} {first:%b %Y}{DASH}{last.day} {last:%b %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%b}{DASH}{last.day} {last:%b}{tail}"
    if first.day == last.day:
        return f"{first.day} {first:%b}{tail}"
    return f"{first.day}{DASH}{last.day} {last:%b}{tail}"


def _period_name(period: Period, start: datetime, end: datetime, zone: ZoneInfo, year: bool) -> str:
    local = start.astimezone(zone)
    if period is Period.month:
        return f"{local:%B}" + (f" {local.year}" if year else "")
    if period is Period.quarter:
        last = (end - timedelta(seconds=1)).astimezone(zone)
        return f"{local:%b}{DASH}{last:%b}" + (f" {local.year}" if year else "")
    if period is Period.year:
        return str(local.year)
    return span(start, end, zone, year=year)


def earned_when(award: AwardRead, period: Period, now: datetime, zone: ZoneInfo) -> str:
    """When a past period's award was earned, relative to now: "last week (9-15 Nov)",
    "in the week of 2-8 Nov 2026", "last month (October)", "in October 2025"."""
    start, end = award.period_start, award.period_end
    if start is None or end is None or period is Period.none:
        return f"on {_short(award.awarded_at, zone)}"
    if previous_window(now, period, zone).key == award.period:
        return f"{LAST_PERIOD[period]} ({_period_name(period, start, end, zone, year=False)})"
    named = _period_name(period, start, end, zone, year=True)
    if period is Period.day:
        return f"on {named}"
    if period is Period.week:
        return f"in the week of {named}"
    return f"in {named}"


def giver(name: str) -> str:
    """Who gave an award, as people read it: "user:mary" -> "mary", "token:crm" -> "crm"."""
    for prefix in ("user:", "token:"):
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


def how_earned(award: AwardRead, zone: ZoneInfo) -> str:
    """ "Given by admin on 18 Nov 2026", "Earned on 18 Nov 2026"."""
    when = _short(award.awarded_at, zone)
    if award.source is AwardOrigin.manual:
        who = giver(award.given_by) if award.given_by else ""
        return f"Given by {who} on {when}" if who else f"Given on {when}"
    if award.source is AwardOrigin.notification:
        return f"Given by a notification on {when}"
    if award.source is AwardOrigin.streak:
        return f"Earned with a streak on {when}"
    if award.source is AwardOrigin.season:
        return f"Won in a leaderboard season on {when}"
    return f"Earned on {when}"


def _groups(
    entry: PortalAchievement, sources: Mapping[str, SourceWords]
) -> tuple[list[GroupLines], str]:
    """The rule groups in words, and the tile's short state."""
    a = entry.achievement
    by_group: dict[int, list[tuple[Rule, RuleProgressRead]]] = {}
    for p in entry.progress:
        by_group.setdefault(p.group, []).append(
            (Rule.model_validate(a.requirements[p.group][p.rule]), p)
        )
    if not by_group:
        return [], "Not yet complete"
    if a.repeatable:
        pairs = [(p.current, p.target) for p in entry.progress]
        done = repeat_count(pairs)
        note = f" toward the {ordinal(done + 1)}" if done else ""
        lines = []
        for rule, p in by_group[min(by_group)]:  # repeatable: one group of "at least" rules
            words = sources.get(rule.source, SourceWords(rule.source))
            part = min(max((p.current or 0.0) - done * p.target, 0.0), p.target)
            text = f"{subject(rule, words)}: {progress_words(rule, part)}{note}"
            lines.append(RuleLine(text, part, p.target, part >= p.target, p.target > 0))
        state = f"Toward the {ordinal(done + 1)}" if done else _met_state(lines, "Not yet complete")
        return [GroupLines("", "", False, lines)], state
    groups: list[GroupLines] = []
    for index, g in enumerate(sorted(by_group)):
        lines = []
        for rule, p in by_group[g]:
            words = sources.get(rule.source, SourceWords(rule.source))
            text = f"{subject(rule, words)}: {progress_words(rule, p.current or 0.0)}"
            bar = rule.operator in BAR_OPERATORS and p.target > 0
            lines.append(RuleLine(text, p.current or 0.0, p.target, p.met, bar))
        heading = "" if len(by_group) == 1 else ("Either:" if index == 0 else "Or:")
        met = all(line.met for line in lines)
        groups.append(
            GroupLines(heading, _met_state(lines, "") if len(lines) > 1 else "", met, lines)
        )
    if len(groups) == 1:
        return groups, _met_state(groups[0].rules, "Not yet complete")
    ways = len(groups)
    return groups, "Either of 2 ways" if ways == 2 else f"Any of {ways} ways"


def _met_state(lines: list[RuleLine], single: str) -> str:
    """ "1 of 3 rules met"; `single` for a group of one rule (its line says it all)."""
    if len(lines) == 1 and single:
        return single
    return f"{sum(1 for r in lines if r.met)} of {len(lines)} rules met"


def _facts(entry: PortalAchievement, now: datetime, zone: ZoneInfo) -> list[tuple[str, str]]:
    a = entry.achievement
    facts: list[tuple[str, str]] = []
    if a.period != Period.none:
        window = period_containing(now, a.period, zone)
        if window.start is not None and window.end is not None:
            days = span(window.start, window.end, zone, year=True)
            facts.append(("Period", f"{a.period.value.capitalize()}: {days}"))
    if a.effective.from_ is not None or a.effective.until is not None:
        start = _short(a.effective.from_, zone) if a.effective.from_ else "the start"
        end = _short(a.effective.until - timedelta(seconds=1), zone) if a.effective.until else "—"
        facts.append(("Effective", f"{start} to {end}"))
    if entry.decided_at is not None:
        facts.append(("Decided", f"when the period ends, {moment(entry.decided_at, zone)}"))
    current = [w for w in entry.awards if w.active]
    if current:
        facts.append(("Awarded", moment(max(w.awarded_at for w in current), zone)))
    if a.repeatable:
        times = entry.completions
        facts.append(("Completions", f"{times} time{'s' if times != 1 else ''}"))
    if a.rarity is not None and a.rarity.audience:
        r = a.rarity
        held = f"{format_number(r.holders)} of {format_number(r.audience)}"
        facts.append(("Rarity", f"Held by {round(r.share * 100)}% of its audience ({held})"))
    return facts


def portal_item(
    entry: PortalAchievement,
    sources: Mapping[str, SourceWords],
    now: datetime,
    zone: ZoneInfo,
    badge: str | None = None,
    background: str | None = None,
) -> Item:
    """The tile of one achievement; `badge` and `background` are the addresses of its badge
    and background images, if it has them."""
    a = entry.achievement
    current = sorted((w for w in entry.awards if w.active), key=lambda w: w.awarded_at)
    past = max(
        (w for w in entry.awards if not w.active),
        key=lambda w: (w.period_start or w.awarded_at, w.awarded_at),
        default=None,
    )
    groups, state = _groups(entry, sources)
    detail = ""
    if entry.complete and current:
        detail = how_earned(current[-1], zone)
        if not a.repeatable:
            groups = []  # complete: no bar may look unmet (a hand-given award has no progress)
    elif past is not None:
        detail = f"Earned {earned_when(past, Period(a.period), now, zone)}"
    return Item(
        achievement=a,
        complete=entry.complete,
        badge=badge,
        state=state,
        groups=groups,
        background=background,
        detail=detail,
        facts=_facts(entry, now, zone),
    )
