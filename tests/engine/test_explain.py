"""GET /members/{id}/achievements/{achievement_id}/explain: per rule the matching records,
current value and target; the effective window, the audience group by group, the category's
state and the period, for now or for a past instant (`at`)."""

from __future__ import annotations

from typing import Any

from tests.api.test_awards import give, make_achievement, make_member
from tests.conftest import Api
from tests.engine.helpers import (
    DEALS_50K_EUR,
    FIVE_CAMPAIGNS,
    PROFILE_ONCE,
    achievement,
    record,
    seed_sources,
)

# The clock of the tests is Wednesday 2026-11-18 13:00 UTC.


def explain(admin: Api, member: dict[str, Any], ach: dict[str, Any], at: str = "") -> Any:
    query = f"?at={at.replace('+', '%2B')}" if at else ""
    return admin.ok("GET", f"/members/{member['id']}/achievements/{ach['id']}/explain{query}")


def gold_group(admin: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    gold = admin.ok(
        "POST", "/teams", 201, json={"name": "Northwind", "attributes": {"tier": "gold"}}
    )
    group = admin.ok(
        "POST",
        "/groups",
        201,
        json={
            "name": "Gold partners",
            "conditions": [{"attribute": "team.attributes.tier", "op": "eq", "value": "gold"}],
        },
    )
    return gold, group


def test_each_rule_group_and_rule_with_records_current_target_and_met(admin: Api) -> None:
    seed_sources(admin)
    gold, group = gold_group(admin)
    ann = make_member(admin, "Ann", team_id=gold["id"])
    ach = achievement(
        admin,
        "all-rounder",
        [[PROFILE_ONCE, FIVE_CAMPAIGNS], [DEALS_50K_EUR]],
        audience=[group["id"]],
        effective={"from": "2026-11-01", "until": "2026-12-01"},
    )
    record(admin, "company_profile_updated", ann["id"], external_id="p1")
    for n, campaign in enumerate(["c1", "c2", "c2"]):
        record(admin, "campaign_activations", ann["id"], external_id=f"a{n}", campaign_id=campaign)
    record(
        admin, "campaign_activations", ann["id"], at="2026-10-30T12:00:00+00:00", campaign_id="c9"
    )  # before the window: exists, does not count
    record(
        admin, "deals", ann["id"], external_id="d1", status="Approved", currency="EUR", value=20000
    )
    record(
        admin, "deals", ann["id"], external_id="d2", status="Pending", currency="EUR", value=90000
    )

    why = explain(admin, ann, ach)
    assert why["complete"] is False
    assert why["groups_met"] == [False, False]
    rules = [
        (
            r["group"],
            r["rule"],
            r["source"],
            r["aggregate"],
            r["operator"],
            r["current"],
            r["target"],
            r["met"],
            r["matching_records"],
            r["matching_outside_window"],
        )
        for r in why["rules"]
    ]
    assert rules == [
        (0, 0, "company_profile_updated", "count", "at_least", 1, 1, True, 1, 0),
        (0, 1, "campaign_activations", "count_distinct", "at_least", 2, 5, False, 3, 1),
        (1, 0, "deals", "sum", "at_least", 20000, 50000, False, 1, 0),
    ]
    assert why["rules"][0]["records"][0]["external_id"] == "p1"
    assert [r["external_id"] for r in why["rules"][1]["records"]] == ["a0", "a1", "a2"]
    assert all(isinstance(r["id"], int) for r in why["rules"][1]["records"])
    assert [r["external_id"] for r in why["rules"][2]["records"]] == ["d1"]  # Pending filtered
    assert why["rules"][2]["definition"]["where"][0] == {
        "field": "status",
        "op": "eq",
        "value": "Approved",
    }
    assert why["window"] == {
        "from": "2026-11-01T00:00:00+00:00",
        "until": "2026-12-02T00:00:00+00:00",
        "state": "open",
        "open_at": True,
        "open_now": True,
        "counted_from": "2026-11-01T00:00:00+00:00",
        "counted_until": "2026-12-02T00:00:00+00:00",
    }
    assert why["period"] == {
        "period": "none",
        "key": "all",
        "start": None,
        "end": None,
        "current": True,
    }
    assert why["in_audience"] is True
    assert why["audience"]["everyone"] is False
    [checked] = why["audience"]["groups"]
    assert (checked["id"], checked["name"], checked["matched"]) == (
        group["id"],
        "Gold partners",
        True,
    )
    assert checked["conditions"] == [
        {
            "attribute": "team.attributes.tier",
            "op": "eq",
            "value": "gold",
            "actual": "gold",
            "holds": True,
        }
    ]
    assert checked["why"] == "the member meets every condition of the group"
    assert why["reasons"] == ["the requirements are not met yet (see rules)"]
    assert why["category_state"]["can_earn_more"] is True

    # Three more campaigns: the first group is met, the award follows, and explain says so.
    record(admin, "campaign_activations", ann["id"], campaign_id="c3")
    record(admin, "campaign_activations", ann["id"], campaign_id="c4")
    given = record(admin, "campaign_activations", ann["id"], campaign_id="c5")["awards"]
    assert len(given) == 1
    done = explain(admin, ann, ach)
    assert (done["complete"], done["groups_met"]) == (True, [True, False])
    assert [a["id"] for a in done["awards"]] == [given[0]["id"]]
    assert done["category_state"] | {"note": ""} == {
        "category": "award",
        "repeatable": False,
        "awards_this_period": 1,
        "held": True,
        "holder": None,
        "holder_name": None,
        "can_earn_more": False,
        "note": "",
    }
    assert done["reasons"] == []


def test_audience_says_which_groups_matched_and_why_not(admin: Api) -> None:
    seed_sources(admin)
    gold, group = gold_group(admin)
    silver = admin.ok(
        "POST", "/teams", 201, json={"name": "Contoso", "attributes": {"tier": "silver"}}
    )
    bob = make_member(admin, "Bob", team_id=silver["id"])
    cat = make_member(admin, "Cat", role="partner_admin")
    listed = admin.ok(
        "POST",
        "/groups",
        201,
        json={"name": "Hand-picked", "member_ids": [cat["id"]], "team_ids": [gold["id"]]},
    )
    ach = achievement(admin, "gold-only", [[PROFILE_ONCE]], audience=[group["id"], listed["id"]])
    why = explain(admin, bob, ach)
    assert why["in_audience"] is False
    assert [(g["name"], g["matched"]) for g in why["audience"]["groups"]] == [
        ("Gold partners", False),
        ("Hand-picked", False),
    ]
    assert why["audience"]["groups"][0]["conditions"][0]["actual"] == "silver"
    assert why["audience"]["groups"][0]["why"] == (
        "the member is not listed, conditions not met: "
        "team.attributes.tier eq 'gold' (it is 'silver')"
    )
    assert why["audience"]["groups"][1]["why"] == (
        "the member is not listed, their team is not listed, the group has no conditions"
    )
    assert why["reasons"][0] == (
        "the member is outside the achievement's audience (groups: Gold partners, Hand-picked)"
    )
    cat_why = explain(admin, cat, ach)
    assert cat_why["in_audience"] is True
    assert cat_why["audience"]["groups"][1]["member_listed"] is True
    assert cat_why["audience"]["groups"][1]["why"] == "the member is listed in the group"
    everyone = achievement(admin, "for-all", [[PROFILE_ONCE]])
    assert explain(admin, bob, everyone)["audience"] == {
        "everyone": True,
        "in_audience": True,
        "groups": [],
    }


def test_record_held_by_someone_else_this_period(admin: Api) -> None:
    seed_sources(admin)
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    ach = achievement(admin, "first-profile", [[PROFILE_ONCE]], category="record", period="month")
    record(admin, "company_profile_updated", ann["id"])
    assert record(admin, "company_profile_updated", bob["id"])["awards"] == []
    why = explain(admin, bob, ach)
    assert why["complete"] is True  # Bob qualifies...
    assert why["holder"] == ann["id"]  # ...but Ann holds November's record
    state = why["category_state"]
    assert (
        state["category"],
        state["held"],
        state["holder"],
        state["holder_name"],
        state["can_earn_more"],
    ) == ("record", False, ann["id"], "Ann", False)
    assert "held by Ann" in state["note"]
    assert why["reasons"] == ["this period's record is already held by Ann"]
    assert why["period"] == {
        "period": "month",
        "key": "2026-11-01",
        "start": "2026-11-01T00:00:00+00:00",
        "end": "2026-12-01T00:00:00+00:00",
        "current": True,
    }
    # October: nobody held it, and Bob had no record then.
    october = explain(admin, bob, ach, at="2026-10-15T00:00:00+00:00")
    assert october["holder"] is None
    assert october["period"]["start"] == "2026-10-01T00:00:00+00:00"
    assert october["period"]["current"] is False
    assert october["rules"][0]["current"] == 0
    assert october["rules"][0]["matching_outside_window"] == 1
    assert october["category_state"]["can_earn_more"] is True


def test_membership_already_held_and_a_past_period_explained(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin, "Ann")
    rule = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 2}
    ach = achievement(admin, "busy-week", [[rule]], category="membership", period="week")
    record(admin, "calls", ann["id"], at="2026-11-10T09:00:00+00:00", external_id="old")
    for n in range(3):
        record(
            admin, "calls", ann["id"], at=f"2026-11-1{6 + n}T09:00:00+00:00", external_id=f"new-{n}"
        )
    this_week = explain(admin, ann, ach)
    assert this_week["period"]["start"] == "2026-11-16T00:00:00+00:00"
    assert this_week["period"]["end"] == "2026-11-23T00:00:00+00:00"
    assert this_week["rules"][0]["current"] == 3
    assert this_week["rules"][0]["matching_outside_window"] == 1
    assert this_week["window"]["counted_from"] == "2026-11-16T00:00:00+00:00"
    assert this_week["category_state"]["held"] is True
    assert this_week["category_state"]["can_earn_more"] is False
    assert this_week["reasons"] == ["the member already holds this membership for the period"]
    last_week = explain(admin, ann, ach, at="2026-11-12T12:00:00+00:00")
    assert last_week["at"] == "2026-11-12T12:00:00+00:00"
    assert last_week["period"]["start"] == "2026-11-09T00:00:00+00:00"
    assert [r["external_id"] for r in last_week["rules"][0]["records"]] == ["old"]
    assert (last_week["rules"][0]["current"], last_week["rules"][0]["met"]) == (1, False)
    assert last_week["awards"] == []
    assert last_week["category_state"]["held"] is False
    assert last_week["reasons"] == ["the requirements are not met yet (see rules)"]


