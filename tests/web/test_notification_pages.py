"""The notification pages through an in-process client: the form reads into the API's schemas
and services, errors (formula mistakes with line and column) land next to their fields with
400, a webhook's secret is shown once, the test page writes nothing, and the delivery log."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from plaudit.achievement.schemas import AchievementCreate
from plaudit.achievement.service import create_achievement
from plaudit.config import Settings
from plaudit.db.base import Base
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.models import Notification, WebhookDelivery, WebhookDeliveryAttempt
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site, csrf_of

NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
PROFILE_ONCE = {
    "source": "company_profile_updated",
    "aggregate": "count",
    "operator": "at_least",
    "value": 1,
}


def make_achievement(engine: Engine, key: str = "profile-pro", name: str = "Profile pro") -> int:
    body = {
        "key": key,
        "name": name,
        "category": "award",
        "points": 25,
        "requirements": [[PROFILE_ONCE]],
    }
    with unit_of_work(build_sessionmaker(engine)) as session:
        row = create_achievement(
            session,
            AchievementCreate.model_validate(body),
            actor=SYSTEM,
            now=NOW,
            zone=ZoneInfo("UTC"),
        )
        return row.id


def fields(**overrides: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": "Profile updated",
        "active": "on",
        "trigger_type": "formula",
        "formula": "count(company_profile_updated)",
        "operator": ">=",
        "threshold": "1",
        "period": "month",
        "source": "",
        "on_created": "on",
        "on_updated": "on",
        "filter-0-field": "",
        "filter-0-op": "eq",
        "filter-0-value": "",
        "action_type": "give_achievement",
        "achievement_id": "",
        "url": "",
        "secret": "",
    }
    out.update(overrides)
    return {k: v for k, v in out.items() if v is not None}


def post(client: TestClient, path: str, data: dict[str, Any]) -> httpx.Response:
    token = csrf_of(client.get("/admin/notifications/new").text)
    return client.post(path, data={**data, "csrf_token": token})


def create(client: TestClient, **overrides: Any) -> int:
    response = post(client, "/admin/notifications/new", fields(**overrides))
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/admin/notifications/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


def stored(engine: Engine, notification_id: int) -> Notification:
    with Session(engine) as session:
        row = session.get(Notification, notification_id)
        assert row is not None
        return row


def row_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            t.name: session.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


def test_create_a_formula_notification_and_see_it_listed(
    admin_web: TestClient, web_engine: Engine
) -> None:
    assert "No notifications yet" in admin_web.get("/admin/notifications").text
    achievement_id = make_achievement(web_engine)
    notification_id = create(admin_web, achievement_id=str(achievement_id))
    row = stored(web_engine, notification_id)
    assert row.trigger == {
        "type": "formula",
        "formula": "count(company_profile_updated)",
        "period": "month",
        "operator": ">=",
        "threshold": 1.0,
    }
    assert row.action == {"type": "give_achievement", "achievement_id": achievement_id}
    assert row.active
    page = admin_web.get(f"/admin/notifications/{notification_id}").text
    assert "Created “Profile updated”." in page
    assert "count(company_profile_updated)</textarea>" in page
    listing = admin_web.get("/admin/notifications").text
    assert "Profile updated" in listing
    assert "count(company_profile_updated) &gt;= 1, once per member per month" in listing
    assert "Give “Profile pro”" in listing
    assert "<caption" in listing and 'scope="col"' in listing


def test_a_formula_syntax_error_is_shown_at_its_position(
    admin_web: TestClient, web_engine: Engine
) -> None:
    achievement_id = make_achievement(web_engine)
    response = post(
        admin_web,
        "/admin/notifications/new",
        fields(formula="count(company_profile_updated", achievement_id=str(achievement_id)),
    )
    assert response.status_code == 400
    page = response.text
    assert 'id="error-summary"' in page
    assert 'id="f-formula-error"' in page
    assert "Line 1, column 30:" in page
    assert 'class="snippet"' in page
    assert "count(company_profile_updated\n" + " " * 29 + "^" in page
    assert "count(company_profile_updated</textarea>" in page  # kept as typed
    with Session(web_engine) as session:
        assert session.scalar(select(func.count(Notification.id))) == 0


def test_unknown_fields_in_a_formula_are_each_located(
    admin_web: TestClient, web_engine: Engine
) -> None:
    achievement_id = make_achievement(web_engine)
    response = post(
        admin_web,
        "/admin/notifications/new",
        fields(formula="sum(deals.valu) / count(cals)", achievement_id=str(achievement_id)),
    )
    assert response.status_code == 400
    assert "Line 1, column 11: source &#39;deals&#39; has no field &#39;valu&#39;" in response.text
    assert "Line 1, column 25: unknown source &#39;cals&#39;" in response.text


def test_form_errors_are_next_to_their_fields(admin_web: TestClient) -> None:
    response = post(
        admin_web,
        "/admin/notifications/new",
        fields(name="", threshold="lots", achievement_id="", action_type="webhook", url="ftp://x"),
    )
    assert response.status_code == 400
    page = response.text
    assert 'id="f-name-error"' in page
    assert 'id="f-threshold-error"' in page
    assert 'id="f-url-error"' in page and "absolute http:// or https:// URL" in page
    missing = post(admin_web, "/admin/notifications/new", fields(achievement_id="999"))
    assert missing.status_code == 400
    assert 'id="f-achievement_id-error"' in missing.text
    assert "Achievement 999 does not exist" in missing.text


def test_a_record_notification_with_typed_filters(
    admin_web: TestClient, web_engine: Engine
) -> None:
    achievement_id = make_achievement(web_engine)
    notification_id = create(
        admin_web,
        trigger_type="record",
        source="deals",
        on_updated=None,
        **{
            "filter-0-field": "status",
            "filter-0-op": "eq",
            "filter-0-value": "Approved",
            "filter-1-field": "value",
            "filter-1-op": "gte",
            "filter-1-value": "1000",
            "filter-2-field": "currency",
            "filter-2-op": "in",
            "filter-2-value": "EUR, USD",
        },
        achievement_id=str(achievement_id),
    )
    trigger = stored(web_engine, notification_id).trigger
    assert trigger["source"] == "deals" and trigger["events"] == ["created"]
    assert trigger["where"] == [
        {"field": "status", "op": "eq", "value": "Approved"},
        {"field": "value", "op": "gte", "value": 1000},
        {"field": "currency", "op": "in", "value": ["EUR", "USD"]},
    ]
    page = admin_web.get(f"/admin/notifications/{notification_id}").text
    assert 'name="filter-2-value" value="EUR, USD"' in page
    assert 'name="filter-3-field" value=""' in page  # a spare row
    bad = post(
        admin_web,
        f"/admin/notifications/{notification_id}",
        fields(
            trigger_type="record",
            source="deals",
            achievement_id=str(achievement_id),
            **{"filter-0-field": "nope", "filter-0-value": "x"},
        ),
    )
    assert bad.status_code == 400
    assert 'id="f-filter_0-error"' in bad.text and "nope" in bad.text


def secret_of(engine: Engine, notification_id: int) -> str:
    """The stored secret, decrypted with the keys the app uses (the column holds a token)."""
    token = stored(engine, notification_id).webhook_secret_encrypted
    assert token is not None
    return Settings().keyring().decrypt(token)


def test_webhook_secret_is_shown_once_and_can_be_renewed(
    admin_web: TestClient, web_engine: Engine
) -> None:
    response = post(
        admin_web,
        "/admin/notifications/new",
        fields(action_type="webhook", url="https://hooks.example.com/plaudit"),
    )
    assert response.status_code == 200
    notification = admin_web.get("/admin/notifications").text
    assert "Webhook to https://hooks.example.com/plaudit" in notification
    with Session(web_engine) as session:
        row = session.scalars(select(Notification)).one()
    first = secret_of(web_engine, row.id)
    assert first.startswith("whsec_") and first in response.text
    assert row.webhook_secret_encrypted and first not in row.webhook_secret_encrypted
    assert "shown only this once" in response.text
    edit = admin_web.get(f"/admin/notifications/{row.id}").text
    assert first not in edit
    kept = post(
        admin_web,
        f"/admin/notifications/{row.id}",
        fields(name="Renamed", action_type="webhook", url="https://hooks.example.com/plaudit"),
    )
    assert kept.status_code == 303
    assert secret_of(web_engine, row.id) == first
    renewed = post(
        admin_web,
        f"/admin/notifications/{row.id}",
        fields(action_type="webhook", url="https://hooks.example.com/plaudit", new_secret="on"),
    )
    assert renewed.status_code == 200
    secret = secret_of(web_engine, row.id)
    assert secret != first and secret in renewed.text


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/hook", "127.0.0.1 is a loopback address"),
        ("http://localhost/hook", "resolves to 127.0.0.1, which is a loopback address"),
        ("http://169.254.169.254/latest/meta-data", "link-local or cloud metadata"),
    ],
)
def test_the_form_refuses_a_webhook_to_an_internal_address(
    admin_web: TestClient, web_engine: Engine, url: str, reason: str
) -> None:
    refused = post(admin_web, "/admin/notifications/new", fields(action_type="webhook", url=url))
    assert refused.status_code == 400
    assert 'id="f-url-error"' in refused.text and reason in refused.text
    assert row_counts(web_engine)["notifications"] == 0


def test_edit_and_delete_with_confirmation(admin_web: TestClient, web_engine: Engine) -> None:
    achievement_id = make_achievement(web_engine)
    notification_id = create(admin_web, achievement_id=str(achievement_id))
    response = post(
        admin_web,
        f"/admin/notifications/{notification_id}",
        fields(name="Monthly profile", active=None, achievement_id=str(achievement_id)),
    )
    assert response.status_code == 303
    row = stored(web_engine, notification_id)
    assert row.name == "Monthly profile" and not row.active
    confirm = admin_web.get(f"/admin/notifications/{notification_id}/delete")
    assert confirm.status_code == 200 and "This cannot be undone." in confirm.text
    deleted = admin_web.post(
        f"/admin/notifications/{notification_id}/delete",
        data={"csrf_token": csrf_of(confirm.text)},
    )
    assert deleted.status_code == 303
    assert stored(web_engine, notification_id).deleted_at is not None
    listing = admin_web.get("/admin/notifications").text
    assert "Deleted “Monthly profile”." in listing and "Monthly profile</a>" not in listing
    assert admin_web.get(f"/admin/notifications/{notification_id}").status_code == 404


def test_the_test_page_says_who_would_get_what_and_writes_nothing(
    admin_web: TestClient, web_engine: Engine, site: Site
) -> None:
    achievement_id = make_achievement(web_engine)
    give = create(admin_web, achievement_id=str(achievement_id))
    saved = post(
        admin_web,
        "/admin/notifications/new",
        fields(name="Hook", action_type="webhook", url="https://hooks.example.com/x"),
    )
    assert saved.status_code == 200
    with Session(web_engine) as session:
        hook = session.scalars(select(Notification.id).where(Notification.name == "Hook")).one()
    page = admin_web.get(f"/admin/notifications/{give}/test")
    assert page.status_code == 200 and "A test writes nothing." in page.text
    token = csrf_of(page.text)
    before = row_counts(web_engine)
    notifications_before = stored(web_engine, give).updated_at
    response = admin_web.post(f"/admin/notifications/{give}/test", data={"csrf_token": token})
    assert response.status_code == 200
    text = response.text
    assert "Test result: nothing was written" in text
    # Ada has updated her profile this month: she meets the threshold already, so the formula,
    # which fires on a crossing, will NOT fire for her; Grace gets it with her first update
    assert "Nobody gets it from the current data alone" in text
    assert "1 member meets it already and will NOT get it" in text
    assert "Ada Lovelace" in text and "Already meets it: will NOT fire" in text
    assert "Grace Hopper</th>" not in text  # all members: only those records will not fire for
    grace = admin_web.post(
        f"/admin/notifications/{give}/test",
        data={"csrf_token": token, "member_id": str(site.other_member_id)},
    )
    assert "Grace Hopper</th>" in grace.text and "Not met yet: fires when it crosses" in grace.text
    assert "Give “Profile pro”" in grace.text  # what the crossing would do
    one = admin_web.post(
        f"/admin/notifications/{hook}/test",
        data={"csrf_token": token, "member_id": str(site.other_member_id)},
    )
    assert one.status_code == 200
    assert "1 member checked" in one.text and "Send a webhook to" in one.text
    assert "Ada Lovelace</th>" not in one.text
    assert row_counts(web_engine) == before
    assert stored(web_engine, give).updated_at == notifications_before
    unknown = admin_web.post(
        f"/admin/notifications/{give}/test", data={"csrf_token": token, "member_id": "999"}
    )
    assert unknown.status_code == 404 and "member 999 does not exist" in unknown.text
    assert row_counts(web_engine) == before


def test_delivery_log_and_retry(admin_web: TestClient, web_engine: Engine) -> None:
    created = post(
        admin_web,
        "/admin/notifications/new",
        fields(action_type="webhook", url="https://h.example/x"),
    )
    assert created.status_code == 200
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        notification = session.scalars(select(Notification)).one()
        failed = WebhookDelivery(
            notification_id=notification.id,
            url="https://h.example/x",
            payload={"a": 1},
            status="failed",
            attempts=6,
            created_at=NOW,
            last_status_code=503,
            last_error="Service Unavailable",
        )
        waiting = WebhookDelivery(
            notification_id=notification.id,
            url="https://h.example/x",
            payload={"a": 2},
            status="pending",
            attempts=1,
            created_at=NOW,
            next_attempt_at=datetime(2026, 11, 18, 13, 5, tzinfo=UTC),
        )
        session.add_all([failed, waiting])
        session.flush()
        session.add(
            WebhookDeliveryAttempt(
                delivery_id=failed.id,
                number=1,
                started_at=NOW,
                duration_ms=12.0,
                status_code=503,
                error="Service Unavailable",
                succeeded=False,
            )
        )
        ids = (notification.id, failed.id, waiting.id)
    page = admin_web.get(f"/admin/notifications/{ids[0]}/deliveries")
    assert page.status_code == 200
    text = page.text
    assert f"#{ids[1]}" in text and "Failed" in text and "503" in text
    assert "Service Unavailable" in text and "2026-11-18 13:05:00 UTC" in text
    assert f"Retry #{ids[1]}" in text and f"Retry #{ids[2]}" not in text
    only_failed = admin_web.get(f"/admin/notifications/{ids[0]}/deliveries?status=failed").text
    assert f"#{ids[2]} " not in only_failed
    retried = admin_web.post(
        f"/admin/notifications/{ids[0]}/deliveries/{ids[1]}/retry",
        data={"csrf_token": csrf_of(text)},
    )
    assert retried.status_code == 303
    with Session(web_engine) as session:
        row = session.get(WebhookDelivery, ids[1])
        assert row is not None and row.status != "failed"  # pending again (or being sent)
    again = admin_web.post(
        f"/admin/notifications/{ids[0]}/deliveries/{ids[1]}/retry",
        data={"csrf_token": csrf_of(text)},
    )
    assert again.status_code == 303
    assert "only a failed delivery can be retried" in admin_web.get(again.headers["location"]).text


def test_members_may_not_open_the_notification_pages(web: TestClient) -> None:
    sign_in(web, "member")
    response = web.get("/admin/notifications")
    assert response.status_code == 403
    assert "This page is not for your role" in response.text


def test_test_before_saving_runs_the_dry_run_on_the_form_and_saves_nothing(
    admin_web: TestClient, web_engine: Engine, site: Site
) -> None:
    achievement_id = make_achievement(web_engine)
    new = admin_web.get("/admin/notifications/new").text
    assert "Test before saving" in new
    assert 'name="active" value="on" aria' in new and 'name="active" value="on" checked' not in new
    before = row_counts(web_engine)
    tested = post(
        admin_web,
        "/admin/notifications/new",
        fields(intent="test", active=None, achievement_id=str(achievement_id)),
    )
    assert tested.status_code == 200
    assert "Test result: nothing was written" in tested.text
    assert "1 member meets it already and will NOT get it" in tested.text
    assert "Ada Lovelace" in tested.text and "Already meets it: will NOT fire" in tested.text
    assert "inactive: nothing fires until it is activated" in tested.text
    assert "count(company_profile_updated)</textarea>" in tested.text  # the form, as filled in
    assert row_counts(web_engine) == before
    mistake = post(
        admin_web,
        "/admin/notifications/new",
        fields(intent="test", formula="count(nope)", achievement_id=str(achievement_id)),
    )
    assert mistake.status_code == 400 and "unknown source" in mistake.text
    assert row_counts(web_engine) == before
    # saved without ticking "Activate now", it is inactive
    notification_id = create(admin_web, active=None, achievement_id=str(achievement_id))
    assert not stored(web_engine, notification_id).active
    # testing an edit counts the saved notification's own firings and state
    edited = post(
        admin_web,
        f"/admin/notifications/{notification_id}",
        fields(intent="test", threshold="5", achievement_id=str(achievement_id)),
    )
    assert edited.status_code == 200 and "2 members do not meet the threshold now" in edited.text
    assert stored(web_engine, notification_id).trigger["threshold"] == 1.0
