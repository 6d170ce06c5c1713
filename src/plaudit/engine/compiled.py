"""An active achievement prepared for evaluation, and the plan of a source: the active
achievements that read it and the distinct tallies that its records update."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plaudit.domain.audience import Audience
from plaudit.domain.categories import Category
from plaudit.engine.audiences import load_audiences
from plaudit.engine.generation import bump_generation, cached_per_generation
from plaudit.engine.sources import field_types_by_source
from plaudit.engine.tally import TallySpec, spec_for
from plaudit.engine.tally_store import attach, slot_tallies
from plaudit.models import Achievement, AchievementSource
from plaudit.periods import Period, period_by_key
from plaudit.rules.model import UPPER_BOUNDS, Aggregate, FieldType, Rule, parse_requirements

VALUE_AGGREGATES = frozenset({Aggregate.MIN, Aggregate.MAX, Aggregate.COUNT_DISTINCT})
"""Aggregates that need the multiset of values, not only count and sum."""


def slot_of(group_index: int, rule_index: int) -> str:
    return f"{group_index}.{rule_index}"


@dataclass(frozen=True)
class SlotRule:
    slot: str
    rule: Rule
    field_type: FieldType | None


@dataclass
class CompiledAchievement:
    id: int
    key: str
    version: int
    category: Category
    points: int
    period: Period
    repeatable: bool
    effective_from: datetime | None
    effective_until: datetime | None
    audiences: list[Audience]
    requirements: list[list[Rule]]
    fields: dict[str, dict[str, FieldType]]
    rules_by_source: dict[str, list[SlotRule]] = field(default_factory=dict)
    slot_specs: dict[str, TallySpec] = field(default_factory=dict)
    """rule slot -> the tally it reads"""
    slot_tallies: dict[str, int] = field(default_factory=dict)
    """rule slot -> tally id; filled for attached (active) achievements"""
    audience_ids: tuple[int, ...] = ()
    """the ids of the groups `audiences` were loaded from"""
    prerequisites: tuple[int, ...] = ()
    """achievements a member must hold (not revoked) before a rule awards this one"""
    publish_automatically: bool = False
    """its awards are published as they are given (a definition field: fixed while active)"""

    def in_window(self, instant: datetime) -> bool:
        return (self.effective_from is None or instant >= self.effective_from) and (
            self.effective_until is None or instant < self.effective_until
        )

    @cached_property
    def deferred(self) -> tuple[bool, ...]:
        """Per rule group: whether it waits for the end of the period it counts. A group with
        an upper bound (at most, less than, exactly) does, when the achievement's periods or
        window end at all: more records can still break it until then. With no end there is
        no moment when the total is final, so it is decided as records arrive."""
        ends = self.period is not Period.none or self.effective_until is not None
        return tuple(
            ends and any(rule.operator in UPPER_BOUNDS for rule in group)
            for group in self.requirements
        )

    @property
    def defers(self) -> bool:
        return any(self.deferred)

    def decided_at(self, period_key: str, zone: ZoneInfo) -> datetime | None:
        """When the groups that wait are decided for `period_key`: when its records are
        final, at the end of the period or of the effective window if that comes first. None
        when no group waits."""
        if not self.defers:
            return None
        if self.period is Period.none:
            return self.effective_until
        end = period_by_key(period_key, self.period, zone).end
        if self.effective_until is not None and end is not None:
            return min(end, self.effective_until)
        return end

    def is_closed(self, period_key: str, now: datetime, zone: ZoneInfo) -> bool:
        """Whether the groups that wait can be decided for `period_key` at `now`."""
        decided_at = self.decided_at(period_key, zone)
        return decided_at is None or decided_at <= now

    def slot_rules(self) -> list[SlotRule]:
        return [sr for rules in self.rules_by_source.values() for sr in rules]


def compile_achievement(session: Session, achievement: Achievement) -> CompiledAchievement:
    requirements = parse_requirements(achievement.requirements)
    sources = {rule.source for group in requirements for rule in group}
    fields = field_types_by_source(session, sources)
    compiled = CompiledAchievement(
        id=achievement.id,
        key=achievement.key,
        version=achievement.version,
        category=Category(achievement.category),
        points=achievement.points,
        period=Period(achievement.period),
        repeatable=achievement.repeatable,
        effective_from=achievement.effective_from,
        effective_until=achievement.effective_until,
        audiences=load_audiences(session, achievement.audience or []),
        requirements=requirements,
        fields=fields,
        audience_ids=tuple(achievement.audience or ()),
        prerequisites=tuple(achievement.prerequisites or ()),
        publish_automatically=achievement.publish_automatically,
    )
    for g, group in enumerate(requirements):
        for r, rule in enumerate(group):
            field_type = fields.get(rule.source, {}).get(rule.field) if rule.field else None
            compiled.rules_by_source.setdefault(rule.source, []).append(
                SlotRule(slot_of(g, r), rule, field_type)
            )
            compiled.slot_specs[slot_of(g, r)] = spec_for(
                rule,
                fields.get(rule.source, {}),
                compiled.period,
                compiled.effective_from,
                compiled.effective_until,
            )
    return compiled


@dataclass(frozen=True)
class BoundTally:
    """A tally over the plan's source, with the ids of the achievements that read it."""

    id: int
    spec: TallySpec
    achievement_ids: tuple[int, ...]


