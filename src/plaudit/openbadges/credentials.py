"""Issuing Open Badges 3.0 credentials for published awards, and the status lists that
revoke them.

A published award's credential is signed the first time it is asked for under its
publication (`credential_of`) and kept as signed: rotating the issuer key later does not touch
it (the retired key stays in the DID document). Each credential gets the next place in the
revocation status lists (`sequence`, allocated under a lock and guarded by a unique index,
never reused); the list shows the award's current `revoked`. Unpublishing takes the
publication away (404); publishing again gives a new public id, and the credential is signed
anew under it, in the same place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plaudit.db.locking import lock_decision
from plaudit.kit.encryption import Keyring
from plaudit.models import Award, IssuedCredential
from plaudit.openbadges import data_integrity, did, status_list, v2, v3
from plaudit.openbadges.issuer import Issuer
from plaudit.openbadges.keys import SigningKey, active_key, public_keys
from plaudit.openbadges.publication import Published

SEQUENCE_LOCK = "openbadges.status_sequence"


@dataclass(frozen=True)
class Urls:
    """The public URLs of the OB 3.0 documents, under the public base URL."""

    base: str

    @property
    def did(self) -> str:
        return did.did_web(self.base)

    def credential(self, public_id: str) -> str:
        return f"{self.base}/ob/v3/credentials/{public_id}"

    def baked(self, public_id: str, extension: str) -> str:
        return f"{self.credential(public_id)}/badge.{extension}"

    def status_list(self, list_id: int) -> str:
        return f"{self.base}/ob/v3/status/{list_id}"


def verification_method(urls: Urls, key: SigningKey) -> str:
    return did.verification_method_id(urls.did, did.PublicKey(key.id, key.public_key_multibase))


def did_document(session: Session, urls: Urls) -> dict[str, Any]:
    return did.did_document(urls.did, public_keys(session))


def _next_sequence(session: Session) -> int:
    lock_decision(session, SEQUENCE_LOCK)
    top = session.scalar(select(func.max(IssuedCredential.sequence)))
    return 0 if top is None else top + 1


def issue(
    session: Session,
    *,
    award_id: int,
    public_id: str,
    issuer: v3.IssuerFacts,
    achievement: v3.AchievementFacts,
    recipient_email: str,
    recipient_salt: str,
    valid_until: datetime | None = None,
    urls: Urls,
    keyring: Keyring,
    now: datetime,
) -> dict[str, Any]:
    """Sign and keep the award's OpenBadgeCredential (again, under its kept status place,
    when it was published before); the signed credential."""
    award = session.get(Award, award_id)
    if award is None:
        raise LookupError(f"no award {award_id}")
    row = session.get(IssuedCredential, award_id)
    sequence = row.sequence if row is not None else _next_sequence(session)
    list_id, index = status_list.position(sequence)
    unsigned = v3.open_badge_credential(
        issuer=issuer,
        achievement=achievement,
        award=v3.AwardFacts(
            credential_url=urls.credential(public_id),
            awarded_at=award.awarded_at,
            valid_until=valid_until,
            email=recipient_email,
            salt=recipient_salt,
        ),
        status=status_list.status_entry(urls.status_list(list_id), index),
    )
    key = active_key(session, keyring, now)
    signed = data_integrity.sign(
        unsigned,
        key.private_key,
        verification_method=verification_method(urls, key),
        created=v3.timestamp(now),
    )
    if row is None:
        session.add(
            IssuedCredential(
                award_id=award_id,
                public_id=public_id,
                sequence=sequence,
                key_id=key.id,
                credential=signed,
                issued_at=now,
            )
        )
    else:
        row.public_id = public_id
        row.key_id = key.id
        row.credential = signed
        row.issued_at = now
    session.flush()
    return signed


def credential_of(
    session: Session,
    published: Published,
    *,
    issuer: Issuer,
    urls: Urls,
    keyring: Keyring,
    now: datetime,
) -> dict[str, Any]:
    """The signed credential of a published award: the one kept since it was first asked for
    under this publication, or signed now (and kept). Two requests signing it at once: the
    first to commit stands, the other reads it."""
    award, publication = published.award, published.publication
    row = session.get(IssuedCredential, award.id)
    if row is not None and row.public_id == publication.public_id:
        return dict(row.credential)
    v2_urls = v2.Urls(urls.base)
    definition = published.definition
    name = str(definition.get("name") or published.achievement.name)
    facts = v3.AchievementFacts(
        id=v2_urls.badge(award.achievement_id, award.achievement_version),
        name=name,
        description=str(definition.get("description") or name),
        criteria=v2.criteria_narrative(definition),
        image=v2_urls.badge_image(award.achievement_id, award.achievement_version),
    )
    try:
        with session.begin_nested():
            return issue(
                session,
                award_id=award.id,
                public_id=publication.public_id,
                issuer=v3.IssuerFacts(urls.did, issuer.name, issuer.url, issuer.email),
                achievement=facts,
                recipient_email=published.member.email or "",
                recipient_salt=publication.recipient_salt,
                valid_until=award.period_end,
                urls=urls,
                keyring=keyring,
                now=now,
            )
    except IntegrityError:
        session.expire_all()
        row = session.get(IssuedCredential, award.id)
        if row is None or row.public_id != publication.public_id:
            raise
        return dict(row.credential)


def list_count(session: Session) -> int:
    """How many status lists exist (at least one once a credential was issued)."""
    top = session.scalar(select(func.max(IssuedCredential.sequence)))
    return 0 if top is None else status_list.position(top)[0]


def status_list_credential(
    session: Session, list_id: int, *, urls: Urls, keyring: Keyring, now: datetime
) -> dict[str, Any] | None:
    """The signed BitstringStatusListCredential of list `list_id` (None past the last list):
    a bit per credential in it, 1 where the award is revoked. Signed when asked, with the
    active key, so it always tells the current state."""
    if not 1 <= list_id <= list_count(session):
        return None
    first = (list_id - 1) * status_list.LIST_SIZE
    revoked = session.scalars(
        select(IssuedCredential.sequence)
        .join(Award, Award.id == IssuedCredential.award_id)
        .where(
            IssuedCredential.sequence >= first,
            IssuedCredential.sequence < first + status_list.LIST_SIZE,
            Award.revoked.is_(True),
        )
    )
    unsigned = status_list.status_list_credential(
        list_url=urls.status_list(list_id),
        issuer=urls.did,
        valid_from=v3.timestamp(now),
        revoked=[sequence - first for sequence in revoked],
    )
    key = active_key(session, keyring, now)
    return data_integrity.sign(
        unsigned,
        key.private_key,
        verification_method=verification_method(urls, key),
        created=v3.timestamp(now),
    )
