"""Sign-in under attack, on both databases: sessions end on the server (a cookie saved before
sign-out is refused after it), user changes end sessions, the throttle counts per account and
per address in the database (shared by two app instances), and X-Forwarded-For is believed
only from configured proxies."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, func, select

from plaudit.app import create_app
from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.identity import sessions
from plaudit.identity.schemas import UserUpdate
from plaudit.identity.service import get_user_named, update_user
from plaudit.kit.roles import Principal, Role
from plaudit.models import SignInFailure, User, WebSession
from tests.app_cache import app_for
from tests.conftest import ADMIN_TOKEN
from tests.one_hop_client import TestClient
from tests.web.conftest import web_settings
from tests.web.helpers import PASSWORD, csrf_of, seed

NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
PAGE = "/admin/achievements"
UNTRUSTED_PEER = "198.51.100.7"
PROXY = "10.0.0.2"
COOKIE = "plaudit_session"


@pytest.fixture
def site_db(clean_db: Engine) -> Engine:
    seed(clean_db, records=False)
    return clean_db


@contextmanager
def browser(
    database_url: str,
    clock: FixedClock,
    *,
    peer: str = UNTRUSTED_PEER,
    own_app: bool = False,
    **settings: object,
) -> Iterator[TestClient]:
    """A browser-like client connecting from `peer`: to the worker's app for these settings,
    or with `own_app` to an app instance of its own (another process, as far as the app can
    tell: nothing in memory is shared)."""
    values = web_settings(database_url, period_closer=False, webhook_worker=False, **settings)
    app = create_app(values, clock=clock) if own_app else app_for(values, clock)
    with TestClient(app, follow_redirects=False, client=(peer, 40000)) as client:
        yield client


def post_login(
    client: TestClient, username: str, password: str, forwarded_for: str | None = None
) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    token = csrf_of(client.get("/login", headers=headers).text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=headers,
    )


def use_cookie(client: TestClient, value: str) -> None:
    """Send this session cookie, and only it, from now on."""
    client.cookies.clear()
    client.cookies.set(COOKIE, value)


def cookie_payload(client: TestClient) -> dict[str, object]:
    """What the signed cookie carries (Starlette: base64 JSON, then the signature)."""
    value = client.cookies[COOKIE]
    data = value.split(".")[0]
    decoded: dict[str, object] = json.loads(base64.b64decode(data + "=" * (-len(data) % 4)))
    return decoded


def count(engine: Engine, model: type[WebSession] | type[SignInFailure]) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(model)) or 0)


def assert_throttled(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) > 0
    assert "Too many failed sign-in attempts" in response.text
    assert "even the right password is refused" in response.text


# ---- sessions on the server ----------------------------------------------------------


def test_a_cookie_saved_before_sign_out_is_refused_after_it(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with browser(database_url, clock) as client:
        assert post_login(client, "admin", PASSWORD).status_code == 303
        assert set(cookie_payload(client)) == {"sid"}  # the cookie carries the id only
        sid = str(cookie_payload(client)["sid"])
        with site_db.connect() as conn:
            stored = conn.scalars(select(WebSession.token_hash)).all()
        assert stored == [hashlib.sha256(sid.encode()).hexdigest()]  # kept hashed
        saved = client.cookies[COOKIE]
        page = client.get(PAGE)
        assert page.status_code == 200
        response = client.post("/logout", data={"csrf_token": csrf_of(page.text)})
        assert response.status_code == 303
        assert count(site_db, WebSession) == 0

    with browser(database_url, clock) as replay:
        use_cookie(replay, saved)
        response = replay.get(PAGE)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Fadmin%2Fachievements"
        use_cookie(replay, saved)
        api = replay.get("/api/v1/achievements")
        assert api.status_code == 401
        assert api.headers["content-type"] == "application/problem+json"


def test_sign_out_ends_only_that_session(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with browser(database_url, clock) as laptop, browser(database_url, clock) as phone:
        assert post_login(laptop, "manager", PASSWORD).status_code == 303
        assert post_login(phone, "manager", PASSWORD).status_code == 303
        assert count(site_db, WebSession) == 2
        token = csrf_of(laptop.get(PAGE).text)
        assert laptop.post("/logout", data={"csrf_token": token}).status_code == 303
        assert laptop.get(PAGE).status_code == 303
        assert phone.get(PAGE).status_code == 200


def test_the_forms_carry_the_csrf_token_kept_with_the_session(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with browser(database_url, clock) as client:
        assert post_login(client, "admin", PASSWORD).status_code == 303
        with site_db.connect() as conn:
            stored = conn.scalar(select(WebSession.csrf_token))
        assert csrf_of(client.get(PAGE).text) == stored


def user_id(engine: Engine, username: str) -> int:
    with engine.connect() as conn:
        found = conn.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


def test_deactivating_a_user_ends_their_sessions_for_good(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    manager = user_id(site_db, "manager")
    admin_api = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with browser(database_url, clock) as client, browser(database_url, clock) as api:
        assert post_login(client, "manager", PASSWORD).status_code == 303
        saved = client.cookies[COOKIE]
        assert client.get(PAGE).status_code == 200
        # Saving what already holds ends nothing.
        same = api.patch(f"/api/v1/users/{manager}", json={"active": True}, headers=admin_api)
        assert same.status_code == 200
        assert client.get(PAGE).status_code == 200
        off = api.patch(f"/api/v1/users/{manager}", json={"active": False}, headers=admin_api)
        assert off.status_code == 200
        assert count(site_db, WebSession) == 0
        assert client.get(PAGE).status_code == 303
        on = api.patch(f"/api/v1/users/{manager}", json={"active": True}, headers=admin_api)
        assert on.status_code == 200
        use_cookie(client, saved)
        assert client.get(PAGE).status_code == 303  # reactivation brings no session back


def test_a_new_role_ends_the_users_sessions(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    manager = user_id(site_db, "manager")
    with browser(database_url, clock) as client:
        assert post_login(client, "admin", PASSWORD).status_code == 303  # another browser's
        admin_cookie = client.cookies[COOKIE]
        client.cookies.clear()
        assert post_login(client, "manager", PASSWORD).status_code == 303
        answer = client.patch(
            f"/api/v1/users/{manager}",
            json={"role": "admin"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert answer.status_code == 200
        assert client.get(PAGE).status_code == 303
        use_cookie(client, admin_cookie)
        assert client.get(PAGE).status_code == 200  # other users keep theirs


def test_a_new_password_ends_the_users_sessions(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    """`plaudit user update --new-password` and the users page call this service."""
    with browser(database_url, clock) as client:
        assert post_login(client, "member", PASSWORD).status_code == 303
        assert client.get("/").status_code == 200
        with unit_of_work(build_sessionmaker(site_db)) as session:
            member = get_user_named(session, "member")
            update_user(
                session,
                member.id,
                UserUpdate(password="a brand new secret"),
                actor=Principal(name="cli:test", role=Role.admin),
                now=NOW,
            )
        assert client.get("/").status_code == 303
        assert post_login(client, "member", "a brand new secret").status_code == 303
        assert client.get("/").status_code == 200


def test_an_expired_session_is_refused_and_removed(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with browser(database_url, clock) as client, browser(database_url, clock) as other:
        assert post_login(client, "admin", PASSWORD).status_code == 303
        assert post_login(other, "manager", PASSWORD).status_code == 303
        clock.now = NOW + timedelta(hours=11, minutes=59)
        assert client.get(PAGE).status_code == 200
        clock.now = NOW + timedelta(hours=12)
        assert client.get(PAGE).status_code == 303
        # Someone signing in cleans up the expired sessions of everyone.
        assert post_login(client, "ingest", PASSWORD).status_code == 303
        with site_db.connect() as conn:
            owners = conn.scalars(
                select(User.username).join(WebSession, WebSession.user_id == User.id)
            ).all()
        assert owners == ["ingest"]


def test_last_seen_is_written_at_most_once_a_minute(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with browser(database_url, clock) as client:
        assert post_login(client, "admin", PASSWORD).status_code == 303
        clock.now = NOW + timedelta(seconds=30)
        assert client.get(PAGE).status_code == 200
        clock.now = NOW + timedelta(minutes=5)
        assert client.get(PAGE).status_code == 200
        clock.now = NOW + timedelta(minutes=5, seconds=40)
        assert client.get(PAGE).status_code == 200
        with site_db.connect() as conn:
            last_seen = conn.scalar(select(WebSession.last_seen_at))
        assert last_seen == NOW + timedelta(minutes=5)


# ---- throttling ----------------------------------------------------------------------


def test_rotating_forwarded_for_from_an_untrusted_peer_is_throttled_per_account(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with browser(database_url, clock) as client:
        answers = [
            post_login(client, "admin", f"guess {n}", forwarded_for=f"203.0.113.{n}").status_code
            for n in range(12)
        ]
        assert answers == [400] * 5 + [429] * 7
        right = post_login(client, "admin", PASSWORD, forwarded_for="203.0.113.200")
        assert_throttled(right)
        assert client.get(PAGE).status_code == 303  # not signed in
        # Refused attempts are not counted: 5 failures per name, 5 more for the address.
        assert count(site_db, SignInFailure) == 10
        # The same words for a name that does not exist.
        for n in range(5):
            assert post_login(client, "nobody", f"guess {n}").status_code == 400
        unknown = post_login(client, "nobody", PASSWORD)
        assert_throttled(unknown)
        assert unknown.text.replace("nobody", "admin") == right.text
        # Once the window has passed, the right password works again.
        clock.now = NOW + timedelta(minutes=15)
        assert post_login(client, "admin", PASSWORD).status_code == 303


def test_rotating_forwarded_for_from_an_untrusted_peer_is_throttled_per_address(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with browser(database_url, clock, sign_in_max_failures_per_address=10) as client:
        answers = [
            post_login(client, f"name{n}", "guess", forwarded_for=f"203.0.113.{n}").status_code
            for n in range(12)
        ]
        assert answers == [400] * 10 + [429] * 2
        # The right password of a name nobody guessed at is refused from this address...
        assert_throttled(post_login(client, "manager", PASSWORD, forwarded_for="192.0.2.1"))
    # ...and accepted from another one.
    with browser(database_url, clock, peer="198.51.100.8") as elsewhere:
        assert post_login(elsewhere, "manager", PASSWORD).status_code == 303


def test_retry_after_counts_down_from_the_oldest_counted_failure(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with browser(database_url, clock) as client:
        for minute in range(5):
            clock.now = NOW + timedelta(minutes=minute)
            assert post_login(client, "admin", "guess").status_code == 400
        clock.now = NOW + timedelta(minutes=6)
        response = post_login(client, "admin", PASSWORD)
        assert_throttled(response)
        assert response.headers["retry-after"] == str(9 * 60)
        assert "try again in 9 minutes" in response.text
        clock.now = NOW + timedelta(minutes=15)  # the first failure has left the window
        assert post_login(client, "admin", PASSWORD).status_code == 303


def test_a_successful_sign_in_forgets_the_accounts_failures(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with browser(database_url, clock) as client:
        for _ in range(4):
            assert post_login(client, "admin", "guess").status_code == 400
        assert post_login(client, "admin", PASSWORD).status_code == 303
        client.cookies.clear()
        for _ in range(5):
            assert post_login(client, "admin", "guess").status_code == 400
        assert_throttled(post_login(client, "admin", PASSWORD))


def test_a_trusted_proxy_is_believed_but_the_account_limit_holds(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with browser(
        database_url,
        clock,
        peer=PROXY,
        trusted_proxies="10.0.0.0/8",
        sign_in_max_failures_per_address=3,
    ) as client:
        first = "203.0.113.1"
        for n in range(3):
            assert post_login(client, f"name{n}", "guess", forwarded_for=first).status_code == 400
        assert_throttled(post_login(client, "manager", PASSWORD, forwarded_for=first))
        # A client cannot escape by writing its own addresses before the proxy's: the
        # right-most address that is not a trusted proxy is the client.
        spoofed = f"192.0.2.99, {first}, 10.0.0.9"
        assert_throttled(post_login(client, "manager", PASSWORD, forwarded_for=spoofed))
        # Another client behind the proxy is counted apart.
        assert (
            post_login(client, "manager", PASSWORD, forwarded_for="203.0.113.2").status_code == 303
        )
        client.cookies.clear()
        # Guesses at one name from many clients still meet the per-account limit.
        for n in range(5):
            address = f"203.0.113.{10 + n}"
            assert post_login(client, "admin", "guess", forwarded_for=address).status_code == 400
        assert_throttled(post_login(client, "admin", PASSWORD, forwarded_for="203.0.113.99"))


def test_forwarded_for_from_a_peer_that_is_not_a_listed_proxy_is_ignored(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with browser(
        database_url,
        clock,
        trusted_proxies="10.0.0.0/8",
        sign_in_max_failures_per_address=3,
    ) as client:
        for n in range(3):
            forwarded = f"203.0.113.{n}"
            assert (
                post_login(client, f"name{n}", "guess", forwarded_for=forwarded).status_code == 400
            )
        assert_throttled(post_login(client, "manager", PASSWORD, forwarded_for="203.0.113.50"))


def test_two_app_instances_share_the_counts_and_the_sessions(
    site_db: Engine, database_url: str, clock: FixedClock
) -> None:
    with (
        browser(database_url, clock, own_app=True) as one,
        browser(database_url, clock, own_app=True) as two,
    ):
        assert one.app is not two.app
        for client in (one, two, one, two, one):
            assert post_login(client, "admin", "guess").status_code == 400
        assert_throttled(post_login(two, "admin", PASSWORD))
        assert_throttled(post_login(one, "admin", PASSWORD))

        assert post_login(one, "manager", PASSWORD).status_code == 303
        use_cookie(two, one.cookies[COOKIE])
        page = two.get(PAGE)
        assert page.status_code == 200
        assert two.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
        assert one.get(PAGE).status_code == 303  # signed out through the other instance


def test_a_user_keeps_a_bounded_number_of_sessions(
    site_db: Engine, database_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sessions.MAX_SESSIONS_PER_USER == 20
    monkeypatch.setattr(sessions, "MAX_SESSIONS_PER_USER", 3)  # fewer password checks
    with browser(database_url, clock) as client:
        assert post_login(client, "admin", PASSWORD).status_code == 303
        first = client.cookies[COOKIE]
        for _ in range(3):
            client.cookies.clear()
            assert post_login(client, "admin", PASSWORD).status_code == 303
        assert count(site_db, WebSession) == 3
        assert client.get(PAGE).status_code == 200
        use_cookie(client, first)
        assert client.get(PAGE).status_code == 303  # the oldest was ended


# ---- settings ------------------------------------------------------------------------


def test_trusted_proxies_are_addresses_or_networks() -> None:
    settings = Settings(trusted_proxies=" 10.0.0.5, 192.168.0.0/16,::1 ")
    assert settings.trusted_proxy_list == ["10.0.0.5/32", "192.168.0.0/16", "::1/128"]
    assert Settings().trusted_proxy_list == []
    for bad in ("*", "proxy.internal", "10.0.0.0/33"):
        with pytest.raises(ValidationError, match="not an IP address or a CIDR network"):
            Settings(trusted_proxies=bad)