@dataclass
class SourcePlan:
    """What a record of one source changes: the distinct tallies over that source used by
    active achievements (each updated once per record, however many achievements share it)
    and those achievements, in id order."""

    source_key: str
    achievements: list[CompiledAchievement]
    tallies: list[BoundTally]


def source_plan(session: Session, source_key: str, zone: ZoneInfo) -> SourcePlan:
    """The plan of `source_key` (cached per generation)."""
    return cached_per_generation(
        session, f"source:{source_key}", lambda: _load_plan(session, source_key, zone)
    )


def every_active_achievement(session: Session, zone: ZoneInfo) -> list[CompiledAchievement]:
    """All active achievements, compiled and attached (cached per generation)."""
    return cached_per_generation(session, "active", lambda: active_achievements(session, zone))


def achievements_reading(
    session: Session, source_key: str, zone: ZoneInfo
) -> list[CompiledAchievement]:
    """The active achievements with a rule over `source_key` (cached per generation)."""
    return source_plan(session, source_key, zone).achievements


def _load_plan(session: Session, source_key: str, zone: ZoneInfo) -> SourcePlan:
    ids = select(AchievementSource.achievement_id).where(AchievementSource.source_key == source_key)
    achievements = active_achievements(session, zone, Achievement.id.in_(ids))
    users: dict[int, list[int]] = {}
    specs: dict[int, TallySpec] = {}
    for compiled in achievements:
        for slot, spec in compiled.slot_specs.items():
            if spec.source != source_key:
                continue
            tally_id = compiled.slot_tallies[slot]
            specs[tally_id] = spec
            if compiled.id not in users.setdefault(tally_id, []):
                users[tally_id].append(compiled.id)
    tallies = [BoundTally(t, specs[t], tuple(users[t])) for t in sorted(specs)]
    return SourcePlan(source_key, achievements, tallies)


def active_achievements(
    session: Session, zone: ZoneInfo, *where: ColumnElement[bool]
) -> list[CompiledAchievement]:
    """The active achievements (those matching `where`, if given), compiled and attached to
    their tallies, in id order."""
    rows = session.scalars(
        select(Achievement)
        .where(Achievement.active.is_(True), Achievement.deleted_at.is_(None), *where)
        .order_by(Achievement.id)
    )
    achievements = [compile_achievement(session, a) for a in rows]
    attached = slot_tallies(session, [a.id for a in achievements])
    repaired = False
    for compiled in achievements:
        known = attached.get(compiled.id, {})
        if set(known) != set(compiled.slot_specs):
            # Active but not attached (a database upgraded from per-rule progress): build its
            # tallies now, and renew the generation so that no process keeps a plan that a
            # rollback of this transaction would make wrong.
            known = attach(session, compiled.id, compiled.slot_specs, zone)
            repaired = True
        compiled.slot_tallies = dict(known)
    if repaired:
        bump_generation(session)
    return achievements


def index_sources(session: Session, achievement: Achievement) -> None:
    """Point the source index at this achievement's rules (on activation)."""
    unindex_sources(session, achievement.id)
    keys = sorted({rule.source for g in parse_requirements(achievement.requirements) for rule in g})
    if keys:
        session.execute(
            insert(AchievementSource),
            [{"achievement_id": achievement.id, "source_key": k} for k in keys],
        )


def unindex_sources(session: Session, achievement_id: int) -> None:
    session.execute(
        delete(AchievementSource).where(AchievementSource.achievement_id == achievement_id)
    )


def value_slots(compiled: CompiledAchievement) -> Sequence[SlotRule]:
    return [sr for sr in compiled.slot_rules() if sr.rule.aggregate in VALUE_AGGREGATES]
