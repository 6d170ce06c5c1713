"""Request dependencies: settings, clock, the transaction, and who is calling."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from plaudit.config import Settings
from plaudit.errors import Forbidden, Unauthenticated
from plaudit.kit.roles import Principal, Role
from plaudit.kit.security import hash_token, tokens_equal
from plaudit.models import ApiToken

# The dependencies below are `async def` although they do no I/O of their own: FastAPI runs
# a plain `def` dependency in the thread pool, and each such hop costs more than the work.
# Only the commit, which does I/O, is sent to the pool (bench/engine_bench.py, latency).


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: services never commit; this commits or rolls back.

    Making the session does no I/O (it connects at its first query, in the endpoint's
    thread); the commit runs in the thread pool. A rollback runs here, so that it happens
    even when the request is being cancelled."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    except BaseException:
        _rollback_and_close(session)
        raise
    if session.in_transaction():
        await run_in_threadpool(_commit_and_close, session)
    else:
        session.close()  # the endpoint committed itself (see record.router): no I/O left


# scope="function": commit before the answer is sent, so a failed commit is the client's
# error answer, never a 201 for data that was not saved.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]


def _principal_of_token(session: Session, token: str) -> Principal:
    row = session.scalars(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    ).one_or_none()
    if row is None:
        raise Unauthenticated(detail="The bearer token is unknown or revoked.")
    return Principal(
        name=f"token:{row.name}", role=Role(row.role), member_id=row.member_id, token_id=row.id
    )


_bearer = HTTPBearer(
    auto_error=False,
    description="An API token (`plaudit token create`, or PLAUDIT_ADMIN_TOKEN).",
)
"""Declares the bearer scheme in the OpenAPI document (the Authorize button of /docs); the
header itself is read below, for answers that say what is wrong with it."""


async def current_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if not header:
        web_principal = getattr(request.state, "principal", None)
        if isinstance(web_principal, Principal):
            return web_principal
        raise Unauthenticated(detail="Missing Authorization header: send 'Bearer <token>'.")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated(detail="The Authorization header must be 'Bearer <token>'.")
    admin_token = settings.admin_token.get_secret_value() if settings.admin_token else None
    if admin_token and tokens_equal(token, admin_token):
        return Principal(name="admin-token", role=Role.admin)
    return await run_in_threadpool(_principal_of_token, session, token)


class Allow:
    """Dependency that admits only the listed roles. The role-matrix test reads `roles`."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(
        self, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        if principal.role not in self.roles:
            allowed = ", ".join(sorted(r.value for r in self.roles))
            raise Forbidden(detail=f"Role '{principal.role}' may not do this; allowed: {allowed}.")
        return principal


def allow(*roles: Role) -> Any:
    return Depends(Allow(*roles))
