"""A small believable data set so that a newcomer sees awards, progress and a leaderboard at once.

Two partner companies and an internal sales team; the seeds' sources (activity events,
campaign activations, deals, calls, certifications); achievements of all three categories
with rules, icons, colours and badges; a few hundred records over the current and the
previous week and month. Everything goes through the same services as real traffic, so
progress and awards come from the engine, not from fixtures. Loading is idempotent: a
database that already holds the demo, or data of its own, is left alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plaudit.achievement import service as achievements
from plaudit.achievement.schemas import AchievementCreate
from plaudit.award.service import give_award
from plaudit.group.schemas import GroupCreate
from plaudit.group.service import create_group
from plaudit.kit.roles import SYSTEM
from plaudit.member.schemas import MemberCreate
from plaudit.member.service import create_member
from plaudit.models import Achievement, Award, Member, Record, Team
from plaudit.periods import Period, PeriodWindow, period_containing
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from plaudit.source.schemas import SourceCreate
from plaudit.source.service import create_source
from plaudit.team.schemas import TeamCreate
from plaudit.team.service import create_team

TEAMS = [
    ("demo-northwind", "Northwind Partners", {"tier": "gold", "region": "EMEA"}),
    ("demo-contoso", "Contoso Resellers", {"tier": "silver", "region": "NA"}),
    ("demo-inside-sales", "Inside Sales", {"tier": "internal", "region": "EMEA"}),
]
MARKER = TEAMS[0][0]
"""The external_id of the demo's first team: its presence means the demo is loaded."""

PEOPLE = [
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Katherine Johnson",
    "Linus Torvalds",
    "Margaret Hamilton",
    "Dennis Ritchie",
    "Barbara Liskov",
    "Ken Thompson",
    "Frances Allen",
    "Edsger Dijkstra",
    "Radia Perlman",
]
STAR, PARTIAL, RECENT_STAR = 0, 1, 3
"""Members whose data is shaped, not drawn: a high achiever (Ada), someone three campaigns
into five (Grace), and this month's Employee of the Month (Katherine)."""

SOURCES = [
    SourceCreate(key="company_profile_updated", name="Company Profile Updated", fields=[]),
    SourceCreate.model_validate(
        {
            "key": "campaign_activations",
            "name": "Campaign activations",
            "fields": [{"name": "campaign_id", "type": "string"}],
        }
    ),
    SourceCreate.model_validate(
        {
            "key": "deals",
            "name": "Deals",
            "fields": [
                {"name": "type", "type": "string"},
                {"name": "stage", "type": "string"},
                {"name": "currency", "type": "string"},
                {"name": "status", "type": "string"},
                {"name": "value", "type": "number"},
                {"name": "close_date", "type": "date"},
            ],
            # As in Unifyr: a new rule over deals starts with "status is Approved".
            "default_where": [{"field": "status", "op": "eq", "value": "Approved"}],
        }
    ),
    SourceCreate.model_validate(
        {
            "key": "calls",
            "name": "Calls",
            "fields": [
                {"name": "minutes", "type": "number"},
                {"name": "outcome", "type": "string"},
            ],
        }
    ),
    SourceCreate.model_validate(
        {
            "key": "certifications",
            "name": "Certification Completed",
            "fields": [{"name": "course", "type": "string"}],
        }
    ),
]


class DemoState(StrEnum):
    empty = "empty"
    demo = "demo"
    other = "other"


@dataclass(frozen=True)
class DemoSummary:
    teams: int
    members: int
    achievements: int
    records: int
    awards: int
    star_member_id: int
    partial_member_id: int


def _count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def demo_state(session: Session) -> DemoState:
    """Whether the database is empty, holds the demo, or holds data of its own."""
    if session.scalar(select(Team.id).where(Team.external_id == MARKER)) is not None:
        return DemoState.demo
    if _count(session, Member) or _count(session, Achievement) or _count(session, Team):
        return DemoState.other
    return DemoState.empty


def star_member_id(session: Session) -> int | None:
    """The demo's high achiever, whose portal page shows the most."""
    if demo_state(session) is not DemoState.demo:
        return None
    return session.scalar(select(Member.id).where(Member.external_id == f"crm-{STAR + 1}"))


def ensure_demo(
    session: Session, *, now: datetime, zone: ZoneInfo
) -> tuple[DemoState, DemoSummary | None]:
    """Load the demo into an empty database; leave any other database as it is."""
    state = demo_state(session)
    if state is not DemoState.empty:
        return state, None
    return state, load_demo(session, now=now, zone=zone)


