"""Who holds an achievement (list, filters, paging, revoke), its versions, the names on the
activation confirmation and the completion report's drill-down: on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from plaudit.achievement.schemas import AchievementCreate
from plaudit.achievement.service import create_achievement
from plaudit.achievement.versions import describe_changes
from plaudit.award.holders import HolderFilters, count_holders, list_holders
from plaudit.clock import FixedClock
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.models import AuditEvent, Award
from plaudit.web.routes import achievement_actions, achievement_holders
from tests.app_cache import app_for
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in, web_settings
from tests.web.helpers import Site, csrf_of, seed
from tests.web.holders_data import NOW, PROFILE_ONCE, UTC_ZONE, Holders, make_holders

ROW = re.compile(r"<tr class=\"holder-(\w+)\">(.*?)</tr>", re.S)
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Staff:
    client: TestClient
    site: Site
    engine: Engine


@pytest.fixture
def staff(clean_db: Engine, database_url: str) -> Iterator[Staff]:
    """Signed in as an admin on the app serving this test's database (both kinds)."""
    site = seed(clean_db)
    app = app_for(web_settings(database_url, timezone="UTC", period_closer=False), FixedClock(NOW))
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "admin")
        yield Staff(client, site, clean_db)


@pytest.fixture
def data(staff: Staff) -> Holders:
    return make_holders(staff.engine, staff.site.member_id, staff.site.other_member_id)


def rows_of(html: str) -> list[tuple[str, list[str]]]:
    """Each holder row: its state and the text of its cells."""
    out = []
    for state, row in ROW.findall(html):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        out.append((state, [" ".join(TAG.sub(" ", c).split()) for c in cells]))
    return out


def test_holders_listed_newest_first_with_every_field(staff: Staff, data: Holders) -> None:
    page = staff.client.get(f"/admin/achievements/{data.achievement_id}/holders")
    assert page.status_code == 200
    rows = rows_of(page.text)
    names = [cells[0] for _, cells in rows]
    assert names[0] == "Cid · North" and set(names[1:3]) == {"Ann · North", "Bob · North"}
    assert names[3:] == ["Dee · South", "Ada Lovelace"]
    cid, dee, ada = rows[0][1], rows[3][1], rows[4][1]
    # Member, awarded, period, source, points, version, state, action
    assert cid[1] == "2026-11-08 21:00" and cid[2] == "All time"
    assert cid[3] == "Given by hand by Harriet" and cid[4:6] == ["7", "2"]
    assert rows[0][0] == "active" and cid[6] == "Active" and cid[7] == "Revoke…"
    assert ada[3] == "Rule" and ada[4:6] == ["5", "1"]
    assert rows[3][0] == "revoked" and dee[6].startswith("Revoked by system")
    assert "given by mistake" in dee[6] and dee[7] == ""
    assert f'href="/admin/members/{data.ids["Cid"]}"' in page.text
    assert "5 awards in all" in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("source=manual", ["Cid", "Dee"]),
        ("source=rule", ["Ann", "Ada", "Bob"]),
        ("state=revoked", ["Dee"]),
        ("state=held", ["Ada", "Ann", "Bob", "Cid"]),
        ("version=1", ["Ada", "Dee"]),
        ("version=2&source=rule", ["Ann", "Bob"]),
        ("period=all", ["Ada", "Ann", "Bob", "Cid", "Dee"]),
        ("period=2026-11", []),
        ("source=bogus&state=nope&version=x", ["Ada", "Ann", "Bob", "Cid", "Dee"]),
    ],
)
def test_holder_filters(staff: Staff, data: Holders, query: str, expected: list[str]) -> None:
    page = staff.client.get(f"/admin/achievements/{data.achievement_id}/holders?{query}")
    assert page.status_code == 200
    names = sorted(cells[0].split(" ")[0] for _, cells in rows_of(page.text))
    assert names == sorted(expected)
    if not expected:
        assert "No award matches these filters." in page.text


