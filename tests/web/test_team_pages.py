"""The admin team pages: the list with member counts, and a team's summary (last month's
activity with the "achievements only" filter, recent and all achievements, its members)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from plaudit.award.service import give_award
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from plaudit.team.schemas import TeamCreate
from plaudit.team.service import create_team
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site
from tests.web.test_member_pages import NOW, UTC_ZONE, People, make_people


@pytest.fixture
def people(site: Site, web_engine: Engine) -> People:
    """Team Blue (Ada, Grace) where Grace holds "Star closer"; Ada has a profile record."""
    made = make_people(web_engine, site)
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        create_team(session, TeamCreate(name="Empty team"))
        give_award(session, made.grace, made.star, at=None, actor=SYSTEM, now=NOW, zone=UTC_ZONE)
    return made


def test_team_list_counts_members(admin_web: TestClient, people: People) -> None:
    html = admin_web.get("/admin/teams").text
    assert "<caption" in html and 'scope="col"' in html
    assert f'href="/admin/teams/{people.team_id}">Blue</a>' in html and "T-BLUE" in html
    blue = html.split(">Blue</a>")[1].split("</tr>")[0]
    assert f'href="/admin/members?team={people.team_id}">2</a>' in blue
    empty = html.split(">Empty team</a>")[1].split("</tr>")[0]
    assert ">0</a>" in empty


def test_team_summary(admin_web: TestClient, people: People) -> None:
    html = admin_web.get(f"/admin/teams/{people.team_id}").text
    assert "<h1>Blue</h1>" in html
    activity = html.split("Last month's activity")[1].split("Recent achievements")[0]
    assert "activity-award" in activity and "activity-record" in activity
    assert activity.index("activity-award") < activity.index("activity-record")  # newest first
    recent = html.split('id="recent-title"')[1].split('id="all-title"')[0]
    assert "Star closer" in recent and "Grace Hopper" in recent
    everything = html.split('id="all-title"')[1].split('id="members-title"')[0]
    assert "Star closer" in everything and 'data-label="Awards" class="num">1<' in everything
    members = html.split('id="members-title"')[1]
    assert "Members (2)" in members
    assert f'href="/admin/members/{people.ada}">Ada Lovelace</a>' in members


def test_achievements_only_filter(admin_web: TestClient, people: People) -> None:
    html = admin_web.get(f"/admin/teams/{people.team_id}", params={"kind": "awards"}).text
    activity = html.split("Last month's activity")[1].split("Recent achievements")[0]
    assert 'aria-current="page">Achievements only' in activity
    assert "activity-award" in activity and "activity-record" not in activity
    records = admin_web.get(f"/admin/teams/{people.team_id}?kind=records").text
    activity = records.split("Last month's activity")[1].split("Recent achievements")[0]
    assert "activity-award" not in activity and "activity-record" in activity
    junk = admin_web.get(f"/admin/teams/{people.team_id}?kind=<script>")
    assert junk.status_code == 200 and 'aria-current="page">All activity' in junk.text


def test_empty_team_and_junk_ids(admin_web: TestClient, people: People) -> None:
    html = admin_web.get("/admin/teams").text
    empty_id = html.split(">Empty team</a>")[0].rsplit("/admin/teams/", 1)[1].split('"')[0]
    page = admin_web.get(f"/admin/teams/{empty_id}")
    assert page.status_code == 200 and "Nothing in the last month." in page.text
    assert admin_web.get("/admin/teams/abc").status_code == 404
    assert admin_web.get(f"/admin/teams/{empty_id}.0").status_code == 404  # not the team itself
    assert admin_web.get("/admin/teams/99999").status_code == 404


def test_manager_sees_teams_and_member_is_refused(web: TestClient, people: People) -> None:
    sign_in(web, "manager")
    assert web.get(f"/admin/teams/{people.team_id}").status_code == 200
    web.cookies.clear()
    sign_in(web, "member")
    response = web.get("/admin/teams")
    assert response.status_code == 403 and "this page is for other roles" in response.text


def add_deals(engine: Engine, member_id: int, count: int) -> None:
    """`count` deals a minute apart before NOW, the newest worth 1,200 and won."""
    with unit_of_work(build_sessionmaker(engine)) as session:
        ingest_records(
            session,
            "deals",
            [
                RecordIn(
                    member_id=member_id,
                    occurred_at=NOW - timedelta(minutes=1 + n),
                    external_id=f"D-{n}",
                    data={"value": 1200 + n, "status": "won", "approved": n % 2 == 0},
                )
                for n in range(count)
            ],
            now=NOW,
            zone=UTC_ZONE,
        )


def activity_of(html: str) -> str:
    return html.split("Last month's activity")[1].split("Recent achievements")[0]


def test_a_record_shows_its_source_and_data_in_words(
    admin_web: TestClient, people: People, web_engine: Engine
) -> None:
    add_deals(web_engine, people.grace, 1)
    activity = activity_of(admin_web.get(f"/admin/teams/{people.team_id}").text)
    # Fields in the source's order (status, currency, value, close_date, approved).
    assert (
        '<strong class="record-source">Deals</strong>: '
        '<span class="record-data">status won, value 1,200, approved yes</span> '
        '<span class="muted">(D-0)</span>'
    ) in activity
    # A record without data shows its source alone.
    assert '<strong class="record-source">Company Profile Updated</strong></span>' in activity


def test_the_activity_comes_a_page_at_a_time(
    admin_web: TestClient, people: People, web_engine: Engine
) -> None:
    add_deals(web_engine, people.grace, 25)  # with the award and Ada's profile record: 27
    base = f"/admin/teams/{people.team_id}"
    first = activity_of(admin_web.get(base).text)
    assert first.count("<li class=") == 20
    # The award and Ada's record (both at NOW) come first, then the deals newest first.
    assert "D-0)" in first and "D-17)" in first and "D-18)" not in first
    assert 'rel="next" href="/admin/teams/' in first and 'rel="prev"' not in first
    second = activity_of(admin_web.get(base, params={"page": "2"}).text)
    assert second.count("<li class=") == 7 and "D-18)" in second and "D-24)" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second and "Page 2" in second
    # The filter is kept across pages; past the end says so; junk is page 1.
    records = activity_of(admin_web.get(base, params={"kind": "records", "page": "2"}).text)
    assert records.count("<li class=") == 6 and "activity-award" not in records
    assert "?kind=records&amp;page=1" in records
    beyond = activity_of(admin_web.get(base, params={"page": "9"}).text)
    assert "No more activity." in beyond
    assert activity_of(admin_web.get(base, params={"page": "x"}).text).count("<li class=") == 20