def test_window_not_open_yet_and_closed(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin, "Ann")
    later = achievement(admin, "december", [[PROFILE_ONCE]], effective={"from": "2026-12-01"})
    record(admin, "company_profile_updated", ann["id"])
    why = explain(admin, ann, later)
    assert (why["window"]["state"], why["window"]["open_at"]) == ("not_open_yet", False)
    assert why["rules"][0]["matching_outside_window"] == 1
    assert why["reasons"][0].startswith("the effective window opens at 2026-12-01T00:00:00")
    past = achievement(
        admin,
        "october",
        [[PROFILE_ONCE]],
        activate=False,
        effective={"from": "2026-10-01", "until": "2026-11-01"},
    )
    closed = explain(admin, ann, past)
    assert closed["window"]["state"] == "closed"
    assert closed["reasons"][:2] == [
        "the achievement is inactive: records are not evaluated for it",
        "the effective window closed at 2026-11-02T00:00:00+00:00: records after it do not count",
    ]
    in_october = explain(admin, ann, past, at="2026-10-20T00:00:00+00:00")
    assert (
        in_october["window"]["state"],
        in_october["window"]["open_at"],
        in_october["window"]["open_now"],
    ) == ("open", True, False)
    until_only = achievement(admin, "until", [[PROFILE_ONCE]], effective={"until": "2027-01-01"})
    assert explain(admin, ann, until_only)["window"]["state"] == "open"
    always = achievement(admin, "always", [[PROFILE_ONCE]])
    assert explain(admin, ann, always)["window"]["state"] == "always"