def test_holders_paged(staff: Staff, data: Holders, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(achievement_holders, "PAGE_SIZE", 2)
    base = f"/admin/achievements/{data.achievement_id}/holders"
    seen = []
    for page_number, has_next in ((1, True), (2, True), (3, False)):
        page = staff.client.get(f"{base}?source=&page={page_number}")
        names = [cells[0].split(" ")[0] for _, cells in rows_of(page.text)]
        seen += names
        assert ('rel="next"' in page.text) is has_next
        assert ('rel="prev"' in page.text) is (page_number > 1)
    assert len(seen) == 5 and set(seen) == {"Ada", "Ann", "Bob", "Cid", "Dee"}
    assert seen[0] == "Cid" and seen[-1] == "Ada"


def test_revoke_from_holders_page_writes_the_audit_log(staff: Staff, data: Holders) -> None:
    back = f"/admin/achievements/{data.achievement_id}/holders?source=manual"
    confirm = staff.client.get(
        f"/admin/achievements/{data.achievement_id}/holders/{data.cid_award_id}/revoke",
        params={"back": back},
    )
    assert confirm.status_code == 200
    assert "Revoke “Profile star” from Cid?" in confirm.text
    url = f"/admin/achievements/{data.achievement_id}/holders/{data.cid_award_id}/revoke"
    token = csrf_of(confirm.text)
    empty = staff.client.post(url, data={"csrf_token": token, "back": back, "reason": ""})
    assert empty.status_code == 400 and "Enter the reason" in empty.text
    done = staff.client.post(
        url, data={"csrf_token": token, "back": back, "reason": "left the programme"}
    )
    assert done.status_code == 303 and done.headers["location"] == back
    with Session(staff.engine) as session:
        award = session.get(Award, data.cid_award_id)
        assert award is not None and award.revoked and award.revoked_by == "user:admin"
        assert award.revoke_reason == "left the programme"
        event_row = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "award.revoke", AuditEvent.entity_id == data.cid_award_id
            )
        ).one()
        assert event_row.actor == "user:admin" and event_row.reason == "left the programme"
    listed = staff.client.get(back)
    assert "Award revoked." in listed.text
    states = {cells[0].split(" ")[0]: state for state, cells in rows_of(listed.text)}
    assert states == {"Cid": "revoked", "Dee": "revoked"}


def test_revoke_refuses_an_award_of_another_achievement_and_a_foreign_back(
    staff: Staff, data: Holders
) -> None:
    with unit_of_work(build_sessionmaker(staff.engine)) as session:
        other = create_achievement(
            session,
            AchievementCreate.model_validate(
                {"key": "other", "name": "Other", "category": "award", "points": 1}
            ),
            actor=SYSTEM,
            now=NOW,
            zone=UTC_ZONE,
        ).id
    wrong = staff.client.get(f"/admin/achievements/{other}/holders/{data.cid_award_id}/revoke")
    assert wrong.status_code == 404
    confirm = staff.client.get(
        f"/admin/achievements/{data.achievement_id}/holders/{data.cid_award_id}/revoke",
        params={"back": "https://example.com/"},
    )
    assert 'name="back" value="/admin/achievements/' in confirm.text
    assert "example.com" not in confirm.text


def test_achievement_page_shows_latest_holders_and_versions(staff: Staff, data: Holders) -> None:
    page = staff.client.get(f"/admin/achievements/{data.achievement_id}")
    assert page.status_code == 200
    html = page.text
    assert 'id="sec-holders"' in html and "All 5 awards, with filters" in html
    assert len(rows_of(html)) == 5
    versions = html[html.index('id="sec-versions"') :]
    assert versions.index("Version 2") < versions.index("Version 1")
    assert "Points: 5 → 7" in versions and "Created" in versions
    holders = f"/admin/achievements/{data.achievement_id}/holders"
    assert f'href="{holders}?version=2">3 awards</a>' in versions
    assert f'href="{holders}?version=1">2 awards</a> <span class="muted">(1 revoked)' in versions


def test_new_achievement_page_has_no_history(staff: Staff) -> None:
    page = staff.client.get("/admin/achievements/new")
    assert page.status_code == 200 and 'id="sec-holders"' not in page.text


def _inactive_profile_achievement(engine: Engine) -> int:
    with unit_of_work(build_sessionmaker(engine)) as session:
        return create_achievement(
            session,
            AchievementCreate.model_validate(
                {
                    "key": "profile-badge",
                    "name": "Profile badge",
                    "category": "award",
                    "points": 3,
                    "requirements": [[PROFILE_ONCE]],
                }
            ),
            actor=SYSTEM,
            now=NOW,
            zone=UTC_ZONE,
        ).id


