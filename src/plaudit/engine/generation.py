"""The engine generation: renewed in the transaction of any change to what is evaluated, so
every process can cache compiled achievements and still never use a stale one."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.db.upsert import insert_for
from plaudit.models import EngineGeneration


def bump_generation(session: Session) -> None:
    """Store a new random token: unlike a counter it never repeats, even after a restore or a
    truncation, so a cache can never mistake old rules for current ones."""
    token = secrets.randbits(62) or 1
    stmt = insert_for(session, EngineGeneration).values(id=1, value=token)
    session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={"value": token}))


def current_generation(session: Session) -> int:
    return session.scalar(select(EngineGeneration.value).where(EngineGeneration.id == 1)) or 0
