"""In a real browser: the notification form offers "An award is given" and "A level is
reached" with their own fields (achievements and categories; levels), shown only when chosen,
and saves them as the API's award and level triggers.

With PLAUDIT_SCREENSHOTS=1 it saves docs/screenshots/notification-award-trigger.png.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.level.schemas import LevelCreate
from plaudit.level.service import create_level
from plaudit.models import Achievement, Notification
from tests.web.conftest import screenshot
from tests.web.report_data import NOW, UTC_ZONE, make_report_data
from tests.web.test_browser import Tab
from tests.web.test_browser_channels import admin_tab  # noqa: F401  (the signed-in tab)


def test_award_and_level_triggers_from_the_form(
    admin_tab: Tab,  # noqa: F811  (the fixture imported above)
    web_engine: Engine,
) -> None:
    make_report_data(web_engine)
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        gold = create_level(session, LevelCreate(name="Gold", points=500), now=NOW, zone=UTC_ZONE)
        gold_id = gold.id
    with Session(web_engine) as session:
        first = session.scalars(
            select(Achievement).where(Achievement.deleted_at.is_(None)).order_by(Achievement.name)
        ).first()
        assert first is not None
        first_id = first.id
    page = admin_tab.page

    admin_tab.go("/admin/notifications/new")
    page.fill("#f-name", "Cheer awards")
    assert page.is_hidden("#f-achievement_ids") and page.is_hidden("#f-level_ids")
    page.check("input[name=trigger_type][value=award]")
    assert page.is_visible("#f-achievement_ids") and page.is_visible("#f-categories")
    assert page.is_hidden("#f-formula") and page.is_hidden("#f-level_ids")
    page.check(f"#f-achievement_ids-{first_id}")
    page.check("#f-categories-award")
    page.check("input[name=action_type][value=email]")
    page.check("input[name=email_to][value=managers]")
    page.locator("#f-trigger_type").scroll_into_view_if_needed()
    screenshot(page, "notification-award-trigger")
    with page.expect_navigation():
        page.click("button:has-text('Create notification')")
    assert "Created “Cheer awards”." in (page.text_content(".flash") or "")
    assert page.is_checked(f"#f-achievement_ids-{first_id}")

    admin_tab.go("/admin/notifications/new")
    page.fill("#f-name", "Level up")
    page.check("input[name=trigger_type][value=level]")
    assert page.is_visible("#f-level_ids") and page.is_hidden("#f-achievement_ids")
    page.check(f"#f-level_ids-{gold_id}")
    page.check("input[name=action_type][value=email]")
    with page.expect_navigation():
        page.click("button:has-text('Create notification')")
    assert "Created “Level up”." in (page.text_content(".flash") or "")

    with Session(web_engine) as session:
        saved = {n.name: n.trigger for n in session.scalars(select(Notification))}
    assert saved["Cheer awards"] == {
        "type": "award",
        "achievement_ids": [first_id],
        "categories": ["award"],
    }
    assert saved["Level up"] == {"type": "level", "level_ids": [gold_id]}
    admin_tab.go("/admin/notifications")
    table = page.text_content("table") or ""
    assert "An award is given of 1 chosen achievement and in category award" in table
    assert "A member reaches the chosen level" in table
