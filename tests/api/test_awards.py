"""Manual awards: periods, category limits, revoking, the active flag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from plaudit.clock import FixedClock
from tests.conftest import Api


def make_member(admin: Api, name: str = "Ann", **extra: Any) -> dict[str, Any]:
    return admin.ok("POST", "/members", 201, json={"name": name, **extra})


def make_achievement(
    admin: Api, key: str, category: str, period: str = "none", **extra: Any
) -> dict[str, Any]:
    body = {
        "key": key,
        "name": key.title(),
        "category": category,
        "period": period,
        "points": 10,
        **extra,
    }
    return admin.ok("POST", "/achievements", 201, json=body)


def give(admin: Api, member_id: int, achievement_id: int, at: str | None = None) -> Any:
    body: dict[str, Any] = {"achievement_id": achievement_id}
    if at:
        body["at"] = at
    return admin.post(f"/members/{member_id}/awards", json=body)


def test_weekly_award_given_on_wednesday_lasts_until_sunday(admin: Api, clock: FixedClock) -> None:
    member = make_member(admin)
    weekly = make_achievement(admin, "big-sale", "award", "week")
    response = give(admin, member["id"], weekly["id"])
    assert response.status_code == 201, response.text
    award = response.json()
    assert award["period_start"] == "2026-11-16T00:00:00+00:00"  # Monday
    assert award["period_end"] == "2026-11-23T00:00:00+00:00"  # next Monday
    assert award["points"] == 10
    assert award["source"] == "manual"
    assert award["achievement_version"] == 1

    clock.now = datetime(2026, 11, 22, 23, 59, tzinfo=UTC)  # Sunday night
    assert admin.ok("GET", f"/awards/{award['id']}")["active"] is True
    assert [a["id"] for a in admin.ok("GET", "/awards?active=true")] == [award["id"]]
    clock.now = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Monday: gone
    assert admin.ok("GET", f"/awards/{award['id']}")["active"] is False
    assert admin.ok("GET", "/awards?active=true") == []
    assert [a["id"] for a in admin.ok("GET", "/awards?active=false")] == [award["id"]]


def test_award_category_can_be_given_any_number_of_times(admin: Api) -> None:
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    kudos = make_achievement(admin, "kudos", "award", "month")
    for member in (ann, ann, ann, bob):
        assert give(admin, member["id"], kudos["id"]).status_code == 201
    assert len(admin.ok("GET", f"/awards?member_id={ann['id']}")) == 3


def test_membership_once_per_member_per_period(admin: Api) -> None:
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    club = make_achievement(admin, "top-club", "membership", "month")
    assert give(admin, ann["id"], club["id"]).status_code == 201
    second = give(admin, ann["id"], club["id"])
    assert second.status_code == 409
    assert second.headers["content-type"].startswith("application/problem+json")
    assert "membership" in second.json()["detail"]
    assert give(admin, bob["id"], club["id"]).status_code == 201  # another member may hold it
    # Next month is a new period.
    assert give(admin, ann["id"], club["id"], "2026-12-02T10:00:00+00:00").status_code == 201


def test_record_one_holder_per_period(admin: Api) -> None:
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    eom = make_achievement(admin, "employee-of-the-month", "record", "month")
    assert give(admin, ann["id"], eom["id"]).status_code == 201
    for member in (ann, bob):
        refused = give(admin, member["id"], eom["id"])
        assert refused.status_code == 409
        assert "Ann already holds it" in refused.json()["detail"]
    assert give(admin, bob["id"], eom["id"], "2026-10-15T12:00:00+00:00").status_code == 201


def test_revoking_frees_the_slot_and_keeps_the_record(admin: Api) -> None:
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    eom = make_achievement(admin, "eom", "record", "month")
    award = give(admin, ann["id"], eom["id"]).json()
    revoked = admin.ok("DELETE", f"/awards/{award['id']}?reason=given%20by%20mistake")
    assert revoked["revoked"] is True
    assert revoked["active"] is False
    assert revoked["revoke_reason"] == "given by mistake"
    assert give(admin, bob["id"], eom["id"]).status_code == 201
    all_awards = admin.ok("GET", f"/awards?achievement_id={eom['id']}")
    assert [(a["member_id"], a["revoked"]) for a in all_awards] == [
        (ann["id"], True),
        (bob["id"], False),
    ]
    events = admin.ok("GET", "/audit?action=award.revoke")
    assert events[0]["reason"] == "given by mistake"
    assert events[0]["entity_id"] == award["id"]


def test_points_are_copied_when_given(admin: Api) -> None:
    ann = make_member(admin)
    kudos = make_achievement(admin, "kudos", "award")
    first = give(admin, ann["id"], kudos["id"]).json()
    admin.ok("PATCH", f"/achievements/{kudos['id']}", json={"points": 99})
    second = give(admin, ann["id"], kudos["id"]).json()
    assert (first["points"], first["achievement_version"]) == (10, 1)
    assert (second["points"], second["achievement_version"]) == (99, 2)
    assert admin.ok("GET", f"/awards/{first['id']}")["points"] == 10
    assert first["period_end"] is None


def test_period_uses_the_organisation_zone(admin: Api, client: Any) -> None:
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"timezone": "Australia/Sydney"}
    )
    ann = make_member(admin)
    daily = make_achievement(admin, "daily", "membership", "day")
    # 14:30 UTC on the 18th is already the 19th in Sydney (UTC+11 in November).
    award = give(admin, ann["id"], daily["id"], "2026-11-18T14:30:00+00:00").json()
    assert award["period"] == "2026-11-19"
    start = datetime.fromisoformat(award["period_start"])
    assert start == datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
    assert datetime.fromisoformat(award["period_end"]) - start == timedelta(days=1)


def test_give_refuses_unknown_ids_inactive_members_and_outside_audience(admin: Api) -> None:
    ann = make_member(admin)
    kudos = make_achievement(admin, "kudos", "award")
    assert give(admin, 999, kudos["id"]).status_code == 404
    assert give(admin, ann["id"], 999).status_code == 404
    team = admin.ok("POST", "/teams", 201, json={"name": "Partners"})
    group = admin.ok("POST", "/groups", 201, json={"name": "P", "team_ids": [team["id"]]})
    vip = make_achievement(admin, "vip", "award", audience=[group["id"]])
    outside = give(admin, ann["id"], vip["id"])
    assert outside.status_code == 409
    assert outside.json()["code"] == "not_in_audience"
    admin.ok("PATCH", f"/members/{ann['id']}", json={"team_id": team["id"]})
    assert give(admin, ann["id"], vip["id"]).status_code == 201
    admin.ok("PATCH", f"/members/{ann['id']}", json={"active": False})
    assert give(admin, ann["id"], kudos["id"]).json()["code"] == "member_inactive"


def test_nothing_is_given_outside_the_effective_window(admin: Api) -> None:
    ann = make_member(admin)
    promo = make_achievement(
        admin, "promo", "award", effective={"from": "2026-11-01", "until": "2026-11-30"}
    )
    assert promo["effective"] == {
        "from": "2026-11-01T00:00:00+00:00",
        "until": "2026-12-01T00:00:00+00:00",
    }
    assert give(admin, ann["id"], promo["id"], "2026-11-30T23:59:00+00:00").status_code == 201
    late = give(admin, ann["id"], promo["id"], "2026-12-01T00:00:00+00:00")
    assert late.status_code == 409
    assert late.json()["code"] == "outside_effective_window"


def test_award_filters(admin: Api) -> None:
    team = admin.ok("POST", "/teams", 201, json={"name": "Red"})
    ann = make_member(admin, "Ann", team_id=team["id"])
    bob = make_member(admin, "Bob")
    kudos = make_achievement(admin, "kudos", "award")
    high = make_achievement(admin, "high-five", "award")
    give(admin, ann["id"], kudos["id"])
    give(admin, bob["id"], kudos["id"])
    give(admin, ann["id"], high["id"])
    by_team = admin.ok("GET", f"/awards?team_id={team['id']}")
    assert {a["member_id"] for a in by_team} == {ann["id"]}
    assert len(by_team) == 2
    assert len(admin.ok("GET", f"/awards?achievement_id={kudos['id']}")) == 2
    both = admin.ok("GET", f"/awards?member_id={ann['id']}&achievement_id={high['id']}")
    assert len(both) == 1


def test_effective_timestamps_at_midnight_stay_instants(admin: Api) -> None:
    promo = make_achievement(
        admin,
        "midnight",
        "award",
        effective={"from": "2026-11-01T00:00:00+00:00", "until": "2026-11-30T00:00:00+00:00"},
    )
    assert promo["effective"]["until"] == "2026-11-30T00:00:00+00:00"
