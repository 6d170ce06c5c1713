"""Test data for the web pages, made through the services: users of every role, a member,
the seed's sources and a few records. The users' one password is hashed once per process."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy import Engine

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import Role
from plaudit.member.schemas import MemberCreate
from plaudit.member.service import create_member
from plaudit.models import User
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from plaudit.rules.model import FieldType
from plaudit.source.schemas import SourceCreate, SourceField, SourceUpdate
from plaudit.source.service import create_source, update_source

PASSWORD = "correct horse battery"
VALIDATOR_WORDS = re.compile(
    r"String should|Input should|Value error|Field required|should have|\bid \d|"
    r"\b(member|achievement|group|team) \d|[a-z]\.[a-z_]+ must|[A-Z][a-z]+\.[a-z_]+\b"
)
"""What a person must never read in a form's errors: pydantic's wording, ids instead of
names, location paths ("effective.until must", "Effective.until")."""
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Site:
    member_id: int
    other_member_id: int


SOURCES = [
    SourceCreate(key="company_profile_updated", name="Company Profile Updated", fields=[]),
    SourceCreate(
        key="deals",
        name="Deals",
        fields=[
            SourceField(name="status", type=FieldType.STRING),
            SourceField(name="currency", type=FieldType.STRING),
            SourceField(name="value", type=FieldType.NUMBER),
            SourceField(name="close_date", type=FieldType.DATE),
            SourceField(name="approved", type=FieldType.BOOLEAN),
        ],
    ),
]


TEST_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""argon2id with the smallest costs: the seeded users' hash is verified at every sign-in of
every page test (about 0.11 CPU s each with the service's costs, a few hundred times per
run). Verification reads the costs from the hash itself, so signing in runs the service's
own `verify_password` unchanged; the service still hashes new passwords with its own costs
(tests/api/test_identity.py checks them)."""


@cache
def password_hash() -> str:
    """PASSWORD as an argon2id hash, made once per process (see TEST_PASSWORD_HASHER)."""
    return TEST_PASSWORD_HASHER.hash(PASSWORD)


def seed(engine: Engine, *, records: bool = True) -> Site:
    """Users `admin`, `manager`, `ingest` and `member` (bound to Ada), sources, and Ada's
    profile update (so "profile updated at least once" is already met for her)."""
    now = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
    with unit_of_work(build_sessionmaker(engine)) as session:
        ada = create_member(session, MemberCreate(name="Ada Lovelace"))
        grace = create_member(session, MemberCreate(name="Grace Hopper"))
        for role, member_id in (
            (Role.admin, None),
            (Role.manager, None),
            (Role.ingest, None),
            (Role.member, ada.id),
        ):
            session.add(
                User(
                    username=role.value,
                    password_hash=password_hash(),
                    role=role.value,
                    member_id=member_id,
                )
            )
        session.flush()
        for source in SOURCES:
            create_source(session, source)
        if records:
            ingest_records(
                session,
                "company_profile_updated",
                [RecordIn(member_id=ada.id, occurred_at=now)],
                now=now,
                zone=ZoneInfo("UTC"),
            )
        return Site(member_id=ada.id, other_member_id=grace.id)


def approved_deals_by_default(engine: Engine, status: str = "Approved") -> None:
    """Deals start with "status is Approved", as in the Unifyr seed (or another status)."""
    default = {"default_where": [{"field": "status", "op": "eq", "value": status}]}
    with unit_of_work(build_sessionmaker(engine)) as session:
        update_source(session, "deals", SourceUpdate.model_validate(default))


def csrf_of(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)
