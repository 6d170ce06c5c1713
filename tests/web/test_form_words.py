"""Every form's bad input in words (issue 19, item 7): messages name people and achievements,
never ids ("member 4"), never pydantic's wording ("String should have at least 8
characters") nor a location path ("Effective.until"). The group, member and team forms are
checked the same way in test_screen_pages.py."""

from __future__ import annotations

import re
from typing import Protocol

import pytest
from sqlalchemy import Engine

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.member.schemas import MemberUpdate
from plaudit.member.service import update_member
from tests.one_hop_client import TestClient
from tests.web.helpers import VALIDATOR_WORDS, Site, csrf_of
from tests.web.test_achievement_pages import create, fields, post_form
from tests.web.test_member_pages import People, give, make_people
from tests.web.test_notification_pages import fields as notification_fields
from tests.web.test_notification_pages import post as notification_post


class Answer(Protocol):
    """What is read of a page's answer (the test client's response)."""

    @property
    def text(self) -> str: ...


@pytest.fixture
def people(site: Site, web_engine: Engine) -> People:
    return make_people(web_engine, site)


def errors_of(response: Answer) -> str:
    """The page's error summary and messages, as text."""
    page = response.text
    found = re.findall(
        r'<div class="error-summary".*?</div>|<p class="field-error"[^>]*>.*?</p>'
        r'|<p class="form-error"[^>]*>.*?</p>|<div class="form-error"[^>]*>.*?</div>',
        page,
        re.S,
    )
    assert found, f"no error on the page: {page[:2000]}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", " ".join(found)))


def assert_in_words(response: Answer, *expected: str) -> None:
    words = errors_of(response).replace("&#39;", "'").replace("&amp;", "&")
    for message in expected:
        assert message in words, (message, words)
    bad = VALIDATOR_WORDS.search(words)
    assert bad is None, (bad, words)


def test_give_refusals_name_the_people_and_the_achievement(
    admin_web: TestClient, people: People, web_engine: Engine
) -> None:
    assert give(admin_web, people.ada, people.seller).status_code == 303
    held = give(admin_web, people.grace, people.seller)
    assert held.status_code == 409
    assert_in_words(
        held, "“Top seller” is a record: one holder per period, and Ada Lovelace already holds it"
    )
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        update_member(session, people.grace, MemberUpdate(active=False))
    inactive = give(admin_web, people.grace, people.star)
    assert inactive.status_code == 409
    assert_in_words(inactive, "Grace Hopper is inactive and cannot receive awards.")
    too_long = give(admin_web, people.ada, people.star, reason="x" * 2001)
    assert too_long.status_code == 400
    assert_in_words(too_long, "Keep the reason under 2000 characters.")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {
                "effective_mode": "between",
                "effective_from": "2026-12-01",
                "effective_until": "2026-11-01",
            },
            "The end of the effective window must be after its start",
        ),
        ({"name": "x" * 201}, "Keep it to 200 characters or fewer."),
        ({"name": ""}, "Enter a name."),
        ({"key": "Not a key!"}, "Use lower-case letters, digits"),
        ({"description": "x" * 5000}, "characters or fewer."),
        ({"category": "trophy"}, "Choose one of the options."),
        ({"period": "fortnight"}, "Choose one of the options."),
        ({"background_default": None, "background_color": "blue"}, "Choose a colour"),
    ],
)
def test_achievement_form_errors_are_in_words(
    admin_web: TestClient, site: Site, overrides: dict[str, str | None], expected: str
) -> None:
    response = post_form(admin_web, "/admin/achievements/new", fields(**overrides))
    assert response.status_code in (400, 422), response.text
    assert_in_words(response, expected)


def test_refusing_to_delete_an_active_achievement_names_it(admin_web: TestClient) -> None:
    achievement_id = create(admin_web)
    token = csrf_of(admin_web.get("/admin/achievements").text)
    activated = admin_web.post(
        f"/admin/achievements/{achievement_id}/activate", data={"csrf_token": token}
    )
    assert activated.status_code == 303
    refused = admin_web.post(
        f"/admin/achievements/{achievement_id}/delete", data={"csrf_token": token}
    )
    assert refused.status_code == 409
    assert_in_words(refused, "This achievement is active and cannot be deleted.")
    assert "/api/v1" not in refused.text


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"name": "x" * 201}, "Keep it to 200 characters or fewer."),
        ({"name": "", "role": "wizard"}, "Choose one of the options."),
        ({"role": "member", "member_id": "424242"}, "does not exist"),
    ],
)
def test_token_form_errors_are_in_words(
    admin_web: TestClient, site: Site, form: dict[str, str], expected: str
) -> None:
    token = csrf_of(admin_web.get("/admin/tokens").text)
    body = {"name": "robot", "role": "ingest", "member_id": "", **form, "csrf_token": token}
    response = admin_web.post("/admin/tokens", data=body)
    assert response.status_code in (400, 404, 409), response.text
    words = errors_of(response)
    assert expected in words, words
    bad = VALIDATOR_WORDS.search(words.replace("member 424242 does not exist", ""))
    assert bad is None, (bad, words)


def test_board_and_playlist_names_are_checked_in_words(admin_web: TestClient, site: Site) -> None:
    token = csrf_of(admin_web.get("/admin/boards").text)
    board = {"name": "x" * 201, "measure": "points", "period": "month", "csrf_token": token}
    response = admin_web.post("/admin/boards", data=board)
    assert response.status_code == 400
    assert_in_words(response, "characters or fewer.")
    playlist = admin_web.post("/admin/playlists", data={"name": "x" * 201, "csrf_token": token})
    assert playlist.status_code == 400
    assert_in_words(playlist, "characters or fewer.")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": ""}, "This is required."),
        ({"name": "x" * 201}, "characters or fewer."),
        ({"threshold": "lots"}, ""),
        ({"action_type": "webhook", "url": "ftp://x"}, "absolute http:// or https:// URL"),
        ({"period": "fortnight"}, ""),
    ],
)
def test_notification_form_errors_are_in_words(
    admin_web: TestClient, site: Site, overrides: dict[str, str], expected: str
) -> None:
    response = notification_post(
        admin_web, "/admin/notifications/new", notification_fields(**overrides)
    )
    assert response.status_code == 400, response.text
    assert_in_words(response, expected)