def test_activation_names_who_qualifies_then_links_to_holders(staff: Staff, data: Holders) -> None:
    badge = _inactive_profile_achievement(staff.engine)
    confirm = staff.client.get(f"/admin/achievements/{badge}/activate")
    assert confirm.status_code == 200
    listed = re.findall(r'<li><a href="/admin/members/(\d+)">([^<]+)</a>', confirm.text)
    assert listed == [
        (str(data.ids["Ada"]), "Ada Lovelace"),
        (str(data.ids["Ann"]), "Ann"),
        (str(data.ids["Bob"]), "Bob"),
    ]
    assert "3 members already qualify" in confirm.text and "more." not in confirm.text
    done = staff.client.post(
        f"/admin/achievements/{badge}/activate", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert done.status_code == 303
    page = staff.client.get(done.headers["location"])
    assert "3 awards given to members who already qualify." in page.text
    assert f'<a href="/admin/achievements/{badge}/holders">See who holds it</a>' in page.text
    holders = staff.client.get(f"/admin/achievements/{badge}/holders")
    assert sorted(c[0].split(" ")[0] for _, c in rows_of(holders.text)) == ["Ada", "Ann", "Bob"]


def test_activation_names_are_capped(
    staff: Staff, data: Holders, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(achievement_actions, "MAX_NAMES", 2)
    badge = _inactive_profile_achievement(staff.engine)
    confirm = staff.client.get(f"/admin/achievements/{badge}/activate")
    listed = re.findall(r'<li><a href="/admin/members/\d+">([^<]+)</a>', confirm.text)
    assert listed == ["Ada Lovelace", "Ann"]
    assert "and 1 more." in confirm.text


def test_activation_marks_members_who_get_nothing_new(staff: Staff, data: Holders) -> None:
    # Profile star is active and held: deactivated, its qualifiers already have it.
    staff.client.post(
        f"/admin/achievements/{data.achievement_id}/deactivate",
        data={"csrf_token": csrf_of(staff.client.get("/admin/achievements").text)},
    )
    confirm = staff.client.get(f"/admin/achievements/{data.achievement_id}/activate")
    assert confirm.status_code == 200
    assert confirm.text.count("(no new award: already given)") == 3


def _cell(staff: Staff, data: Holders, team: str) -> tuple[list[str], list[str]]:
    page = staff.client.get(
        "/admin/reports/completion/members",
        params={"achievement_id": data.achievement_id, "team": team, "period": "none"},
    )
    assert page.status_code == 200, page.text
    html = page.text
    done, todo = html.split('id="todo-title"')

    def names(part: str) -> list[str]:
        return re.findall(r'<li><a href="/admin/members/\d+">([^<]+)</a>', part)

    return names(done), names(todo)


def test_report_drill_down_lists_who_completed_and_who_did_not(staff: Staff, data: Holders) -> None:
    report = staff.client.get(
        "/admin/reports/completion", params={"achievement_id": data.achievement_id}
    )
    assert report.status_code == 200
    drill = (
        f"/admin/reports/completion/members?achievement_id={data.achievement_id}"
        f"&amp;team={data.north_id}&amp;period=none"
    )
    assert f'href="{drill}"' in report.text
    assert _cell(staff, data, str(data.north_id)) == (["Ann", "Bob", "Cid"], ["Eve"])
    # Dee's award was revoked: she has not completed it; Fay is inactive: not eligible.
    assert _cell(staff, data, str(data.south_id)) == ([], ["Dee"])
    assert _cell(staff, data, "none") == (["Ada Lovelace"], ["Grace Hopper"])


def test_report_drill_down_in_a_period(staff: Staff, data: Holders) -> None:
    october = staff.client.get(
        "/admin/reports/completion/members",
        params={
            "achievement_id": data.achievement_id,
            "team": data.north_id,
            "period": "month",
            "date": "2026-10-15",
        },
    )
    assert october.status_code == 200
    done, todo = october.text.split('id="todo-title"')
    assert "Cid" not in done and all(n in todo for n in ("Ann", "Bob", "Cid", "Eve"))


@pytest.mark.parametrize(
    "query",
    ["achievement_id=x&team=none", "achievement_id=1&team=north", "achievement_id=1&period=eon"],
)
def test_report_drill_down_refuses_bad_input(staff: Staff, query: str) -> None:
    page = staff.client.get(f"/admin/reports/completion/members?{query}")
    assert page.status_code == 400 and "completion report" in page.text


def test_holders_page_is_two_queries_whatever_the_number_of_awards(
    staff: Staff, data: Holders
) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        if str(args[2]).lstrip().upper().startswith("SELECT"):
            statements.append(str(args[2]))

    with Session(staff.engine) as session:
        event.listen(staff.engine, "before_cursor_execute", count)
        try:
            holders = list_holders(
                session, data.achievement_id, HolderFilters(), limit=50, offset=0
            )
            names = [h.member_name for h in holders]
            teams = [h.team_name for h in holders]
            total = count_holders(session, data.achievement_id, HolderFilters())
        finally:
            event.remove(staff.engine, "before_cursor_execute", count)
    assert total == 5 and len(names) == 5 and teams.count("North") == 3
    assert len(statements) == 2, statements


def test_describe_changes_names_each_field() -> None:
    before = {"points": 5, "period": "none", "requirements": [[PROFILE_ONCE]], "audience": []}
    after = {
        "points": 7,
        "period": "month",
        "requirements": [[PROFILE_ONCE], [PROFILE_ONCE]],
        "audience": [3],
    }
    assert describe_changes(before, after, {3: "Partners"}) == [
        "Points: 5 → 7",
        "Period: none → month",
        "Audience: everyone → Partners",
        "Rules changed: 1 group of 1 rule → 2 groups of 2 rules",
    ]
    assert describe_changes(before, dict(before), {}) == []
