"""`sign_in` resumes a seeded role's recorded session (tests/web/seeded_logins.py) only where
the form would leave the same state, and the resumed session is a real one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from plaudit.identity.sessions import SESSION_LIFETIME
from plaudit.models import SignInFailure, User, WebSession
from tests.one_hop_client import TestClient
from tests.web.conftest import SEEDED_AT, sign_in
from tests.web.helpers import PASSWORD, csrf_of


def sessions_of(engine: Engine, username: str) -> list[WebSession]:
    with Session(engine, expire_on_commit=False) as session:
        return list(
            session.scalars(
                select(WebSession)
                .join(User, User.id == WebSession.user_id)
                .where(User.username == username)
            )
        )


def failures(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(SignInFailure)) or 0)


def test_a_resumed_session_is_the_row_the_form_writes(web: TestClient, web_engine: Engine) -> None:
    assert sessions_of(web_engine, "admin") == []  # the snapshot holds no session
    sign_in(web, "admin")
    [row] = sessions_of(web_engine, "admin")
    assert row.created_at == row.last_seen_at == SEEDED_AT
    assert row.expires_at == SEEDED_AT + SESSION_LIFETIME
    page = web.get("/admin/achievements")
    assert page.status_code == 200
    # The page's CSRF token is the session's, and a form post with it is accepted.
    assert csrf_of(page.text) == row.csrf_token
    out = web.post("/logout", data={"csrf_token": row.csrf_token})
    assert out.status_code == 303
    assert sessions_of(web_engine, "admin") == []
    assert web.get("/admin/achievements").status_code == 303


def test_a_second_sign_in_of_a_role_in_one_test_uses_the_form(
    web: TestClient, web_engine: Engine
) -> None:
    sign_in(web, "manager")
    [resumed] = sessions_of(web_engine, "manager")
    web.cookies.clear()
    sign_in(web, "manager")  # the form: a session of its own, the first one kept
    tokens = {row.token_hash for row in sessions_of(web_engine, "manager")}
    assert len(tokens) == 2 and resumed.token_hash in tokens


def test_a_counted_failure_sends_the_sign_in_through_the_form(
    web: TestClient, web_engine: Engine
) -> None:
    token = csrf_of(web.get("/login").text)
    wrong = {"username": "admin", "password": PASSWORD + "!", "csrf_token": token}
    assert web.post("/login", data=wrong).status_code == 400
    counted = failures(web_engine)  # the account's and the address's
    assert counted == 2
    sign_in(web, "admin")
    # The form forgets the account's failure (not the address's): it was used.
    assert failures(web_engine) == counted - 1
    assert web.get("/admin/achievements").status_code == 200


def test_a_changed_account_sends_the_sign_in_through_the_form(
    web: TestClient, web_engine: Engine
) -> None:
    with web_engine.begin() as conn:
        conn.execute(update(User).where(User.username == "member").values(active=False))
    with pytest.raises(AssertionError, match="Wrong user name or password"):
        sign_in(web, "member")  # the form, which refuses an inactive user
    assert sessions_of(web_engine, "member") == []


def test_a_moved_clock_still_writes_the_session_at_its_own_now(
    web: TestClient, web_engine: Engine
) -> None:
    later = SEEDED_AT + timedelta(days=3)
    web.app.state.clock.now = later  # type: ignore[attr-defined]
    sign_in(web, "ingest")
    [row] = sessions_of(web_engine, "ingest")
    assert row.created_at == later
    assert row.expires_at == later + SESSION_LIFETIME
