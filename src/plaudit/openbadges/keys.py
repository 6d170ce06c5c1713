"""The issuer's Ed25519 signing keys: made at first use, stored encrypted, rotated on demand.

Exactly one key is active. Processes that need the first key at the same time each try to
insert one; the unique `active` column of issuer_keys (true for one row, NULL for retired
ones) lets one win, and the others read the winner's key (an advisory lock on PostgreSQL
spares them the wasted attempt). Rotation retires the active key and makes a new one in one
transaction; retired keys stay listed in the DID document so the credentials they signed
still verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plaudit.db.locking import lock_decision
from plaudit.kit.encryption import Keyring
from plaudit.models import IssuerKey
from plaudit.openbadges.did import PublicKey
from plaudit.openbadges.multikey import public_multibase

LOCK = "openbadges.issuer_keys"


@dataclass(frozen=True)
class SigningKey:
    id: int
    public_key_multibase: str
    private_key: Ed25519PrivateKey


def _active_row(session: Session) -> IssuerKey | None:
    return session.scalars(select(IssuerKey).where(IssuerKey.active.is_(True))).first()


def _unwrap(row: IssuerKey, keyring: Keyring) -> SigningKey:
    raw = bytes.fromhex(keyring.decrypt(row.private_key_encrypted))
    return SigningKey(row.id, row.public_key_multibase, Ed25519PrivateKey.from_private_bytes(raw))


def _new_row(keyring: Keyring, now: datetime) -> IssuerKey:
    secret = Ed25519PrivateKey.generate()
    raw = secret.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return IssuerKey(
        public_key_multibase=public_multibase(secret.public_key()),
        private_key_encrypted=keyring.encrypt(raw.hex()),
        created_at=now,
        active=True,
    )


def _insert(session: Session, row: IssuerKey) -> bool:
    """Insert in a savepoint; False when another process's active key won the race."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def active_key(session: Session, keyring: Keyring, now: datetime) -> SigningKey:
    """The key that signs now, made (and stored encrypted) the first time one is needed."""
    row = _active_row(session)
    if row is None:
        lock_decision(session, LOCK)
        row = _active_row(session)
        if row is None:
            made = _new_row(keyring, now)
            row = made if _insert(session, made) else _active_row(session)
            if row is None:  # pragma: no cover - the winner's row is committed by now
                raise RuntimeError("no active issuer key after a lost race")
    return _unwrap(row, keyring)


def rotate_key(session: Session, keyring: Keyring, now: datetime) -> SigningKey:
    """Retire the active key (if any) and make a new one that signs from now on."""
    lock_decision(session, LOCK)
    old = _active_row(session)
    if old is not None:
        old.retired_at = now
        old.active = None
        session.flush()
    made = _new_row(keyring, now)
    session.add(made)
    session.flush()
    return _unwrap(made, keyring)


def public_keys(session: Session) -> list[PublicKey]:
    """Every key ever made, oldest first, as the DID document lists them."""
    rows = session.scalars(select(IssuerKey).order_by(IssuerKey.id))
    return [PublicKey(row.id, row.public_key_multibase) for row in rows]


def reencrypt(session: Session, keyring: Keyring) -> int:
    """Encrypt every stored secret key under the keyring's first key (`plaudit keys rotate`)."""
    rows = list(session.scalars(select(IssuerKey)))
    for row in rows:
        row.private_key_encrypted = keyring.rotate(row.private_key_encrypted)
    session.flush()
    return len(rows)
