"""The explain page ("Why not yet?") through an in-process client: rules with current and
target values and the records they counted, the audience group by group, the window, the
period and the category's limits, in words and with people by name; who may open it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import Engine

from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site
from tests.web.portal_data import THREE_DEALS, achievement, deals, give, member
from tests.web.screens_data import make_group

EXPLAIN = "/members/{member}/achievements/{achievement}/explain"
TAGS = re.compile(r"<[^>]+>")


def words(html: str) -> str:
    """The page's text, tags dropped and spaces collapsed, to read sentences across tags."""
    return " ".join(TAGS.sub(" ", html).split())


def url(member_id: int, achievement_id: int, query: str = "") -> str:
    return EXPLAIN.format(member=member_id, achievement=achievement_id) + query


def test_staff_read_each_rule_its_records_and_what_is_still_needed(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    big_deal = {
        "source": "deals",
        "aggregate": "sum",
        "field": "value",
        "where": [{"field": "status", "op": "eq", "value": "Won"}],
        "operator": "at_least",
        "value": 5000,
    }
    closer = achievement(
        web_engine,
        key="deal-closer",
        name="Deal closer",
        period="month",
        requirements=[[THREE_DEALS], [big_deal]],
    )
    deals(web_engine, site.member_id, 1000, 1500)
    deals(web_engine, site.member_id, 99, at=datetime(2026, 10, 30, 9, 0, tzinfo=UTC))
    page = admin_web.get(url(site.member_id, closer))
    assert page.status_code == 200, page.text
    text = words(page.text)
    assert "Deal closer: Ada Lovelace" in text
    assert "Ada Lovelace has not earned it for the month 2026-11-01 to 2026-11-30 yet." in text
    # OR between groups, AND within; each rule with its target, current value and gap.
    assert "Meeting any one group earns it (OR)" in text
    assert "Number of Deals records: at least 3" in text
    assert "Now: 2 · not met · still needed: 1 more record" in text
    assert "Total value of Deals records where status is Won: at least 5,000" in text
    assert "Now: 2,500 · not met · still needed: 2,500 more" in text
    # The records counted, with their data under the fields' names; October's apart.
    assert "2 matching records counted; 1 more outside the period or the window" in text
    assert "2026-11-18 13:00 Status: Won Value: 1,000" in text
    assert "Value: 99" not in text
    # What is still needed: the closest group's missing rules.
    needed = words(page.text.split('id="still-needed"')[1].split("</ul>")[0])
    assert "Group 1, the closest: Number of Deals records: 1 more record." in needed
    assert "Everyone: it has no audience groups." in text
    assert "Always open: it has no start or end date." in text
    assert "The month 2026-11-01 to 2026-11-30 (the current period)." in text
    assert "Earned once per period: Ada Lovelace has not earned it" in text
    # The period before: only October's deal counts there.
    assert f'href="{url(site.member_id, closer)}?at=2026-10-31"' in page.text
    october = words(admin_web.get(url(site.member_id, closer, "?at=2026-10-31")).text)
    assert "Now: 1 · not met · still needed: 2 more records" in october
    assert "Value: 99" in october and "Next period" in october


def test_a_met_rule_and_an_earned_achievement(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    profile = achievement(web_engine)  # Ada updated her profile: awarded on activation
    text = words(admin_web.get(url(site.member_id, profile)).text)
    assert "Ada Lovelace has earned it." in text
    assert "Now: 1 · met" in text and "Met" in text
    assert "Nothing: the requirements are met." in text
    assert "by its rules" in text


def test_audience_window_and_record_holder_in_words(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    group = make_group(
        web_engine,
        name="Gold teams",
        conditions=[{"attribute": "team.name", "op": "eq", "value": "Gold"}],
    )
    record = achievement(
        web_engine,
        key="top-seller",
        name="Top seller",
        category="record",
        period="month",
        audience=[group],
        effective={"from": "2026-12-01T00:00:00+00:00"},
        requirements=[[THREE_DEALS]],
    )
    text = words(admin_web.get(url(site.member_id, record)).text)
    assert "Ada Lovelace is not in its audience." in text
    assert "Gold teams : Ada Lovelace is not listed in it." in text
    assert "Team name is Gold (no: for Ada Lovelace it is not set)" in text
    assert "Not yet open: it can be earned" not in text
    assert "Not open yet: it can be earned from 2026-12-01 to no end date." in text
    assert "Ada Lovelace is not in its audience: nobody outside it earns it." in text

    hand = achievement(
        web_engine, key="top-hand", name="Top by hand", category="record", requirements=[]
    )
    give(web_engine, site.other_member_id, hand)
    text = words(admin_web.get(url(site.member_id, hand)).text)
    assert "Grace Hopper holds it for all time, so nobody else can earn it" in text
    assert "Grace Hopper holds the record for all time: nobody else can earn it then." in text
    assert "It has no requirements: it is only given by hand." in text
    assert not re.search(r"member \d", text), "people are named, never numbered"


def test_members_see_only_their_own_and_only_what_is_shown_to_them(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    closer = achievement(web_engine, key="closer", name="Closer", requirements=[[THREE_DEALS]])
    group = make_group(web_engine, name="Others", member_ids=[site.other_member_id])
    hidden = achievement(web_engine, key="hidden", name="Hidden", audience=[group])
    sign_in(web, "member")
    own = web.get(url(site.member_id, closer))
    assert own.status_code == 200
    assert "Closer: your progress" in own.text
    assert web.get(url(site.other_member_id, closer)).status_code == 403
    assert web.get(url(site.member_id, hidden)).status_code == 403
    # The portal links each tile to it.
    portal = web.get("/portal").text
    assert f'href="{url(site.member_id, closer)}">Why not yet?' in portal


def test_staff_links_and_bad_requests(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    profile = achievement(web_engine)
    closer = achievement(web_engine, key="closer", name="Closer", requirements=[[THREE_DEALS]])
    detail = admin_web.get(f"/admin/members/{site.member_id}").text
    assert f'href="{url(site.member_id, closer)}">Explain' in detail
    assert f'href="{url(site.member_id, profile)}">Explain' in detail
    portal = admin_web.get(f"/portal?member_id={site.member_id}").text
    assert f'href="{url(site.member_id, profile)}">How is this counted?' in portal
    bad = admin_web.get(url(site.member_id, closer, "?at=next-week"))
    assert bad.status_code == 400
    assert "expected a date such as 2026-11-18" in bad.text
    assert admin_web.get(url(site.member_id, 9999)).status_code == 404
    assert admin_web.get(url(9999, closer)).status_code == 404
    stranger = member(web_engine, "Ken Adams")
    assert "Ken Adams has not earned it" in words(admin_web.get(url(stranger, closer)).text)
