"""Records in, progress and awards out: the seed examples, upserts, deletes, periods."""

from __future__ import annotations

from plaudit.rules.oracle import MAX_COMPLETIONS
from tests.api.test_awards import make_member
from tests.conftest import Api
from tests.engine.helpers import (
    DEALS_50K_EUR,
    FIVE_CAMPAIGNS,
    PROFILE_ONCE,
    achievement,
    record,
    seed_sources,
)


def test_company_profile_updated_at_least_once(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    ach = achievement(admin, "profile", [[PROFILE_ONCE]])
    result = record(admin, "company_profile_updated", ann["id"])
    assert result["created"] == 1
    assert [(a["achievement_id"], a["member_id"], a["source"]) for a in result["awards"]] == [
        (ach["id"], ann["id"], "rule")
    ]
    again = record(admin, "company_profile_updated", ann["id"])
    assert again["awards"] == []  # completed once, for period none once in all
    assert len(admin.ok("GET", f"/awards?member_id={ann['id']}")) == 1


def test_five_distinct_campaigns(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    achievement(admin, "campaigner", [[FIVE_CAMPAIGNS]])
    for campaign in ["c1", "c2", "c2", "c3", "c4"]:
        assert (
            record(admin, "campaign_activations", ann["id"], campaign_id=campaign)["awards"] == []
        )
    assert len(record(admin, "campaign_activations", ann["id"], campaign_id="c5")["awards"]) == 1


def test_approved_eur_deals_total_50k_and_updates_follow(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    achievement(admin, "big-dealer", [[DEALS_50K_EUR]])
    record(
        admin, "deals", ann["id"], external_id="d1", status="Approved", currency="EUR", value=30000
    )
    record(
        admin, "deals", ann["id"], external_id="d2", status="Approved", currency="USD", value=30000
    )
    pending = record(
        admin, "deals", ann["id"], external_id="d3", status="Pending", currency="EUR", value=20000
    )
    assert pending["awards"] == []
    same = record(
        admin, "deals", ann["id"], external_id="d3", status="Pending", currency="EUR", value=20000
    )
    assert (same["created"], same["updated"], same["unchanged"]) == (0, 0, 1)
    approved = record(
        admin, "deals", ann["id"], external_id="d3", status="Approved", currency="EUR", value=20000
    )
    assert (approved["created"], approved["updated"]) == (0, 1)
    assert len(approved["awards"]) == 1


def test_and_or_groups(admin: Api) -> None:
    seed_sources(admin)
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    achievement(admin, "all-rounder", [[PROFILE_ONCE, FIVE_CAMPAIGNS], [DEALS_50K_EUR]])
    # Ann: profile only -> not yet (AND needs campaigns too).
    assert record(admin, "company_profile_updated", ann["id"])["awards"] == []
    for c in range(4):
        record(admin, "campaign_activations", ann["id"], campaign_id=f"c{c}")
    assert len(record(admin, "campaign_activations", ann["id"], campaign_id="c9")["awards"]) == 1
    # Bob: the OR group alone.
    result = record(admin, "deals", bob["id"], status="Approved", currency="EUR", value=50000)
    assert len(result["awards"]) == 1


def test_repeatable_completions(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    rule = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 3}
    achievement(admin, "caller", [[rule]], repeatable=True, points=5)
    given = []
    for _ in range(7):
        given += record(admin, "calls", ann["id"])["awards"]
    assert [a["completion"] for a in given] == [1, 2]
    assert all(a["points"] == 5 for a in given)
    assert record(admin, "calls", ann["id"])["awards"] == []  # 8 calls: still two
    third = record(admin, "calls", ann["id"])["awards"]  # 9 calls: the third completion
    assert [a["completion"] for a in third] == [3]


def test_repeatable_completions_stop_at_the_cap_of_a_period(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    tiny = {"source": "calls", "aggregate": "sum", "field": "minutes", "operator": "at_least"}
    achievement(admin, "every-second", [[{**tiny, "value": 0.01}]], repeatable=True, points=1)
    # 250 minutes are 25,000 completions of 0.01: the period holds MAX_COMPLETIONS of them.
    first = record(admin, "calls", ann["id"], minutes=250)["awards"]
    assert len(first) == MAX_COMPLETIONS
    assert [a["completion"] for a in first[:2]] == [1, 2]
    assert max(a["completion"] for a in first) == MAX_COMPLETIONS
    assert record(admin, "calls", ann["id"], minutes=250)["awards"] == []


def test_deleting_a_record_takes_it_out_of_the_sums(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    rule = {
        "source": "calls",
        "aggregate": "sum",
        "field": "minutes",
        "operator": "at_least",
        "value": 100,
    }
    achievement(admin, "talker", [[rule]])
    record(admin, "calls", ann["id"], external_id="k1", minutes=60)
    assert admin.delete("/sources/calls/records/k1").status_code == 204
    assert admin.delete("/sources/calls/records/k1").status_code == 404
    assert record(admin, "calls", ann["id"], external_id="k2", minutes=60)["awards"] == []
    assert len(record(admin, "calls", ann["id"], external_id="k3", minutes=40)["awards"]) == 1


def test_weekly_achievement_counts_only_its_week_and_late_records_land_where_they_belong(
    admin: Api,
) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    rule = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 2}
    achievement(admin, "busy-week", [[rule]], period="week", category="membership")
    assert record(admin, "calls", ann["id"], at="2026-11-15T12:00:00+00:00")["awards"] == []  # Sun
    assert record(admin, "calls", ann["id"], at="2026-11-16T09:00:00+00:00")["awards"] == []  # Mon
    late = record(admin, "calls", ann["id"], at="2026-11-14T09:00:00+00:00")  # late, Saturday
    assert [(a["period_start"], a["active"]) for a in late["awards"]] == [
        ("2026-11-09T00:00:00+00:00", False)
    ]
    now_week = record(admin, "calls", ann["id"], at="2026-11-18T09:00:00+00:00")
    assert [a["period_start"] for a in now_week["awards"]] == ["2026-11-16T00:00:00+00:00"]


def test_effective_window_and_audience(admin: Api) -> None:
    seed_sources(admin)
    gold = admin.ok("POST", "/teams", 201, json={"name": "Acme", "attributes": {"tier": "gold"}})
    ann = make_member(admin, "Ann", team_id=gold["id"])
    bob = make_member(admin, "Bob")
    group = admin.ok(
        "POST",
        "/groups",
        201,
        json={
            "name": "Gold partners",
            "conditions": [{"attribute": "team.attributes.tier", "op": "eq", "value": "gold"}],
        },
    )
    achievement(
        admin,
        "gold-profile",
        [[PROFILE_ONCE]],
        audience=[group["id"]],
        effective={"from": "2026-11-10", "until": "2026-11-30"},
    )
    assert (
        record(admin, "company_profile_updated", ann["id"], at="2026-11-09T12:00:00+00:00")[
            "awards"
        ]
        == []
    )  # before the window
    assert record(admin, "company_profile_updated", bob["id"])["awards"] == []  # not gold
    assert len(record(admin, "company_profile_updated", ann["id"])["awards"]) == 1


def test_backfill_on_activation(admin: Api) -> None:
    seed_sources(admin)
    ann, bob, cat = (make_member(admin, n) for n in ("Ann", "Bob", "Cat"))
    for member, values in ((ann, [30000, 25000]), (bob, [10000]), (cat, [60000])):
        for v in values:
            record(admin, "deals", member["id"], status="Approved", currency="EUR", value=v)
    ach = achievement(admin, "big-dealer", [[DEALS_50K_EUR]], activate=False)
    assert admin.ok("GET", "/awards") == []
    admin.ok("POST", f"/achievements/{ach['id']}/activate")
    awarded = {a["member_id"] for a in admin.ok("GET", f"/awards?achievement_id={ach['id']}")}
    assert awarded == {ann["id"], cat["id"]}
    # Deactivate, reactivate: nothing is given twice.
    admin.ok("POST", f"/achievements/{ach['id']}/deactivate")
    admin.ok("POST", f"/achievements/{ach['id']}/activate")
    assert len(admin.ok("GET", f"/awards?achievement_id={ach['id']}")) == 2


def test_record_category_has_one_holder(admin: Api) -> None:
    seed_sources(admin)
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    achievement(admin, "first-profile", [[PROFILE_ONCE]], category="record", period="month")
    assert len(record(admin, "company_profile_updated", ann["id"])["awards"]) == 1
    assert record(admin, "company_profile_updated", bob["id"])["awards"] == []


def test_batch_is_all_or_nothing_and_names_each_bad_record(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    batch = {
        "records": [
            {
                "member_id": ann["id"],
                "occurred_at": "2026-11-18T10:00:00+00:00",
                "data": {"minutes": 5},
            },
            {"member_id": 999, "occurred_at": "2026-11-18T10:00:00+00:00", "data": {}},
            {
                "member_id": ann["id"],
                "occurred_at": "2026-11-18T10:00:00+00:00",
                "data": {"minutes": "five", "colour": "red"},
            },
            {"member_id": ann["id"], "occurred_at": "2026-11-18T10:00:00"},
        ]
    }
    response = admin.post("/sources/calls/records", json=batch)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {
        "records.1.member_id",
        "records.2.data.minutes",
        "records.2.data.colour",
        "records.3.occurred_at",
    }
    good = {"records": batch["records"][:1]}
    assert admin.ok("POST", "/sources/calls/records", json=good)["created"] == 1


def test_members_by_external_id_and_idempotency_key(admin: Api) -> None:
    seed_sources(admin)
    make_member(admin, "Ann", external_id="crm-1")
    body = {
        "member_external_id": "crm-1",
        "occurred_at": "2026-11-18T10:00:00+00:00",
        "data": {"minutes": 3},
    }
    first = admin.ok(
        "POST", "/sources/calls/records", json=body, headers={"Idempotency-Key": "k-1"}
    )
    again = admin.post("/sources/calls/records", json=body, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200
    assert again.json() == first
    assert again.headers.get("idempotent-replayed") == "true"
    other = dict(body, data={"minutes": 4})
    reused = admin.post("/sources/calls/records", json=other, headers={"Idempotency-Key": "k-1"})
    assert reused.status_code == 409
    without_key = admin.ok("POST", "/sources/calls/records", json=body)
    assert without_key["created"] == 1  # no key, no external_id: a new record


def test_batch_size_limit(admin: Api, client: object) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    limit = admin.client.app.state.settings.max_batch_records  # type: ignore[attr-defined]
    rec = {"member_id": ann["id"], "occurred_at": "2026-11-18T10:00:00+00:00", "data": {}}
    response = admin.post("/sources/calls/records", json={"records": [rec] * (limit + 1)})
    assert response.status_code == 413


def test_ingest_role_may_only_write_records(admin: Api, tokens: dict[str, str]) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    ingest = admin.as_token(tokens["ingest"])
    assert (
        ingest.post(
            "/sources/calls/records",
            json={"member_id": ann["id"], "occurred_at": "2026-11-18T10:00:00+00:00"},
        ).status_code
        == 200
    )
    assert ingest.get("/members").status_code == 403
    assert ingest.get("/awards").status_code == 403


def test_a_record_that_fails_validation_still_has_its_member_and_data_checked(
    admin: Api,
) -> None:
    """One answer names every problem: a record with a bad time still gets its unknown member
    and its bad data reported, so a sender fixes a batch in one round."""
    seed_sources(admin)
    ann = make_member(admin)
    batch = {
        "records": [
            {"member_id": 999, "data": {"minutes": "five"}},
            {
                "member_external_id": " nobody ",  # stripped, as in a valid record
                "occurred_at": "2026-11-18",
                "data": {"colour": "red", "minutes": 3},
            },
            # Two references: the member is not looked up, the data still is.
            {"member_id": 999, "member_external_id": "x", "data": {"minutes": "ten"}},
            # The data is not an object: only its own error, nothing else is guessed at.
            {"member_id": ann["id"], "occurred_at": "yesterday", "data": ["minutes"]},
            {"member_id": ann["id"], "occurred_at": "2026-11-18T10:00:00Z", "data": {"minutes": 1}},
        ]
    }
    response = admin.post("/sources/calls/records", json=batch)
    assert response.status_code == 422, response.text
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {
        "records.0.occurred_at",
        "records.0.member_id",
        "records.0.data.minutes",
        "records.1.occurred_at",
        "records.1.member_external_id",
        "records.1.data.colour",
        "records.2",
        "records.2.occurred_at",
        "records.2.data.minutes",
        "records.3.occurred_at",
        "records.3.data",
    }
    assert errors["records.0.member_id"] == "member 999 does not exist"
    assert errors["records.1.member_external_id"] == "no member has external_id 'nobody'"
    assert errors["records.1.occurred_at"].startswith("needs an offset (Z or +01:00, say)")
    assert errors["records.3.occurred_at"].startswith(
        "must be an ISO 8601 date-time with an offset, e.g. 2026-11-18T10:00:00+01:00"
    )
    assert admin.get(f"/members/{ann['id']}/achievements").status_code == 200
    good = {"records": batch["records"][4:]}
    assert admin.ok("POST", "/sources/calls/records", json=good)["created"] == 1


def test_out_of_range_ids_and_times_are_refused_not_crashed_on(admin: Api) -> None:
    seed_sources(admin)
    admin.ok(
        "POST",
        "/sources",
        201,
        json={"key": "visits", "name": "Visits", "fields": [{"name": "at", "type": "datetime"}]},
    )
    ann = make_member(admin)
    ok = "2026-11-18T10:00:00+00:00"
    for body, field in [
        ({"member_id": 2**70, "occurred_at": ok}, "records.0.member_id"),
        ({"member_id": 0, "occurred_at": ok}, "records.0.member_id"),
        (
            {"member_id": ann["id"], "occurred_at": "9999-12-31T23:00:00-05:00"},
            "records.0.occurred_at",
        ),
        (
            {"member_id": ann["id"], "occurred_at": "0001-01-01T00:00:00+05:00"},
            "records.0.occurred_at",
        ),
        (
            {
                "member_id": ann["id"],
                "occurred_at": ok,
                "data": {"at": "9999-12-31T23:00:00-05:00"},
            },
            "records.0.data.at",
        ),
    ]:
        response = admin.post("/sources/visits/records", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == [field]


def test_deleting_a_record_over_the_api_is_audited_with_who_why_and_what(
    admin: Api, tokens: dict[str, str]
) -> None:
    seed_sources(admin)
    ann = make_member(admin, "Ann")
    record(admin, "calls", ann["id"], external_id="c1")
    ingest = admin.as_token(tokens["ingest"])
    ingest.ok("DELETE", "/sources/calls/records/c1?reason=sent%20twice", 204)
    [event] = admin.ok("GET", "/audit?action=record.delete")
    assert event["actor_role"] == "ingest"
    assert event["reason"] == "sent twice"
    assert event["details"]["source"] == "calls"
    assert event["details"]["external_id"] == "c1"
    assert event["details"]["member_id"] == ann["id"]
    # Gone, so a second deletion is a 404 that writes nothing more to the log.
    problem = ingest.delete("/sources/calls/records/c1")
    assert problem.status_code == 404
    assert len(admin.ok("GET", "/audit?action=record.delete")) == 1
