"""POST /achievements/{id}/awards/bulk: giving one achievement to the members a CSV lists."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plaudit.bulk.parsing import MemberKey, parse_bulk_csv
from plaudit.errors import PayloadTooLarge
from tests.conftest import Api

CSV = {"Content-Type": "text/csv"}


def make_member(admin: Api, name: str, **extra: Any) -> dict[str, Any]:
    return admin.ok("POST", "/members", 201, json={"name": name, **extra})


def make_achievement(
    admin: Api, key: str, category: str = "award", period: str = "none", **extra: Any
) -> dict[str, Any]:
    body = {
        "key": key,
        "name": key.title(),
        "category": category,
        "period": period,
        "points": 5,
        **extra,
    }
    return admin.ok("POST", "/achievements", 201, json=body)


def bulk(
    admin: Api,
    achievement: dict[str, Any],
    text: str | bytes,
    query: str = "",
    headers: dict[str, str] | None = None,
) -> Any:
    body = text.encode() if isinstance(text, str) else text
    return admin.post(
        f"/achievements/{achievement['id']}/awards/bulk{query}",
        content=body,
        headers=CSV if headers is None else headers,
    )


def awards(admin: Api, achievement: dict[str, Any]) -> list[tuple[int, str]]:
    return [
        (a["member_id"], a["period"])
        for a in admin.ok("GET", f"/awards?achievement_id={achievement['id']}")
    ]


@pytest.fixture
def people(admin: Api) -> dict[str, dict[str, Any]]:
    return {
        "ann": make_member(admin, "Ann", email="Ann@Example.com", external_id="crm-1"),
        "bob": make_member(admin, "Bob", email="bob@example.com", external_id="crm-2"),
        "cat": make_member(admin, "Cat", external_id="crm-3"),
    }


def test_by_member_id_gives_manual_awards_with_audit_entries(
    admin: Api, people: dict[str, Any]
) -> None:
    kudos = make_achievement(admin, "kudos")
    ann, bob = people["ann"], people["bob"]
    response = bulk(admin, kudos, f"member_id\n{ann['id']}\n{bob['id']}\n", "?reason=Q4%20kick-off")
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["achievement_id"], result["identified_by"], result["dry_run"]) == (
        kudos["id"],
        "member_id",
        False,
    )
    assert result["rows"] == 2
    assert (result["unmatched"], result["refused"]) == ([], [])
    assert [(g["row"], g["value"], g["member_id"]) for g in result["given"]] == [
        (2, str(ann["id"]), ann["id"]),
        (3, str(bob["id"]), bob["id"]),
    ]
    award = result["given"][0]["award"]
    assert (award["source"], award["points"], award["given_by"]) == ("manual", 5, "admin-token")
    assert awards(admin, kudos) == [(ann["id"], "all"), (bob["id"], "all")]
    gives = admin.ok("GET", "/audit?action=award.give")
    assert {e["entity_id"] for e in gives} == {g["award"]["id"] for g in result["given"]}
    assert {e["reason"] for e in gives} == {"Q4 kick-off"}
    (summary,) = admin.ok("GET", "/audit?action=award.bulk")
    assert summary["entity_id"] == kudos["id"]
    assert summary["details"] == {
        "identified_by": "member_id",
        "rows": 2,
        "given": 2,
        "unmatched": 0,
        "refused": 0,
    }


def test_by_external_id_and_by_email(admin: Api, people: dict[str, Any]) -> None:
    kudos = make_achievement(admin, "kudos")
    by_ext = bulk(admin, kudos, "name,external_id\nAnn,crm-1\nCat,crm-3\nX,CRM-3\n").json()
    assert by_ext["identified_by"] == "external_id"
    assert [g["member_id"] for g in by_ext["given"]] == [people["ann"]["id"], people["cat"]["id"]]
    assert [(u["row"], u["value"]) for u in by_ext["unmatched"]] == [(4, "CRM-3")]
    # Emails match without regard to case; a BOM and semicolons (Excel in Europe) are fine.
    by_mail = bulk(admin, kudos, "\ufeffName;E-Mail\nAnn;ann@example.COM\nBob; bob@example.com \n")
    assert by_mail.status_code == 200, by_mail.text
    assert by_mail.json()["identified_by"] == "email"
    assert [g["member_id"] for g in by_mail.json()["given"]] == [
        people["ann"]["id"],
        people["bob"]["id"],
    ]


def test_header_priority_and_by(admin: Api, people: dict[str, Any]) -> None:
    """An awards export has member_id, member_email and member_external_id: member_id wins,
    unless `by` says otherwise."""
    kudos = make_achievement(admin, "kudos")
    text = f"id,member_id,member_email,member_external_id\n99,{people['bob']['id']},,crm-1\n"
    assert [g["member_id"] for g in bulk(admin, kudos, text).json()["given"]] == [
        people["bob"]["id"]
    ]
    by_ext = bulk(admin, kudos, text, "?by=external_id&dry_run=true").json()
    assert [g["member_id"] for g in by_ext["given"]] == [people["ann"]["id"]]
    missing = bulk(admin, kudos, "member_id\n1\n", "?by=email")
    assert missing.status_code == 422
    assert missing.json()["code"] == "no_member_column"


def test_unmatched_rows_are_reported_with_row_and_value(admin: Api, people: dict[str, Any]) -> None:
    kudos = make_achievement(admin, "kudos")
    text = (
        f"member_id,note\n{people['ann']['id']},ok\n999,nobody\nabc,not a number\n"
        ",empty\n\n99999999999999999999999,huge\n"
    )
    result = bulk(admin, kudos, text).json()
    assert [g["row"] for g in result["given"]] == [2]
    assert [(u["row"], u["value"]) for u in result["unmatched"]] == [
        (3, "999"),
        (4, "abc"),
        (5, ""),
        (7, "99999999999999999999999"),
    ]
    assert result["unmatched"][0]["reason"] == "no member has member_id '999'"
    assert result["unmatched"][2]["reason"] == "the member_id cell is empty"
    assert result["rows"] == 5  # the blank row 6 is not a row
    assert awards(admin, kudos) == [(people["ann"]["id"], "all")]


def test_category_limits_hold_and_refused_rows_are_skipped(
    admin: Api, people: dict[str, Any]
) -> None:
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    club = make_achievement(admin, "club", "membership", "month")
    admin.ok("POST", f"/members/{ann['id']}/awards", 201, json={"achievement_id": club["id"]})
    text = f"member_id\n{ann['id']}\n{bob['id']}\n{bob['id']}\n{cat['id']}\n"
    result = bulk(admin, club, text).json()
    assert [g["member_id"] for g in result["given"]] == [bob["id"], cat["id"]]
    assert [(r["row"], r["member_id"], r["code"]) for r in result["refused"]] == [
        (2, ann["id"], "membership_limit"),
        (4, bob["id"], "duplicate_row"),
    ]
    assert "already holds it" in result["refused"][0]["detail"]
    assert sorted(awards(admin, club)) == sorted(
        [(ann["id"], "2026-11-01"), (bob["id"], "2026-11-01"), (cat["id"], "2026-11-01")]
    )

    eom = make_achievement(admin, "eom", "record", "month")
    record = bulk(admin, eom, f"member_id\n{bob['id']}\n{cat['id']}\n").json()
    assert [g["member_id"] for g in record["given"]] == [bob["id"]]
    assert [(r["row"], r["code"]) for r in record["refused"]] == [(3, "record_limit")]
    assert awards(admin, eom) == [(bob["id"], "2026-11-01")]


def test_audience_window_and_inactive_members_are_refused_like_manual_gives(
    admin: Api, people: dict[str, Any]
) -> None:
    team = admin.ok("POST", "/teams", 201, json={"name": "Partners"})
    admin.ok("PATCH", f"/members/{people['ann']['id']}", json={"team_id": team["id"]})
    admin.ok("PATCH", f"/members/{people['cat']['id']}", json={"active": False})
    group = admin.ok("POST", "/groups", 201, json={"name": "P", "team_ids": [team["id"]]})
    vip = make_achievement(
        admin, "vip", period="month", audience=[group["id"]], effective={"until": "2026-12-01"}
    )
    text = "external_id,at\ncrm-1,\ncrm-2,\ncrm-3,\ncrm-1,2026-12-05\n"
    result = bulk(admin, vip, text).json()
    assert [g["value"] for g in result["given"]] == ["crm-1"]
    assert [(r["row"], r["code"]) for r in result["refused"]] == [
        (3, "not_in_audience"),
        (4, "member_inactive"),
        (5, "outside_effective_window"),
    ]


def test_at_per_row_and_for_the_whole_file(admin: Api, people: dict[str, Any]) -> None:
    monthly = make_achievement(admin, "monthly", "membership", "month")
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    text = (
        f"member_id,at\n{ann['id']},2026-10-31\n{ann['id']},2026-09-30T23:30:00-02:00\n"
        f"{bob['id']},\n{cat['id']},2026-11-02T08:00:00+00:00\n"
    )
    result = bulk(admin, monthly, text, "?at=2026-08-15T12:00:00%2B00:00").json()
    periods = [(g["member_id"], g["period"]) for g in result["given"]]
    assert periods == [
        (ann["id"], "2026-10-01"),
        (bob["id"], "2026-08-01"),
        (cat["id"], "2026-11-01"),
    ]
    # 2026-09-30T23:30-02:00 is 01:30 on 1 October in UTC: the same month as row 2.
    assert [(r["row"], r["code"]) for r in result["refused"]] == [(3, "duplicate_row")]


def test_dry_run_reports_and_gives_nothing(admin: Api, people: dict[str, Any]) -> None:
    club = make_achievement(admin, "club", "membership", "month")
    text = "email\nann@example.com\nnobody@example.com\nbob@example.com\nbob@example.com\n"
    dry = bulk(admin, club, text, "?dry_run=true")
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["dry_run"] is True
    assert [(g["member_id"], g["award"]) for g in report["given"]] == [
        (people["ann"]["id"], None),
        (people["bob"]["id"], None),
    ]
    assert [u["row"] for u in report["unmatched"]] == [3]
    assert [(r["row"], r["code"]) for r in report["refused"]] == [(5, "duplicate_row")]
    assert awards(admin, club) == []
    assert admin.ok("GET", "/audit?action=award.give") == []
    assert admin.ok("GET", "/audit?action=award.bulk") == []
    real = bulk(admin, club, text).json()
    assert [g["member_id"] for g in real["given"]] == [g["member_id"] for g in report["given"]]
    assert len(awards(admin, club)) == 2


def test_strict_is_all_or_nothing(admin: Api, people: dict[str, Any]) -> None:
    club = make_achievement(admin, "club", "membership", "month")
    ann, bob = people["ann"], people["bob"]
    unmatched = bulk(admin, club, f"member_id\n{ann['id']}\n424242\n", "?strict=true")
    assert unmatched.status_code == 422
    problem = unmatched.json()
    assert problem["code"] == "bulk_unmatched"
    assert [(e["loc"], e["code"]) for e in problem["errors"]] == [
        (["file", 3, "member_id"], "unmatched")
    ]
    assert awards(admin, club) == []
    admin.ok("POST", f"/members/{ann['id']}/awards", 201, json={"achievement_id": club["id"]})
    refused = bulk(admin, club, f"member_id\n{bob['id']}\n{ann['id']}\n", "?strict=true")
    assert refused.status_code == 409
    assert refused.json()["code"] == "bulk_refused"
    assert refused.json()["errors"][0]["code"] == "membership_limit"
    assert awards(admin, club) == [(ann["id"], "2026-11-01")]  # Bob was not given it either
    assert len(admin.ok("GET", "/audit?action=award.give")) == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("", 422, "empty_file"),
        ("name,team\nAnn,Red\n", 422, "no_member_column"),
        ("member_id,at\n1,\n2,yesterday\n3,2026-11-18T10:00:00\n", 422, "bad_rows"),
        ("member_id,at\n1,9999-12-31\n2,0001-01-01T00:00:00+01:00\n", 422, "bad_rows"),
        (b"email\n\xff\xfeann@example.com\n", 400, "not_utf8"),
        (b"email\n\x00\x00\n", 400, "not_csv"),
        ('email\n"ann@example.com' + "x" * 140_000 + "\n", 422, "malformed_csv"),
    ],
)
def test_a_bad_file_gives_nothing(
    admin: Api, people: dict[str, Any], body: str | bytes, status: int, code: str
) -> None:
    kudos = make_achievement(admin, "kudos")
    response = bulk(admin, kudos, body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert awards(admin, kudos) == []
    if code == "bad_rows" and "yesterday" in str(body):
        problem = response.json()
        assert [e["loc"] for e in problem["errors"]] == [["file", 3, "at"], ["file", 4, "at"]]
        assert "offset" in problem["errors"][1]["message"]


def test_too_many_rows(admin: Api) -> None:
    kudos = make_achievement(admin, "kudos")
    response = bulk(admin, kudos, "member_id\n" + "1\n" * 10_001)
    assert response.status_code == 413
    assert response.json()["code"] == "too_many_rows"
    with pytest.raises(PayloadTooLarge):
        parse_bulk_csv(b"email\na@x.io\nb@x.io\nc@x.io\n", zone=ZoneInfo("UTC"), max_rows=2)
    parsed = parse_bulk_csv(b"email\na@x.io\nb@x.io\n", zone=ZoneInfo("UTC"), max_rows=2)
    assert parsed.identified_by == MemberKey.email


def test_multipart_upload(admin: Api, people: dict[str, Any]) -> None:
    kudos = make_achievement(admin, "kudos")
    response = admin.post(
        f"/achievements/{kudos['id']}/awards/bulk",
        files={"file": ("members.csv", b"external_id\ncrm-2\n", "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert [g["member_id"] for g in response.json()["given"]] == [people["bob"]["id"]]
    no_file = admin.post(
        f"/achievements/{kudos['id']}/awards/bulk", files={"note": (None, "just a text field")}
    )
    assert no_file.status_code == 422
    assert no_file.json()["errors"][0]["field"] == "file"
    assert len(awards(admin, kudos)) == 1


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/json", 415),
        ("image/png", 415),
    ],
)
def test_other_media_types_are_refused(admin: Api, content_type: str, status: int) -> None:
    kudos = make_achievement(admin, "kudos")
    response = bulk(admin, kudos, '{"member_id": 1}', headers={"Content-Type": content_type})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_achievement_and_bad_query(admin: Api) -> None:
    unknown = admin.post("/achievements/999/awards/bulk", content=b"member_id\n1\n", headers=CSV)
    assert unknown.status_code == 404
    kudos = make_achievement(admin, "kudos")
    for query in (
        "?dry_run=perhaps",
        "?at=2026-11-01",
        "?by=name",
        "?nope=1",
        "?at=9999-12-31T23:00:00-05:00",
        "?at=0001-01-01T00:00:00%2B01:00",
    ):
        assert bulk(admin, kudos, "member_id\n1\n", query).status_code == 422, query


def test_bulk_giving_is_for_admins_and_managers(
    admin: Api, tokens: dict[str, str], people: dict[str, Any]
) -> None:
    kudos = make_achievement(admin, "kudos")
    text = f"member_id\n{people['ann']['id']}\n"
    manager = bulk(admin.as_token(tokens["manager"]), kudos, text)
    assert manager.status_code == 200
    assert manager.json()["given"][0]["award"]["given_by"] == "token:manager-token"
    for role in ("ingest", "member"):
        assert bulk(admin.as_token(tokens[role]), kudos, text).status_code == 403, role
    anonymous = bulk(admin.as_token(None), kudos, text, headers={"Content-Type": "image/png"})
    assert anonymous.status_code == 401  # the token is checked before the upload is looked at
    assert len(awards(admin, kudos)) == 1
