"""The Unifyr seed's rule examples end to end through the API, as the seed words them
(seeds/003_82a978bc3818253d.txt):

- Example 1: "Events / Company Profile Updated / At Least / 1": "Updated Company Profile at
  least once".
- Example 2: "Marketing / Campaigns / Activations / 5": "Carried out activations for 5
  campaigns"; the rule may also name the campaigns that count ("all active campaigns ... are
  listed for selection").
- Example 3: "Deals / Total Value / At Least / 50000": "Total value of deals = 50,000 (you can
  set the currency as applicable)"; deals filtered by Type, Stage, Currency, Status and Close
  Date, with "Status defaults to Approved".
- AND/OR: "Company Profile updated at least once AND Carried out activations for 5 marketing
  campaigns OR Total value of deals = $50,000".
- Effective dates "Between, From, or Until": "The partner user must complete the Achievement
  within the specified dates to receive points", and once expired an uncompleted achievement
  "will no longer display" for the user.

The clock of the tests is Wednesday 2026-11-18 13:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from plaudit.clock import FixedClock
from tests.api.test_awards import make_member
from tests.conftest import Api
from tests.engine.helpers import FIVE_CAMPAIGNS, PROFILE_ONCE, achievement, record, seed_sources

APPROVED = {"field": "status", "op": "eq", "value": "Approved"}


def deals_total(currency: str, value: float = 50000, *extra: dict[str, Any]) -> dict[str, Any]:
    """Deals / Total Value / At Least / value, Status Approved, in one currency."""
    return {
        "source": "deals",
        "where": [APPROVED, {"field": "currency", "op": "eq", "value": currency}, *extra],
        "aggregate": "sum",
        "field": "value",
        "operator": "at_least",
        "value": value,
    }


def deal(admin: Api, member: dict[str, Any], **fields: Any) -> list[dict[str, Any]]:
    base = {"type": "new", "stage": "Closed Won", "status": "Approved", "currency": "USD"}
    awards: list[dict[str, Any]] = record(admin, "deals", member["id"], **(base | fields))["awards"]
    return awards


def portal_item(admin: Api, member: dict[str, Any], key: str) -> dict[str, Any] | None:
    view = admin.ok("GET", f"/members/{member['id']}/achievements")
    return next((i for i in view["achievements"] if i["achievement"]["key"] == key), None)


def test_example_1_company_profile_updated_at_least_once(admin: Api) -> None:
    seed_sources(admin)
    partner = admin.ok("POST", "/teams", 201, json={"name": "Northwind"})
    ann = make_member(admin, "Ann", team_id=partner["id"], role="partner_admin")
    bob = make_member(admin, "Bob", team_id=partner["id"], role="sales_rep")
    # The seed's note: only the partner administrator updates the profile, so the
    # achievement is for partner admins only (an ad hoc group on the user role).
    admins = admin.ok(
        "POST",
        "/groups",
        201,
        json={
            "name": "Partner admins",
            "conditions": [{"attribute": "member.role", "op": "eq", "value": "partner_admin"}],
        },
    )
    ach = achievement(
        admin,
        "company-profile",
        [[PROFILE_ONCE]],
        points=50,
        description="Updated Company Profile at least once",
        audience=[admins["id"]],
    )
    item = portal_item(admin, ann, "company-profile")
    assert item is not None
    assert (item["complete"], [(p["current"], p["target"]) for p in item["progress"]]) == (
        False,
        [(0, 1)],
    )
    first = record(admin, "company_profile_updated", ann["id"])["awards"]
    assert [(a["achievement_id"], a["points"], a["completion"]) for a in first] == [
        (ach["id"], 50, 1)
    ]
    assert record(admin, "company_profile_updated", ann["id"])["awards"] == []  # once in all
    done = portal_item(admin, ann, "company-profile")
    assert done is not None
    assert (done["complete"], done["completions"], done["progress"][0]["current"]) == (
        True,
        1,
        2,
    )
    assert admin.ok("GET", f"/members/{ann['id']}/achievements")["points"] == 50
    # A sales rep's update earns nothing and the achievement is not shown to them.
    assert record(admin, "company_profile_updated", bob["id"])["awards"] == []
    assert portal_item(admin, bob, "company-profile") is None


def test_example_2_activations_for_5_campaigns(admin: Api) -> None:
    seed_sources(admin)
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    achievement(
        admin,
        "five-campaigns",
        [[FIVE_CAMPAIGNS]],
        description="Carried out activations for 5 campaigns",
    )
    for campaign in ["spring", "spring", "summer", "autumn", "autumn", "winter"]:
        assert (
            record(admin, "campaign_activations", ann["id"], campaign_id=campaign)["awards"] == []
        )
    item = portal_item(admin, ann, "five-campaigns")
    assert item is not None
    assert [(p["current"], p["target"]) for p in item["progress"]] == [(4, 5)]
    assert (
        len(record(admin, "campaign_activations", ann["id"], campaign_id="launch")["awards"]) == 1
    )
    # Five activations of one campaign are one campaign.
    for _ in range(5):
        assert (
            record(admin, "campaign_activations", bob["id"], campaign_id="spring")["awards"] == []
        )


def test_example_2_with_the_campaigns_selected(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin, "Ann")
    selected = [f"q4-{n}" for n in range(1, 7)]
    rule = FIVE_CAMPAIGNS | {"where": [{"field": "campaign_id", "op": "in", "value": selected}]}
    achievement(admin, "q4-campaigns", [[rule]])
    for campaign in ["q3-1", "q3-2", "q4-1", "q4-2", "q4-3", "q4-4"]:
        assert (
            record(admin, "campaign_activations", ann["id"], campaign_id=campaign)["awards"] == []
        )
    assert len(record(admin, "campaign_activations", ann["id"], campaign_id="q4-6")["awards"]) == 1


def test_example_3_total_value_of_deals_50000_in_a_currency(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin, "Ann")
    achievement(
        admin,
        "deals-50k-usd",
        [[deals_total("USD")]],
        points=250,
        description="Total value of deals = 50,000",
    )
    assert deal(admin, ann, external_id="d1", value=20000) == []
    assert deal(admin, ann, external_id="d2", value=25000, currency="EUR") == []  # other currency
    assert deal(admin, ann, external_id="d3", value=30000, status="Pending") == []  # not approved
    item = portal_item(admin, ann, "deals-50k-usd")
    assert item is not None
    assert [(p["current"], p["target"]) for p in item["progress"]] == [(20000, 50000)]
    # The pending deal is approved: 20,000 + 30,000 is exactly 50,000, which is "at least".
    given = deal(admin, ann, external_id="d3", value=30000)
    assert [(a["points"], a["source"]) for a in given] == [(250, "rule")]


def test_example_3_with_type_stage_and_close_date(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin, "Ann")
    rule = deals_total(
        "EUR",
        50000,
        {"field": "type", "op": "eq", "value": "new"},
        {"field": "stage", "op": "eq", "value": "Closed Won"},
        {"field": "close_date", "op": "gte", "value": "2026-10-01"},
        {"field": "close_date", "op": "lt", "value": "2027-01-01"},
    )
    achievement(admin, "q4-new-business", [[rule]])
    assert deal(admin, ann, currency="EUR", value=40000, close_date="2026-09-30") == []  # Q3
    assert (
        deal(admin, ann, currency="EUR", value=40000, close_date="2026-10-15", type="renewal") == []
    )
    assert (
        deal(admin, ann, currency="EUR", value=40000, close_date="2026-10-15", stage="Negotiation")
        == []
    )
    assert deal(admin, ann, currency="EUR", value=40000, close_date="2026-10-15") == []
    assert len(deal(admin, ann, currency="EUR", value=10000, close_date="2026-12-31")) == 1


def test_and_or_example_as_the_seed_words_it(admin: Api) -> None:
    """(Company Profile updated at least once AND activations for 5 marketing campaigns)
    OR total value of deals = $50,000."""
    seed_sources(admin)
    ann, bob, cat, dan = (make_member(admin, n) for n in ("Ann", "Bob", "Cat", "Dan"))
    ach = achievement(admin, "partner-star", [[PROFILE_ONCE, FIVE_CAMPAIGNS], [deals_total("USD")]])
    # Ann: the profile alone is half of the first group.
    assert record(admin, "company_profile_updated", ann["id"])["awards"] == []
    # Cat: five campaigns without the profile is the other half.
    for c in range(5):
        assert record(admin, "campaign_activations", cat["id"], campaign_id=f"c{c}")["awards"] == []
    why = admin.ok("GET", f"/members/{cat['id']}/achievements/{ach['id']}/explain")
    assert why["groups_met"] == [False, False]
    assert [r["met"] for r in why["rules"]] == [False, True, False]
    # Ann completes the first group: AND.
    for c in range(4):
        record(admin, "campaign_activations", ann["id"], campaign_id=f"c{c}")
    assert len(record(admin, "campaign_activations", ann["id"], campaign_id="c9")["awards"]) == 1
    # Bob: the second group alone: OR.
    assert len(deal(admin, bob, value=50000)) == 1
    # Dan: 50,000 in euros is not $50,000.
    assert deal(admin, dan, value=50000, currency="EUR") == []
    awarded = {a["member_id"] for a in admin.ok("GET", f"/awards?achievement_id={ach['id']}")}
    assert awarded == {ann["id"], bob["id"]}


@pytest.mark.parametrize(
    ("effective", "outside", "inside"),
    [
        pytest.param(
            {"from": "2026-11-01", "until": "2026-11-30"},
            ["2026-10-31T23:59:59+00:00", "2026-12-01T00:00:00+00:00"],
            ["2026-11-01T00:00:00+00:00", "2026-11-30T23:59:59+00:00"],
            id="between",
        ),
        pytest.param(
            {"from": "2026-11-10"},
            ["2026-11-09T23:59:59+00:00"],
            ["2026-11-10T00:00:00+00:00", "2026-11-18T12:00:00+00:00"],
            id="from",
        ),
        pytest.param(
            {"until": "2026-11-15"},
            ["2026-11-16T00:00:00+00:00", "2026-11-18T12:00:00+00:00"],
            ["2026-01-01T00:00:00+00:00", "2026-11-15T23:59:59+00:00"],
            id="until",
        ),
    ],
)
def test_effective_dates_between_from_until(
    admin: Api,
    clock: FixedClock,
    effective: dict[str, str],
    outside: list[str],
    inside: list[str],
) -> None:
    """Only records inside the window count; the dates are days in the organisation's zone,
    `until` included."""
    seed_sources(admin)
    clock.now = datetime(2026, 12, 15, tzinfo=UTC)  # every record below is in the past
    ach = achievement(admin, "in-window", [[PROFILE_ONCE]], effective=effective)
    for n, at in enumerate(outside):
        member = make_member(admin, f"Outside {n}")
        assert record(admin, "company_profile_updated", member["id"], at=at)["awards"] == []
        why = admin.ok("GET", f"/members/{member['id']}/achievements/{ach['id']}/explain")
        assert why["rules"][0]["matching_outside_window"] == 1
    for n, at in enumerate(inside):
        member = make_member(admin, f"Inside {n}")
        given = record(admin, "company_profile_updated", member["id"], at=at)["awards"]
        assert [a["achievement_id"] for a in given] == [ach["id"]], at


def test_after_the_window_only_completers_see_it_and_late_records_count_where_they_belong(
    admin: Api, clock: FixedClock
) -> None:
    seed_sources(admin)
    ann, bob, cat = (make_member(admin, n) for n in ("Ann", "Bob", "Cat"))
    achievement(admin, "november", [[PROFILE_ONCE]], effective={"until": "2026-11-20"})
    assert len(record(admin, "company_profile_updated", ann["id"])["awards"]) == 1
    assert portal_item(admin, bob, "november") is not None  # open: shown to everyone
    clock.now = datetime(2026, 11, 22, tzinfo=UTC)  # the window has closed
    after = "2026-11-21T10:00:00+00:00"
    assert record(admin, "company_profile_updated", bob["id"], at=after)["awards"] == []
    assert portal_item(admin, bob, "november") is None  # not completed: no longer shown
    kept = portal_item(admin, ann, "november")
    assert kept is not None
    assert kept["complete"] is True  # completed: stays in Ann's history
    # Cat's update of 19 November arrives late: it happened inside the window, so it counts.
    late = record(admin, "company_profile_updated", cat["id"], at="2026-11-19T10:00:00+00:00")
    assert len(late["awards"]) == 1
