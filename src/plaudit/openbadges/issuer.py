"""The issuer awards are published as: saved by an admin, or defaults until then.

The defaults name Plaudit and the public base URL, so publishing works before anyone fills
the form; the Open Badges documents always carry whatever is current.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from plaudit.audit.service import record_event
from plaudit.kit.roles import Principal
from plaudit.models import IssuerSettings
from plaudit.openbadges.schemas import IssuerUpdate

ROW_ID = 1
DEFAULT_NAME = "Plaudit"


@dataclass(frozen=True)
class Issuer:
    name: str
    url: str
    email: str
    image: str | None
    description: str | None
    saved: bool


def default_issuer(public_url: str) -> Issuer:
    host = urlsplit(public_url).hostname or "localhost"
    return Issuer(
        name=DEFAULT_NAME,
        url=public_url,
        email=f"badges@{host}",
        image=None,
        description=None,
        saved=False,
    )


def get_issuer(session: Session, public_url: str) -> Issuer:
    row = session.get(IssuerSettings, ROW_ID)
    if row is None:
        return default_issuer(public_url)
    return Issuer(
        name=row.name,
        url=row.url,
        email=row.email,
        image=row.image,
        description=row.description,
        saved=True,
    )


def update_issuer(
    session: Session, data: IssuerUpdate, *, actor: Principal, now: datetime, public_url: str
) -> Issuer:
    row = session.get(IssuerSettings, ROW_ID)
    if row is None:
        row = IssuerSettings(id=ROW_ID)
        session.add(row)
    row.name = data.name
    row.url = data.url
    row.email = data.email
    row.image = data.image
    row.description = data.description
    row.updated_at = now
    row.updated_by = actor.name
    record_event(
        session,
        actor,
        "issuer.update",
        "issuer",
        ROW_ID,
        at=now,
        details=data.model_dump(),
    )
    session.flush()
    return get_issuer(session, public_url)
