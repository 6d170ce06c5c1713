"""The notification pages with award and level triggers: the form saves them, refuses an
unknown achievement next to its field, and the test page runs their dry run."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from plaudit.award.service import give_award
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from tests.one_hop_client import TestClient
from tests.web.helpers import Site, csrf_of
from tests.web.test_notification_pages import create, fields, make_achievement, post, stored

NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)


def test_an_award_trigger_from_the_form_and_its_test_page(
    admin_web: TestClient, web_engine: Engine, site: Site
) -> None:
    shiny = make_achievement(web_engine, "shiny", "Shiny")
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        give_award(
            session, site.member_id, shiny, at=None, actor=SYSTEM, now=NOW, zone=ZoneInfo("UTC")
        )
    refused = post(
        admin_web,
        "/admin/notifications/new",
        fields(
            trigger_type="award",
            achievement_ids=[str(shiny), "424242"],
            action_type="webhook",
            url="https://hooks.example.com/x",
        ),
    )
    assert refused.status_code == 400
    assert 'id="f-achievement_ids-error"' in refused.text
    assert "Achievement 424242 does not exist" in refused.text
    saved = create(
        admin_web,
        trigger_type="award",
        achievement_ids=[str(shiny)],
        categories=["award"],
        action_type="email",
        email_to="member",
    )
    assert stored(web_engine, saved).trigger == {
        "type": "award",
        "achievement_ids": [shiny],
        "categories": ["award"],
    }
    listed = admin_web.get("/admin/notifications").text
    assert "An award is given of 1 chosen achievement and in category award" in listed
    page = admin_web.get(f"/admin/notifications/{saved}/test")
    tested = admin_web.post(
        f"/admin/notifications/{saved}/test", data={"csrf_token": csrf_of(page.text)}
    )
    assert tested.status_code == 200
    assert f"It fires once for every award of achievement {shiny}" in tested.text
    assert "Ada Lovelace" in tested.text


def test_a_level_trigger_without_levels_chosen_fires_for_every_level(
    admin_web: TestClient, web_engine: Engine
) -> None:
    saved = create(admin_web, trigger_type="level", action_type="email", email_to="member")
    assert stored(web_engine, saved).trigger == {"type": "level", "level_ids": []}
    edit = admin_web.get(f"/admin/notifications/{saved}")
    assert 'value="level" data-choice="trigger" checked' in edit.text
    assert "A member reaches a level" in admin_web.get("/admin/notifications").text
