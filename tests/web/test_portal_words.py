"""The portal in words a member understands (issue 19, item 7): fields by their labels and
filters kept, progress per rule group, a repeatable achievement toward its next completion,
and tiles that tell the truth about awards given by hand or in a past period."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from plaudit.award.service import give_award
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.domain.labels import default_label
from plaudit.domain.origins import AwardOrigin
from plaudit.kit.roles import Principal, Role
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from plaudit.source.schemas import SourceCreate
from plaudit.source.service import create_source
from plaudit.web.portal_tiles import DASH, span
from plaudit.web.rule_words import ordinal, plural
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site
from tests.web.portal_data import NOW, THREE_DEALS, UTC_ZONE, achievement, deals
from tests.web.test_portal_pages import tile_section, tiles

CALLS = {
    "key": "calls",
    "name": "Calls",
    "fields": [
        {"name": "outcome", "type": "string"},
        {"name": "minutes", "type": "number", "label": "Call length"},
    ],
}
CAMPAIGNS = {
    "key": "campaign_activations",
    "name": "Campaign activations",
    "fields": [
        {"name": "campaign_id", "type": "string", "label": "Campaign"},
        {"name": "region_id", "type": "string"},
    ],
}


def sources(engine: Engine) -> None:
    with unit_of_work(build_sessionmaker(engine)) as session:
        for body in (CALLS, CAMPAIGNS):
            create_source(session, SourceCreate.model_validate(body))


def ingest(engine: Engine, source: str, member_id: int, *datas: dict[str, object]) -> None:
    with unit_of_work(build_sessionmaker(engine)) as session:
        ingest_records(
            session,
            source,
            [RecordIn(member_id=member_id, occurred_at=NOW, data=d) for d in datas],
            now=NOW,
            zone=UTC_ZONE,
        )


def give_as(
    engine: Engine,
    who: str,
    member_id: int,
    achievement_id: int,
    at: datetime | None,
    origin: AwardOrigin = AwardOrigin.manual,
) -> None:
    with unit_of_work(build_sessionmaker(engine)) as session:
        give_award(
            session,
            member_id,
            achievement_id,
            at=at,
            actor=Principal(name=who, role=Role.admin),
            now=NOW,
            zone=UTC_ZONE,
            origin=origin,
        )


def portal(web: TestClient) -> str:
    sign_in(web, "member")
    page = web.get("/portal")
    assert page.status_code == 200
    return page.text


def texts(section: str) -> list[str]:
    """The progress lines of a tile, as read (the tick is hidden from screen readers)."""
    found = re.findall(r'<span class="rule-text">(.*?)</span>\s*</li>', section, re.S)
    return [re.sub(r"<[^>]+>", "", t).replace("✓ ", "").replace("&#39;", "'") for t in found]


def test_labels_default_and_plurals_are_predictable() -> None:
    assert default_label("campaign_id") == "Campaign ID"
    assert default_label("close_date") == "Close date"
    assert default_label("id") == "ID"
    assert default_label("_paid__") == "Paid"
    assert default_label("valid") == "Valid"  # "id" only as a word of its own
    assert [plural(w) for w in ("campaign", "campaign ID", "status", "country", "day")] == [
        "campaigns",
        "campaign IDs",
        "statuses",
        "countries",
        "days",
    ]
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]


def test_spans_of_days() -> None:
    def at(y: int, m: int, d: int) -> datetime:
        return datetime(y, m, d, tzinfo=UTC)

    assert span(at(2026, 11, 9), at(2026, 11, 16), UTC_ZONE, year=False) == f"9{DASH}15 Nov"
    assert span(at(2026, 11, 30), at(2026, 12, 7), UTC_ZONE, year=False) == f"30 Nov{DASH}6 Dec"
    assert (
        span(at(2025, 12, 29), at(2026, 1, 5), UTC_ZONE, year=False)
        == f"29 Dec 2025{DASH}4 Jan 2026"
    )
    assert span(at(2026, 11, 9), at(2026, 11, 16), UTC_ZONE, year=True) == f"9{DASH}15 Nov 2026"
    assert span(at(2026, 11, 9), at(2026, 11, 10), UTC_ZONE, year=False) == "9 Nov"


def test_rules_read_with_labels_and_their_filters(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    sources(web_engine)
    few_won = {
        "source": "calls",
        "where": [{"field": "outcome", "op": "eq", "value": "won"}],
        "aggregate": "count",
        "operator": "at_most",
        "value": 4,
    }
    campaigns = {
        "source": "campaign_activations",
        "aggregate": "count_distinct",
        "field": "campaign_id",
        "operator": "at_least",
        "value": 5,
    }
    regions = {**campaigns, "field": "region_id", "value": 2}
    long_calls = {
        "source": "calls",
        "where": [{"field": "outcome", "op": "in", "value": ["won", "call back"]}],
        "aggregate": "sum",
        "field": "minutes",
        "operator": "at_least",
        "value": 90,
    }
    achievement(
        web_engine,
        key="words",
        name="Words",
        period="week",
        requirements=[[few_won, campaigns, regions, long_calls]],
    )
    ingest(web_engine, "calls", site.member_id, {"outcome": "lost", "minutes": 30})
    ingest(web_engine, "calls", site.member_id, {"outcome": "won", "minutes": 45.5})
    ingest(
        web_engine,
        "campaign_activations",
        site.member_id,
        {"campaign_id": "spring-1", "region_id": "emea"},
        {"campaign_id": "spring-2", "region_id": "emea"},
        {"campaign_id": "spring-2", "region_id": "emea"},
    )
    html = portal(web)
    assert texts(tile_section(html, "words")) == [
        "Calls where outcome is won: 1 of at most 4",
        "Distinct campaigns in Campaign activations: 2 of 5",
        "Distinct region IDs in Campaign activations: 1 of 2",
        "Total call length of Calls where outcome is one of won, call back: 45.50 of 90",
    ]
    assert "campaign_id" not in html and "region_id" not in html and "minutes" not in html
    # "At most" is met so far; the tile says it is decided when the week ends.
    assert '<span class="tile-state">1 of 4 rules met</span>' in html
    assert "<dt>Decided</dt>" in tile_section(html, "words")


def test_an_or_of_groups_is_shown_group_by_group(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    one_deal = {**THREE_DEALS, "value": 1}
    big_deal = {
        "source": "deals",
        "aggregate": "max",
        "field": "value",
        "operator": "at_least",
        "value": 1000,
    }
    profile = {"source": "company_profile_updated", "aggregate": "count", "operator": "at_least"}
    achievement(
        web_engine,
        key="either",
        name="Either way",
        requirements=[[THREE_DEALS, {**profile, "value": 2}], [one_deal, big_deal]],
    )
    deals(web_engine, site.member_id, 10, 20)
    html = portal(web)
    section = tile_section(html, "either")
    assert tiles(html)["either"] == "tile-incomplete"
    headings = re.findall(r'<p class="group-heading">(.*?)</p>', section, re.S)
    assert [re.sub(r"<[^>]+>", "", h) for h in headings] == [
        "Either: 0 of 2 rules met",
        "Or: 1 of 2 rules met",
    ]
    assert texts(section) == [
        "Deals: 2 of 3",
        "Company Profile Updated: 1 of 2",
        "Deals: 2 of 1",
        "Largest value of Deals: 20 of 1,000",
    ]
    assert "of 4 rules met" not in section
    assert '<span class="tile-state">Either of 2 ways</span>' in section


@pytest.mark.parametrize(
    ("count", "line", "state"),
    [
        (17, "Deals: 7 of 10 toward the 2nd", "Complete"),
        (20, "Deals: 0 of 10 toward the 3rd", "Complete"),
        (4, "Deals: 4 of 10", "Not yet complete"),
    ],
)
def test_a_repeatable_achievement_shows_the_way_to_its_next_completion(
    web: TestClient, site: Site, web_engine: Engine, count: int, line: str, state: str
) -> None:
    ten = {**THREE_DEALS, "value": 10}
    achievement(web_engine, key="again", name="Again", repeatable=True, requirements=[[ten]])
    deals(web_engine, site.member_id, *range(1, count + 1))
    html = portal(web)
    section = tile_section(html, "again")
    assert texts(section) == [line]
    assert f'<span class="tile-state">{state}</span>' in section
    assert "17 of 10" not in section and "20 of 10" not in section
    done = count // 10
    assert f"<dt>Completions</dt><dd>{done} time{'s' if done != 1 else ''}</dd>" in section
    if done:  # complete, in colour, and still the bar toward the next one
        assert tiles(html)["again"] == "tile-complete"
        assert 'aria-valuemax="10.0" aria-valuenow="' + f"{count - 10 * done}.0" in section


def test_a_tile_given_by_hand_shows_who_gave_it_and_no_unmet_bar(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    manual = achievement(web_engine, key="by-hand", name="By hand", requirements=[[THREE_DEALS]])
    give_as(web_engine, "user:mary", site.member_id, manual, NOW)
    html = portal(web)
    section = tile_section(html, "by-hand")
    assert tiles(html)["by-hand"] == "tile-complete"
    assert "progressbar" not in section and "0 of 3" not in section
    assert '<p class="tile-detail">Given by mary on 18 Nov 2026</p>' in section
    assert '<span class="tile-state">Complete</span>' in section


def test_a_past_periods_award_is_not_shown_as_current(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    weekly = achievement(
        web_engine, key="weekly", name="Weekly", period="week", requirements=[[THREE_DEALS]]
    )
    monthly = achievement(
        web_engine, key="monthly", name="Monthly", period="month", requirements=[[THREE_DEALS]]
    )
    older = achievement(
        web_engine, key="older", name="Older", period="week", requirements=[[THREE_DEALS]]
    )
    last_week = datetime(2026, 11, 11, 9, 0, tzinfo=UTC)  # the week of Monday 9 November
    give_as(web_engine, "admin", site.member_id, weekly, last_week)
    give_as(web_engine, "admin", site.member_id, monthly, datetime(2026, 10, 20, tzinfo=UTC))
    give_as(web_engine, "admin", site.member_id, older, last_week - timedelta(days=14))
    deals(web_engine, site.member_id, 10)
    html = portal(web)
    for key, earned in (
        ("weekly", f"Earned last week (9{DASH}15 Nov)"),
        ("monthly", "Earned last month (October)"),
        ("older", f"Earned in the week of 26 Oct{DASH}1 Nov 2026"),
    ):
        section = tile_section(html, key)
        assert tiles(html)[key] == "tile-incomplete", key
        assert f'<p class="tile-detail">{earned}</p>' in section, key
        assert "<dt>Awarded</dt>" not in section, key
        # The current period's progress, not last week's.
        assert texts(section) == ["Deals: 1 of 3"], key
