"""Record triggers: a new or updated record passing the filters fires for its member; giving an
achievement goes through the category limits, and a refusal is recorded, not an error."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.notifications.helpers import achievement, firings, give, notify, send, setup

APPROVED = [{"field": "status", "op": "eq", "value": "approved"}]


def record_trigger(events: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    trigger: dict[str, Any] = {"type": "record", "source": "deals", "where": APPROVED, **extra}
    if events is not None:
        trigger["events"] = events
    return trigger


def test_a_matching_record_gives_the_achievement(admin: Api) -> None:
    ids = setup(admin)
    created = notify(admin, record_trigger(), give(ids["kudos"]))
    assert send(admin, "deals", ids["ann"], status="pending", value=5)["awards"] == []
    result = send(admin, "deals", ids["ann"], status="approved", value=5)
    [award] = result["awards"]
    assert award["source"] == "notification"
    assert award["notification_id"] == created["id"]
    assert award["given_by"] == f"notification:{created['id']}"
    assert (award["member_id"], award["achievement_id"]) == (ids["ann"], ids["kudos"])
    assert award["period_start"] == "2026-11-16T00:00:00+00:00"  # the record's week
    assert admin.ok("GET", f"/awards?source=notification&member_id={ids['ann']}") == [award]
    [firing] = firings(admin, created["id"])
    assert firing["outcome"] == "awarded"
    assert (firing["award_id"], firing["member_id"], firing["period"]) == (
        award["id"],
        ids["ann"],
        None,
    )
    assert firing["source"] == "deals"
    # an award-category achievement is given for every matching record
    assert len(send(admin, "deals", ids["ann"], status="approved", value=1)["awards"]) == 1


def test_events_choose_created_or_updated(admin: Api) -> None:
    ids = setup(admin)
    on_update = notify(admin, record_trigger(["updated"]), give(ids["kudos"]))
    assert (
        send(admin, "deals", ids["ann"], external_id="d1", status="approved", value=1)["awards"]
        == []
    )
    assert (
        send(admin, "deals", ids["ann"], external_id="d2", status="pending", value=1)["awards"]
        == []
    )
    unchanged = send(admin, "deals", ids["ann"], external_id="d2", status="pending", value=1)
    assert unchanged["unchanged"] == 1
    moved = send(admin, "deals", ids["ann"], external_id="d2", status="approved", value=1)
    assert moved["updated"] == 1
    assert len(moved["awards"]) == 1
    assert len(firings(admin, on_update["id"])) == 1
    again = send(admin, "deals", ids["ann"], external_id="d2", status="approved", value=1)
    assert again["awards"] == []  # the same data again is no update


def test_a_batch_fires_once_per_matching_record(admin: Api) -> None:
    ids = setup(admin)
    created = notify(admin, record_trigger(), give(ids["kudos"]))
    records = [
        {
            "member_id": member,
            "occurred_at": "2026-11-18T10:00:00+00:00",
            "data": {"status": status, "value": 1},
        }
        for member, status in [
            (ids["ann"], "approved"),
            (ids["bob"], "approved"),
            (ids["bob"], "lost"),
            (ids["ann"], "approved"),
        ]
    ]
    result = admin.ok("POST", "/sources/deals/records", json={"records": records})
    assert sorted(a["member_id"] for a in result["awards"]) == sorted(
        [ids["ann"], ids["ann"], ids["bob"]]
    )
    assert len(firings(admin, created["id"])) == 3


def test_a_category_refusal_is_recorded_and_the_records_still_go_in(admin: Api) -> None:
    ids = setup(admin)
    club = achievement(admin, "club", "membership", "month")
    star = achievement(admin, "star", "record", "month")
    to_club = notify(admin, record_trigger(), give(club), name="club")
    to_star = notify(admin, record_trigger(), give(star), name="star")
    first = send(admin, "deals", ids["ann"], status="approved", value=1)
    assert sorted(a["achievement_id"] for a in first["awards"]) == sorted([club, star])
    second = send(admin, "deals", ids["ann"], status="approved", value=2)
    assert second["created"] == 1 and second["awards"] == []
    by_bob = send(admin, "deals", ids["bob"], status="approved", value=3)
    assert [a["achievement_id"] for a in by_bob["awards"]] == [club]  # one record holder
    club_firings = firings(admin, to_club["id"])
    assert [f["outcome"] for f in club_firings] == ["awarded", "refused", "awarded"]
    assert club_firings[1]["code"] == "membership_limit"
    assert "already holds it" in club_firings[1]["detail"]
    star_firings = firings(admin, to_star["id"])
    assert [(f["outcome"], f["code"]) for f in star_firings] == [
        ("awarded", None),
        ("refused", "record_limit"),
        ("refused", "record_limit"),
    ]
    assert len(admin.ok("GET", f"/awards?achievement_id={star}")) == 1


def test_a_member_outside_the_audience_is_refused(admin: Api) -> None:
    ids = setup(admin)
    team = admin.ok("POST", "/teams", 201, json={"name": "Sales"})
    group = admin.ok("POST", "/groups", 201, json={"name": "Sales", "team_ids": [team["id"]]})
    only_sales = admin.ok(
        "POST",
        "/achievements",
        201,
        json={
            "key": "sales-only",
            "name": "Sales only",
            "category": "award",
            "audience": [group["id"]],
        },
    )
    created = notify(admin, record_trigger(), give(only_sales["id"]))
    assert send(admin, "deals", ids["ann"], status="approved", value=1)["awards"] == []
    [firing] = firings(admin, created["id"])
    assert (firing["outcome"], firing["code"]) == ("refused", "not_in_audience")


def test_each_notification_reads_only_its_source(admin: Api) -> None:
    ids = setup(admin)
    created = notify(admin, {"type": "record", "source": "calls"}, give(ids["kudos"]))
    assert send(admin, "deals", ids["ann"], status="approved", value=1)["awards"] == []
    assert len(send(admin, "calls", ids["ann"], minutes=3)["awards"]) == 1
    assert len(firings(admin, created["id"])) == 1
