"""An active achievement prepared for evaluation, and the index from a source to them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from plaudit.achievement.schemas import Category
from plaudit.engine.generation import current_generation
from plaudit.group.matching import Audience
from plaudit.group.service import load_audiences
from plaudit.models import Achievement, AchievementSource
from plaudit.periods import Period
from plaudit.rules.model import Aggregate, FieldType, Rule, parse_requirements
from plaudit.source.service import field_types_by_source

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

    def in_window(self, instant: datetime) -> bool:
        return (self.effective_from is None or instant >= self.effective_from) and (
            self.effective_until is None or instant < self.effective_until
        )

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
    )
    for g, group in enumerate(requirements):
        for r, rule in enumerate(group):
            field_type = fields.get(rule.source, {}).get(rule.field) if rule.field else None
            compiled.rules_by_source.setdefault(rule.source, []).append(
                SlotRule(slot_of(g, r), rule, field_type)
            )
    return compiled


_cache: dict[tuple[str, str], tuple[int, list[CompiledAchievement]]] = {}
"""(database, source key) -> (generation, compiled achievements): reused while the
generation in the database is unchanged."""


def achievements_reading(session: Session, source_key: str) -> list[CompiledAchievement]:
    """The active achievements with a rule over `source_key` (cached per generation)."""
    generation = current_generation(session)
    cache_key = (str(session.get_bind().engine.url), source_key)
    cached = _cache.get(cache_key)
    if cached is not None and cached[0] == generation:
        return cached[1]
    compiled = _load_reading(session, source_key)
    _cache[cache_key] = (generation, compiled)
    return compiled


def _load_reading(session: Session, source_key: str) -> list[CompiledAchievement]:
    ids = select(AchievementSource.achievement_id).where(AchievementSource.source_key == source_key)
    rows = session.scalars(
        select(Achievement)
        .where(
            Achievement.id.in_(ids), Achievement.active.is_(True), Achievement.deleted_at.is_(None)
        )
        .order_by(Achievement.id)
    )
    return [compile_achievement(session, a) for a in rows]


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
