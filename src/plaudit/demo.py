"""A small believable data set so that a newcomer sees awards and progress at once.

Two partner companies and an internal sales team, the seeds' sources, achievements of all
three categories, and a few hundred records over the last weeks, pushed through the same
services as real traffic (so progress and awards come from the engine, not from fixtures).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
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
from plaudit.models import Member
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from plaudit.source.schemas import SourceCreate
from plaudit.source.service import create_source
from plaudit.team.schemas import TeamCreate
from plaudit.team.service import create_team

TEAMS = [
    ("Northwind Partners", {"tier": "gold", "region": "EMEA"}),
    ("Contoso Resellers", {"tier": "silver", "region": "NA"}),
    ("Inside Sales", {"tier": "internal", "region": "EMEA"}),
]
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


def _achievements(gold_group: int) -> list[dict[str, object]]:
    return [
        {
            "key": "profile-complete",
            "name": "Company profile updated",
            "description": "Update your company profile at least once.",
            "category": "award",
            "points": 50,
            "icon": "id-card",
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
            "audience": [gold_group],
            "requirements": [
                [
                    {
                        "source": "deals",
                        "where": [
                            {"field": "status", "op": "eq", "value": "Approved"},
                            {"field": "currency", "op": "eq", "value": "EUR"},
                        ],
                        "aggregate": "sum",
                        "field": "value",
                        "operator": "at_least",
                        "value": 50000,
                    }
                ]
            ],
        },
        {
            "key": "call-streak",
            "name": "Ten calls",
            "description": "Every 10 calls count.",
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
            "description": "Hold 20 calls of 10+ minutes in a week.",
            "category": "membership",
            "period": "week",
            "points": 75,
            "icon": "star",
            "show_next_to_name": True,
            "requirements": [
                [
                    {
                        "source": "calls",
                        "where": [{"field": "minutes", "op": "gte", "value": 10}],
                        "aggregate": "count",
                        "operator": "at_least",
                        "value": 20,
                    }
                ]
            ],
        },
        {
            "key": "employee-of-the-month",
            "name": "Employee of the Month",
            "description": "One person, one month.",
            "category": "record",
            "period": "month",
            "points": 500,
            "icon": "crown",
            "show_next_to_name": True,
        },
        {
            "key": "certified",
            "name": "Certified partner",
            "description": "Complete a certification.",
            "category": "membership",
            "points": 80,
            "icon": "graduation-cap",
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
    ]


def has_data(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Member)))


def load_demo(session: Session, *, now: datetime, zone: ZoneInfo, seed: int = 7) -> None:
    """Fill an empty database with the demo organisation."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    teams = [create_team(session, TeamCreate(name=n, attributes=a)) for n, a in TEAMS]
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
    for source in SOURCES:
        create_source(session, source)
    created = [
        achievements.create_achievement(
            session, AchievementCreate.model_validate(body), actor=SYSTEM, now=now, zone=zone
        )
        for body in _achievements(gold.id)
    ]
    for achievement in created:
        achievements.activate_achievement(session, achievement.id, actor=SYSTEM, now=now, zone=zone)
    for source_key, items in _records(rng, members, now).items():
        for start in range(0, len(items), 200):
            ingest_records(session, source_key, items[start : start + 200], now=now, zone=zone)
    record_holder = rng.choice(members)
    eom = next(a for a in created if a.key == "employee-of-the-month")
    give_award(
        session,
        record_holder.id,
        eom.id,
        at=now,
        actor=SYSTEM,
        now=now,
        zone=zone,
        reason="Demo: best month of the year",
    )


def _records(rng: random.Random, members: list[Member], now: datetime) -> dict[str, list[RecordIn]]:
    out: dict[str, list[RecordIn]] = {
        "company_profile_updated": [],
        "campaign_activations": [],
        "deals": [],
        "calls": [],
        "certifications": [],
    }

    def when(days: int) -> datetime:
        return now - timedelta(days=rng.uniform(0, days))

    for m in members:
        if rng.random() < 0.6:
            out["company_profile_updated"].append(RecordIn(member_id=m.id, occurred_at=when(40)))
        for _ in range(rng.randint(0, 7)):
            out["campaign_activations"].append(
                RecordIn(
                    member_id=m.id,
                    occurred_at=when(30),
                    data={"campaign_id": f"spring-{rng.randint(1, 8)}"},
                )
            )
        for n in range(rng.randint(1, 6)):
            out["deals"].append(
                RecordIn(
                    external_id=f"deal-{m.id}-{n}",
                    member_id=m.id,
                    occurred_at=when(60),
                    data={
                        "type": rng.choice(["new", "renewal"]),
                        "stage": "closed",
                        "currency": rng.choice(["EUR", "EUR", "USD"]),
                        "status": rng.choice(["Approved", "Approved", "Pending"]),
                        "value": rng.randint(5, 30) * 1000,
                        "close_date": (now - timedelta(days=rng.randint(0, 60))).date().isoformat(),
                    },
                )
            )
        for _ in range(rng.randint(5, 30)):
            out["calls"].append(
                RecordIn(
                    member_id=m.id,
                    occurred_at=when(14),
                    data={
                        "minutes": rng.randint(1, 40),
                        "outcome": rng.choice(["connected", "voicemail", "meeting booked"]),
                    },
                )
            )
        if rng.random() < 0.4:
            out["certifications"].append(
                RecordIn(member_id=m.id, occurred_at=when(90), data={"course": "Partner Sales 101"})
            )
    return out