def _badge(background: str, foreground: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" '
        'viewBox="0 0 120 120">'
        f'<circle cx="60" cy="60" r="56" fill="{background}"/>'
        '<polygon points="60,18 72,46 102,48 78,68 86,98 60,82 34,98 42,68 18,48 48,46" '
        f'fill="{foreground}"/></svg>'
    ).encode()


def _achievements(
    gold_group: int, admins_group: int, last_month: PeriodWindow, zone: ZoneInfo
) -> list[dict[str, Any]]:
    assert last_month.start is not None
    opens = last_month.start.astimezone(zone).date()
    closes = _add_months(opens, 3) - timedelta(days=1)  # the end of next month
    return [
        {
            "key": "profile-complete",
            "name": "Company profile updated",
            "description": "Update your company profile at least once.",
            "category": "award",
            "points": 50,
            "icon": "id-card",
            "background_color": "#2e7d32",
            "text_color": "#ffffff",
            "audience": [admins_group],
            "requirements": [
                [
                    {
                        "source": "company_profile_updated",
                        "aggregate": "count",
                        "operator": "at_least",
                        "value": 1,
                    }
                ]
            ],
        },
        {
            "key": "campaign-champion",
            "name": "Campaign champion",
            "description": "Activate 5 different marketing campaigns.",
            "category": "award",
            "points": 100,
            "icon": "megaphone",
            "background_color": "#6a1b9a",
            "text_color": "#ffffff",
            "show_next_to_name": True,
            "requirements": [
                [
                    {
                        "source": "campaign_activations",
                        "aggregate": "count_distinct",
                        "field": "campaign_id",
                        "operator": "at_least",
                        "value": 5,
                    }
                ]
            ],
        },
        {
            "key": "big-dealer",
            "name": "Big dealer",
            "description": "Close approved deals worth 50,000 EUR.",
            "category": "award",
            "points": 250,
            "icon": "trophy",
            "background_color": "#f9a825",
            "text_color": "#1a1a1a",
            "audience": [gold_group],
            "requirements": [[_deals_total("EUR", 50000)]],
        },
        {
            "key": "partner-all-rounder",
            "name": "Partner all-rounder",
            "description": "Update your profile and activate 5 campaigns, or close $50,000 "
            "of approved deals, by the end of next month.",
            "category": "award",
            "points": 150,
            "icon": "compass",
            "background_color": "#00838f",
            "text_color": "#ffffff",
            "effective": {"from": opens.isoformat(), "until": closes.isoformat()},
            "requirements": [
                [
                    {
                        "source": "company_profile_updated",
                        "aggregate": "count",
                        "operator": "at_least",
                        "value": 1,
                    },
                    {
                        "source": "campaign_activations",
                        "aggregate": "count_distinct",
                        "field": "campaign_id",
                        "operator": "at_least",
                        "value": 5,
                    },
                ],
                [_deals_total("USD", 50000)],
            ],
        },
        {
            "key": "call-streak",
            "name": "Ten calls",
            "description": "Every 10 calls earn 10 points.",
            "category": "award",
            "points": 10,
            "icon": "phone",
            "repeatable": True,
            "requirements": [
                [{"source": "calls", "aggregate": "count", "operator": "at_least", "value": 10}]
            ],
        },
        {
            "key": "top-performers-club",
            "name": "Top Performers' Club",
            "description": "Hold 8 calls of 10 minutes or more in a week.",
            "category": "membership",
            "period": "week",
            "points": 75,
            "icon": "star",
            "background_color": "#1565c0",
            "text_color": "#ffffff",
            "show_next_to_name": True,
            "requirements": [
                [
                    {
                        "source": "calls",
                        "where": [{"field": "minutes", "op": "gte", "value": 10}],
                        "aggregate": "count",
                        "operator": "at_least",
                        "value": 8,
                    }
                ]
            ],
        },
        {
            "key": "monthly-closer",
            "name": "Monthly closer",
            "description": "Close 3 approved deals in a month.",
            "category": "membership",
            "period": "month",
            "points": 120,
            "icon": "handshake",
            "requirements": [
                [
                    {
                        "source": "deals",
                        "where": [{"field": "status", "op": "eq", "value": "Approved"}],
                        "aggregate": "count",
                        "operator": "at_least",
                        "value": 3,
                    }
                ]
            ],
        },
        {
            "key": "certified",
            "name": "Certified partner",
            "description": "Complete a certification.",
            "category": "membership",
            "points": 80,
            "icon": "graduation-cap",
            "background_color": "#37474f",
            "text_color": "#ffffff",
            "requirements": [
                [
                    {
                        "source": "certifications",
                        "aggregate": "count",
                        "operator": "at_least",
                        "value": 1,
                    }
                ]
            ],
        },
        {
            "key": "call-champion",
            "name": "Call champion of the week",
            "description": "The first to 15 calls in a week takes the title.",
            "category": "record",
            "period": "week",
            "points": 200,
            "icon": "medal",
            "background_color": "#c62828",
            "text_color": "#ffffff",
            "show_next_to_name": True,
            "requirements": [
                [{"source": "calls", "aggregate": "count", "operator": "at_least", "value": 15}]
            ],
        },
        {
            "key": "steady-week",
            "name": "Steady week",
            "description": "Six calls or more in a week, no more than four of them voicemail. "
            "Decided when the week is over.",
            "category": "award",
            "period": "week",
            "points": 30,
            "icon": "phone",
            "requirements": [
                [
                    {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 6},
                    {
                        "source": "calls",
                        "where": [{"field": "outcome", "op": "eq", "value": "voicemail"}],
                        "aggregate": "count",
                        "operator": "at_most",
                        "value": 4,
                    },
                ]
            ],
        },
        {
            "key": "employee-of-the-month",
            "name": "Employee of the Month",
            "description": "One person, one month: chosen by the managers.",
            "category": "record",
            "period": "month",
            "points": 500,
            "icon": "crown",
            "background_color": "#ff8f00",
            "text_color": "#1a1a1a",
            "show_next_to_name": True,
        },
    ]