def test_repeatable_completions_and_manual_only(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin, "Ann")
    rule = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 2}
    ach = achievement(admin, "caller", [[rule]], repeatable=True)
    for _ in range(5):
        record(admin, "calls", ann["id"])
    why = explain(admin, ann, ach)
    assert (why["rules"][0]["times_reached"], why["completions_due"]) == (2, 2)
    assert [a["completion"] for a in why["awards"]] == [1, 2]
    assert why["category_state"]["can_earn_more"] is True
    assert why["category_state"]["note"].startswith("2 completion(s) awarded in this period")
    manual = make_achievement(admin, "eom", "record", "month")
    admin.ok("POST", f"/achievements/{manual['id']}/activate")
    give(admin, ann["id"], manual["id"])
    eom = explain(admin, ann, manual)
    assert eom["rules"] == []
    assert eom["reasons"] == ["the achievement has no requirements: it is only given manually"]
    assert eom["category_state"]["holder"] == ann["id"]
    assert eom["category_state"]["held"] is True


def test_bad_requests_are_problems(admin: Api, tokens: dict[str, str]) -> None:
    seed_sources(admin)
    _, group = gold_group(admin)
    me = {"id": int(tokens["member_id"])}
    other = make_member(admin, "Other")
    ach = achievement(admin, "profile", [[PROFILE_ONCE]])
    hidden = achievement(admin, "hidden", [[PROFILE_ONCE]], audience=[group["id"]])
    base = f"/members/{me['id']}/achievements/{ach['id']}/explain"
    for path, status in [
        (f"{base}?at=2026-11-18T10:00:00", 422),  # no offset
        (f"{base}?at=yesterday", 422),
        (f"{base}?at=9999-12-31T23:59:59%2B00:00", 422),  # its period would end in year 10000
        (f"{base}?at=0001-01-01T00:00:00%2B01:00", 422),  # before year 1 in UTC
        ("/leaderboard?period=week&at=9999-12-31T23:59:59%2B00:00", 422),
        (f"/members/999999/achievements/{ach['id']}/explain", 404),
        (f"/members/{me['id']}/achievements/999999/explain", 404),
        (f"/members/{2**70}/achievements/{ach['id']}/explain", 422),
    ]:
        response = admin.get(path)
        assert response.status_code == status, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    far = admin.post(
        f"/members/{me['id']}/awards",
        json={"achievement_id": ach["id"], "at": "9999-12-31T23:59:59+00:00"},
    )
    assert far.status_code == 422, far.text
    member = admin.as_token(tokens["member"])
    assert member.ok("GET", base)["member_id"] == me["id"]
    assert member.get(f"/members/{other['id']}/achievements/{ach['id']}/explain").status_code == 403
    assert member.get(f"/members/{me['id']}/achievements/{hidden['id']}/explain").status_code == 403
    assert admin.as_token(tokens["ingest"]).get(base).status_code == 403
