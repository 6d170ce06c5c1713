"""The audit log page: events in words with links to the member and achievement, the reason
typed, filters by action, actor, member, achievement and dates, bad filters named, older
pages; admins only (as `GET /audit`)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import Engine

from plaudit.audit.service import record_event
from plaudit.award.service import give_award, revoke_award
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import Principal, Role
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site
from tests.web.source_data import AT, UTC_ZONE, big_dealer

LEAD = Principal(name="user:lead", role=Role.manager)


def award_history(engine: Engine, site: Site) -> int:
    """Big dealer (made by system on AT) given to Grace by the lead a day later, with a
    reason, and revoked by the lead two days later, with another reason."""
    achievement_id = big_dealer(engine)
    with unit_of_work(build_sessionmaker(engine)) as session:
        award = give_award(
            session,
            site.other_member_id,
            achievement_id,
            at=None,
            actor=LEAD,
            now=AT + timedelta(days=1),
            zone=UTC_ZONE,
            reason="Closed the Acme deal by phone",
        )
        revoke_award(
            session, award.id, actor=LEAD, now=AT + timedelta(days=2), reason="Deal fell through"
        )
    return achievement_id


def rows(html: str) -> list[str]:
    return re.findall(r"<tr>\s*<td data-label=\"When\".*?</tr>", html, re.S)


def words(row: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row)).strip()


def test_events_in_words_with_links_and_reasons(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    achievement_id = award_history(web_engine, site)
    html = admin_web.get("/admin/audit").text
    shown = rows(html)
    assert [words(r)[:16] for r in shown] == [
        "2026-11-20 09:00",
        "2026-11-19 09:00",
        "2026-11-18 09:00",
        "2026-11-18 09:00",
    ]
    revoke, give, activate, create = shown
    assert "Award revoked Revoked “Big dealer” from Grace Hopper." in words(revoke)
    assert '<q class="audit-reason">Deal fell through</q>' in revoke
    assert f'<a href="/admin/achievements/{achievement_id}">“Big dealer”</a>' in give
    assert f'<a href="/admin/members/{site.other_member_id}">Grace Hopper</a>' in give
    assert '<td data-label="Who">lead <span class="tag">manager</span></td>' in give
    assert '<td data-label="Who">Plaudit itself <span class="tag">admin</span></td>' in create
    assert "Closed the Acme deal by phone" in give
    assert "Achievement activated Activated the achievement “Big dealer”." in words(activate)
    assert "0 awards given for earlier records." in words(activate)
    assert "Achievement created" in words(create) and "No reason given" in words(create)
    assert "{" not in "".join(shown)  # no JSON anywhere


def test_filters(admin_web: TestClient, site: Site, web_engine: Engine) -> None:
    achievement_id = award_history(web_engine, site)
    by_action = admin_web.get("/admin/audit?action=award.give").text
    assert [words(r)[17:] for r in rows(by_action)] == [
        "lead manager Award given Gave “Big dealer” to Grace Hopper. Closed the Acme deal by phone"
    ]
    assert '<option value="award.give" selected>Award given</option>' in by_action
    assert len(rows(admin_web.get("/admin/audit?actor=user:lead").text)) == 2
    assert len(rows(admin_web.get("/admin/audit?actor=system").text)) == 2
    assert '<option value="user:lead">lead</option>' in by_action
    member = admin_web.get(f"/admin/audit?member={site.other_member_id}").text
    assert len(rows(member)) == 2  # the give and the revoke name her in their details
    assert (
        "No event matches these filters"
        in admin_web.get(f"/admin/audit?member={site.member_id}").text
    )
    assert len(rows(admin_web.get(f"/admin/audit?achievement={achievement_id}").text)) == 4
    # Dates are whole days, both ends included.
    one_day = admin_web.get("/admin/audit?from=2026-11-19&to=2026-11-19").text
    assert [words(r)[:10] for r in rows(one_day)] == ["2026-11-19"]
    since = admin_web.get("/admin/audit?from=2026-11-19").text
    assert len(rows(since)) == 2
    until = admin_web.get("/admin/audit?to=2026-11-18").text
    assert len(rows(until)) == 2
    assert 'value="2026-11-18"' in until  # the filter is shown back


def test_bad_filters_are_named(admin_web: TestClient, site: Site, web_engine: Engine) -> None:
    award_history(web_engine, site)
    response = admin_web.get("/admin/audit?from=yesterday&to=2026-11-01&member=abc")
    assert response.status_code == 400
    assert "The “from” date “yesterday” is not a date: use the form 2026-11-18." in response.text
    assert "Choose the member from the list." in response.text
    assert rows(response.text) == []
    backwards = admin_web.get("/admin/audit?from=2026-11-20&to=2026-11-18")
    assert backwards.status_code == 400
    assert "The “from” date (2026-11-20) is after the “to” date (2026-11-18)" in backwards.text


def test_older_pages(admin_web: TestClient, site: Site, web_engine: Engine) -> None:
    actor = Principal(name="user:bulk", role=Role.admin)
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        for i in range(60):
            record_event(
                session,
                actor,
                "notification.update",
                "notification",
                None,
                at=AT + timedelta(minutes=i),
                details={"changed": ["name", "active"]},
            )
    first = admin_web.get("/admin/audit").text
    shown = rows(first)
    assert len(shown) == 50
    assert words(shown[0]).startswith("2026-11-18 09:59")
    assert "Changed: name and active." in words(shown[0])
    older = re.search(r'href="/admin/audit\?before=(\d+)"', first)
    assert older, "no link to older events"
    second = admin_web.get(f"/admin/audit?before={older.group(1)}").text
    assert len(rows(second)) == 10
    assert words(rows(second)[-1]).startswith("2026-11-18 09:00")
    assert "Older →" not in second and "← Newest" in second


def test_only_admins(web: TestClient, site: Site) -> None:
    for username in ("manager", "member"):
        web.cookies.clear()
        sign_in(web, username)
        response = web.get("/admin/audit")
        assert response.status_code == 403, username
        assert 'href="/admin/audit"' not in response.text