BADGES = {
    "campaign-champion": ("#6a1b9a", "#ffd54f"),
    "top-performers-club": ("#1565c0", "#ffffff"),
    "call-champion": ("#c62828", "#ffeb3b"),
    "employee-of-the-month": ("#ff8f00", "#ffffff"),
}


def _deals_total(currency: str, value: int) -> dict[str, Any]:
    return {
        "source": "deals",
        "where": [
            {"field": "status", "op": "eq", "value": "Approved"},
            {"field": "currency", "op": "eq", "value": currency},
        ],
        "aggregate": "sum",
        "field": "value",
        "operator": "at_least",
        "value": value,
    }


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _previous(window: PeriodWindow, zone: ZoneInfo) -> PeriodWindow:
    assert window.start is not None
    return period_containing(window.start - timedelta(microseconds=1), window.period, zone)


def load_demo(session: Session, *, now: datetime, zone: ZoneInfo, seed: int = 7) -> DemoSummary:
    """Fill an empty database with the demo organisation (see ensure_demo)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    week = period_containing(now, Period.week, zone)
    month = period_containing(now, Period.month, zone)
    last_month = _previous(month, zone)
    teams = [
        create_team(session, TeamCreate(name=n, external_id=ext, attributes=a))
        for ext, n, a in TEAMS
    ]
    members = []
    for index, name in enumerate(PEOPLE):
        team = teams[index % len(teams)]
        email = name.lower().replace(" ", ".") + "@example.com"
        role = "partner_admin" if index < 2 else "sales_rep"
        members.append(
            create_member(
                session,
                MemberCreate(
                    name=name,
                    email=email,
                    external_id=f"crm-{index + 1}",
                    team_id=team.id,
                    role=role,
                ),
            )
        )
    gold = create_group(
        session,
        GroupCreate.model_validate(
            {
                "name": "Gold partners",
                "conditions": [
                    {"attribute": "team.attributes.tier", "op": "in", "value": ["gold", "internal"]}
                ],
            }
        ),
    )
    admins = create_group(
        session,
        GroupCreate.model_validate(
            {
                "name": "Partner admins",
                "conditions": [{"attribute": "member.role", "op": "eq", "value": "partner_admin"}],
            }
        ),
    )
    for source in SOURCES:
        create_source(session, source)
    created = []
    for body in _achievements(gold.id, admins.id, last_month, zone):
        achievement = achievements.create_achievement(
            session, AchievementCreate.model_validate(body), actor=SYSTEM, now=now, zone=zone
        )
        if achievement.key in BADGES:
            content = _badge(*BADGES[achievement.key])
            achievements.set_badge(
                session, achievement.id, content, "image/svg+xml", actor=SYSTEM, now=now
            )
        achievements.activate_achievement(session, achievement.id, actor=SYSTEM, now=now, zone=zone)
        created.append(achievement)
    records = _records(rng, members, now, week, _previous(week, zone), month, last_month)
    for source_key, items in records.items():
        for start in range(0, len(items), 200):
            ingest_records(session, source_key, items[start : start + 200], now=now, zone=zone)
    eom = next(a for a in created if a.key == "employee-of-the-month")
    assert last_month.start is not None
    for member, at in ((members[STAR], last_month.start), (members[RECENT_STAR], now)):
        give_award(
            session,
            member.id,
            eom.id,
            at=at,
            actor=SYSTEM,
            now=now,
            zone=zone,
            reason="Demo: chosen by the managers",
        )
    return DemoSummary(
        teams=len(teams),
        members=len(members),
        achievements=len(created),
        records=_count(session, Record),
        awards=_count(session, Award),
        star_member_id=members[STAR].id,
        partial_member_id=members[PARTIAL].id,
    )


def _records(
    rng: random.Random,
    members: list[Member],
    now: datetime,
    week: PeriodWindow,
    last_week: PeriodWindow,
    month: PeriodWindow,
    last_month: PeriodWindow,
) -> dict[str, list[RecordIn]]:
    """Records over this and last week (calls) and month (deals, campaigns), never after now."""
    assert week.start and last_week.start and month.start and last_month.start
    out: dict[str, list[RecordIn]] = {
        "company_profile_updated": [],
        "campaign_activations": [],
        "deals": [],
        "calls": [],
        "certifications": [],
    }

    def between(start: datetime, end: datetime) -> Callable[[], datetime]:
        return lambda: start + (min(end, now) - start) * rng.random()

    this_week, previous_week = between(week.start, now), between(last_week.start, week.start)
    this_month, previous_month = between(month.start, now), between(last_month.start, month.start)
    lately = between(last_month.start, now)

    for index, m in enumerate(members):
        star, partial = index == STAR, index == PARTIAL
        if star or partial or rng.random() < 0.5:
            out["company_profile_updated"].append(RecordIn(member_id=m.id, occurred_at=lately()))
        if star:
            campaigns = [f"spring-{n}" for n in range(1, 7)]
        elif partial:
            campaigns = ["spring-1", "spring-2", "spring-2", "spring-3"]
        else:
            campaigns = [f"spring-{rng.randint(1, 8)}" for _ in range(rng.randint(0, 6))]
        out["campaign_activations"] += [
            RecordIn(member_id=m.id, occurred_at=lately(), data={"campaign_id": c})
            for c in campaigns
        ]
        deals = (
            [(previous_month, "Approved", "EUR", 15000 + 1000 * n) for n in range(4)]
            + [(this_month, "Pending", "USD", 42000)]
            if star
            else [
                (
                    rng.choice([this_month, previous_month]),
                    rng.choice(["Approved", "Approved", "Pending"]),
                    rng.choice(["EUR", "EUR", "USD"]),
                    rng.randint(5, 30) * 1000,
                )
                for _ in range(rng.randint(1, 4))
            ]
        )
        for n, (when, status, currency, value) in enumerate(deals):
            at = when()
            out["deals"].append(
                RecordIn(
                    external_id=f"deal-{index + 1}-{n + 1}",
                    member_id=m.id,
                    occurred_at=at,
                    data={
                        "type": rng.choice(["new", "renewal"]),
                        "stage": "Closed Won" if status == "Approved" else "Negotiation",
                        "currency": currency,
                        "status": status,
                        "value": value,
                        "close_date": at.date().isoformat(),
                    },
                )
            )
        calls = (
            [(previous_week, rng.randint(10, 40)) for _ in range(22)]
            + [(this_week, rng.randint(1, 40)) for _ in range(8)]
            if star
            else [
                (previous_week, rng.randint(1, 40))
                for _ in range(9 if partial else rng.randint(3, 18))
            ]
            + [(this_week, rng.randint(1, 40)) for _ in range(4 if partial else rng.randint(1, 12))]
        )
        out["calls"] += [
            RecordIn(
                member_id=m.id,
                occurred_at=when(),
                data={
                    "minutes": minutes,
                    "outcome": rng.choice(["connected", "voicemail", "meeting booked"]),
                },
            )
            for when, minutes in calls
        ]
        if star or rng.random() < 0.35:
            out["certifications"].append(
                RecordIn(member_id=m.id, occurred_at=lately(), data={"course": "Partner Sales 101"})
            )
    return out
