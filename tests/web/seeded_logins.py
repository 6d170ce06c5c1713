"""Sessions of the seeded accounts, recorded once per worker and resumed by `sign_in`.

Signing in through the form costs three requests, an argon2 verification and the throttle's
bookkeeping, and about 900 page tests begin that way. The `site` fixture signs each seeded
role in once through the form and records what that left: the session cookie and the
session's row. In a later test, the first `sign_in` of that role writes the same row (times
from the test's own clock) and sets the same cookie, but only where a real sign-in would leave
exactly that state: the account untouched (same id, password hash, active), no session of the
user, no expired session of anyone, and no failed attempt counted anywhere. Otherwise, and
for any second sign-in of the role in the same test, the form is used.

Tests of signing in itself post the form (tests/web/test_auth.py,
tests/web/test_sign_in_security.py); `tests/web/test_seeded_logins.py` checks that a resumed
session is the one the form makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from http.cookiejar import Cookie

from pydantic import SecretStr
from sqlalchemy import Connection, Engine, exists, insert, select

from plaudit.identity.sessions import SESSION_LIFETIME
from plaudit.models import SignInFailure, User, WebSession
from plaudit.web.install import SESSION_COOKIE
from tests.one_hop_client import TestClient


@dataclass(frozen=True)
class SeededLogin:
    """What one sign-in through the form left: its cookie, its session row, its account, and
    the database and signing key it holds for."""

    engine: Engine
    cookie: Cookie
    user_id: int
    password_hash: str
    token_hash: str
    csrf_token: str
    secret_key: SecretStr


_armed: dict[str, SeededLogin] = {}


def record_login(client: TestClient, engine: Engine, username: str) -> SeededLogin:
    """The cookie `client` holds after signing `username` in, and the session row it names
    (the newest of the user's)."""
    cookie = next(c for c in client.cookies.jar if c.name == SESSION_COOKIE)
    with engine.connect() as conn:
        user = conn.execute(select(User).where(User.username == username)).one()
        row = conn.execute(
            select(WebSession)
            .where(WebSession.user_id == user.id)
            .order_by(WebSession.id.desc())
            .limit(1)
        ).one()
    return SeededLogin(
        engine=engine,
        cookie=cookie,
        user_id=user.id,
        password_hash=user.password_hash,
        token_hash=row.token_hash,
        csrf_token=row.csrf_token,
        secret_key=client.app.state.settings.secret_key,  # type: ignore[attr-defined]
    )


def arm(logins: dict[str, SeededLogin]) -> None:
    """Let this test's first sign-in of each seeded role resume its recorded session."""
    _armed.clear()
    _armed.update(logins)


def disarm() -> None:
    _armed.clear()


def _untouched(conn: Connection, login: SeededLogin, now: datetime) -> bool:
    """True when a sign-in through the form would write only the session row."""
    account = conn.execute(
        select(User.id).where(
            User.id == login.user_id,
            User.password_hash == login.password_hash,
            User.active.is_(True),
        )
    ).first()
    if account is None:
        return False
    leftovers = select(
        exists().where(SignInFailure.id.is_not(None)),
        exists().where((WebSession.user_id == login.user_id) | (WebSession.expires_at <= now)),
    )
    failures, sessions = conn.execute(leftovers).one()
    return not failures and not sessions


def resume(client: TestClient, username: str) -> bool:
    """Sign `client` in as a seeded role by resuming its recorded session; False (nothing
    done) where the form must be used instead."""
    login = _armed.pop(username, None)
    if login is None:
        return False
    state = client.app.state  # type: ignore[attr-defined]
    if state.settings.secret_key != login.secret_key:
        return False
    engine = login.engine
    if str(state.settings.sqlalchemy_url) != engine.url.render_as_string(hide_password=False):
        return False
    now: datetime = state.clock()
    with engine.begin() as conn:
        if not _untouched(conn, login, now):
            return False
        conn.execute(
            insert(WebSession).values(
                token_hash=login.token_hash,
                user_id=login.user_id,
                csrf_token=login.csrf_token,
                created_at=now,
                last_seen_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
    client.cookies.jar.set_cookie(login.cookie)
    return True
