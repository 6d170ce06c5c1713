"""GET /exports/awards.csv: columns, quoting, dates, filters, streaming."""

from __future__ import annotations

import csv
import inspect
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from sqlalchemy import Engine

from plaudit.award.schemas import AwardFilters
from plaudit.clock import FixedClock
from plaudit.db.snapshot import read_snapshot
from plaudit.export.router import router as export_router
from plaudit.export.service import BOM, COLUMNS, iter_awards_csv, stream_awards_csv
from tests.conftest import Api

TRICKY_NAME = 'Zoë "Z" O\'Brien, Jr.\nSecond line 🎉'


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
        "points": 10,
        **extra,
    }
    return admin.ok("POST", "/achievements", 201, json=body)


def give(
    admin: Api, member: dict[str, Any], achievement: dict[str, Any], at: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"achievement_id": achievement["id"]}
    if at:
        body["at"] = at
    return admin.ok("POST", f"/members/{member['id']}/awards", 201, json=body)


def export(admin: Api, query: str = "", **kw: Any) -> list[dict[str, str]]:
    response = admin.get(f"/exports/awards.csv{query}", **kw)
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


@pytest.fixture
def world(admin: Api) -> dict[str, Any]:
    team = admin.ok("POST", "/teams", 201, json={"name": "Sales, EMEA", "external_id": "T-1"})
    ann = make_member(
        admin, TRICKY_NAME, team_id=team["id"], email="zoe@example.com", external_id="crm-7"
    )
    bob = make_member(admin, "Bob")
    kudos = make_achievement(admin, "kudos", name='Kudos, "the" best — ✓')
    weekly = make_achievement(admin, "weekly", "membership", "week")
    return {"team": team, "ann": ann, "bob": bob, "kudos": kudos, "weekly": weekly}


def test_export_has_a_header_and_one_row_per_award_with_names(
    admin: Api, world: dict[str, Any]
) -> None:
    ann, bob, kudos, weekly = world["ann"], world["bob"], world["kudos"], world["weekly"]
    first = give(admin, ann, kudos)
    second = give(admin, ann, weekly)
    third = give(admin, bob, kudos)
    response = admin.get("/exports/awards.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="awards-20261118T130000Z.csv"'
    )
    assert not response.content.startswith(BOM.encode())
    rows = export(admin)
    assert [int(r["id"]) for r in rows] == [first["id"], second["id"], third["id"]]
    row = rows[0]
    assert row["member_name"] == TRICKY_NAME  # commas, quotes, newline and emoji survive
    assert row["achievement_name"] == 'Kudos, "the" best — ✓'
    assert (row["member_email"], row["member_external_id"]) == ("zoe@example.com", "crm-7")
    assert (row["team_id"], row["team_name"], row["team_external_id"]) == (
        str(world["team"]["id"]),
        "Sales, EMEA",
        "T-1",
    )
    assert (row["achievement_id"], row["achievement_key"], row["achievement_version"]) == (
        str(kudos["id"]),
        "kudos",
        "1",
    )
    assert (row["member_id"], row["points"], row["source"]) == (str(ann["id"]), "10", "manual")
    assert (row["period"], row["period_start"], row["period_end"]) == ("all", "", "")
    assert (row["active"], row["revoked"], row["revoked_at"]) == ("true", "false", "")
    assert row["given_by"] == "admin-token"
    assert row["completion"] == ""
    # Bob has no team, email or external id: empty cells, not "None".
    assert (rows[2]["team_id"], rows[2]["team_name"], rows[2]["member_email"]) == ("", "", "")


def test_dates_are_iso_8601_with_offset(admin: Api, world: dict[str, Any]) -> None:
    award = give(admin, world["ann"], world["weekly"])
    admin.ok("DELETE", f"/awards/{award['id']}?reason=oops")
    (row,) = export(admin)
    for column in ("awarded_at", "period_start", "period_end", "revoked_at"):
        value = datetime.fromisoformat(row[column])
        assert value.utcoffset() == timedelta(0), column
    assert row["awarded_at"] == "2026-11-18T13:00:00+00:00"
    assert row["period_start"] == "2026-11-16T00:00:00+00:00"
    assert row["period_end"] == "2026-11-23T00:00:00+00:00"
    assert row["period"] == "2026-11-16"
    assert (row["revoked"], row["active"], row["revoke_reason"]) == ("true", "false", "oops")
    assert row["revoked_by"] == "admin-token"


def test_export_takes_the_award_list_filters(
    admin: Api, clock: FixedClock, world: dict[str, Any]
) -> None:
    ann, bob, kudos, weekly = world["ann"], world["bob"], world["kudos"], world["weekly"]
    give(admin, ann, kudos)
    give(admin, ann, weekly, "2026-11-02T10:00:00+00:00")  # an earlier week: no longer active
    give(admin, bob, kudos)
    give(admin, bob, weekly)

    def keys(query: str) -> list[tuple[str, str]]:
        return [(r["member_name"][:3], r["achievement_key"]) for r in export(admin, query)]

    assert keys(f"?member_id={bob['id']}") == [("Bob", "kudos"), ("Bob", "weekly")]
    assert keys(f"?team_id={world['team']['id']}") == [("Zoë", "kudos"), ("Zoë", "weekly")]
    assert keys(f"?achievement_id={weekly['id']}") == [("Zoë", "weekly"), ("Bob", "weekly")]
    assert keys("?active=false") == [("Zoë", "weekly")]
    assert keys(f"?active=true&member_id={ann['id']}") == [("Zoë", "kudos")]
    assert keys("?source=rule") == []
    # The same filters give the same awards as GET /awards.
    for query in (f"?member_id={bob['id']}", "?active=true", f"?team_id={world['team']['id']}"):
        listed = [a["id"] for a in admin.ok("GET", f"/awards{query}")]
        assert [int(r["id"]) for r in export(admin, query)] == listed
    clock.now = datetime(2026, 11, 30, tzinfo=UTC)
    assert keys("?active=true") == [("Zoë", "kudos"), ("Bob", "kudos")]


def test_bom_option_for_excel(admin: Api, world: dict[str, Any]) -> None:
    give(admin, world["ann"], world["kudos"])
    response = admin.get("/exports/awards.csv?bom=true")
    assert response.content.startswith(BOM.encode("utf-8"))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[0]["member_name"] == TRICKY_NAME


def test_an_empty_export_is_just_the_header(admin: Api) -> None:
    response = admin.get("/exports/awards.csv")
    assert response.status_code == 200
    assert response.content == (",".join(COLUMNS) + "\r\n").encode()


def test_deleted_achievements_stay_in_the_export(admin: Api, world: dict[str, Any]) -> None:
    gone = make_achievement(admin, "gone")
    give(admin, world["bob"], gone)
    admin.ok("DELETE", f"/achievements/{gone['id']}", 204)
    assert [r["achievement_key"] for r in export(admin)] == ["gone"]


def test_the_export_is_streamed_in_batches(
    admin: Api, clean_db: Engine, world: dict[str, Any]
) -> None:
    for _ in range(5):
        give(admin, world["bob"], world["kudos"])
    with admin.client.stream(
        "GET", "/api/v1/exports/awards.csv", headers=admin.headers()
    ) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers  # not built up front
        body = b"".join(response.iter_bytes())
    assert body.count(b"\r\n") == 6
    now = datetime(2026, 11, 18, 13, tzinfo=UTC)
    with read_snapshot(clean_db) as connection:
        chunks = iter_awards_csv(connection, AwardFilters(), now=now, batch_size=2)
        assert inspect.isgenerator(chunks)
        parts = list(chunks)
    assert len(parts) == 1 + 3  # the header, then batches of 2, 2 and 1 awards
    assert b"".join(parts) == body


def test_the_route_answers_with_a_streaming_response() -> None:
    (route,) = [
        r
        for r in export_router.routes
        if isinstance(r, APIRoute) and r.path == "/exports/awards.csv"
    ]
    assert route.response_class is StreamingResponse
    assert inspect.signature(route.endpoint).return_annotation in (
        StreamingResponse,
        "StreamingResponse",
    )


@pytest.mark.parametrize(
    "query",
    [
        "?member_id=abc",
        "?active=maybe",
        "?source=magic",
        "?awarded_after=2026-11-01T00:00:00",
        "?member_id=99999999999999999999",
        "?limit=5",
        "?bom=perhaps",
        "?awarded_after=0001-01-01T00:00:00%2B01:00",
        "?awarded_before=9999-12-31T23:59:59-05:00",
    ],
)
def test_bad_filters_are_problems_not_files(admin: Api, query: str) -> None:
    response = admin.get(f"/exports/awards.csv{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_export_is_for_admins_and_managers(admin: Api, tokens: dict[str, str]) -> None:
    assert admin.as_token(tokens["manager"]).get("/exports/awards.csv").status_code == 200
    for role in ("ingest", "member"):
        response = admin.as_token(tokens[role]).get("/exports/awards.csv")
        assert response.status_code == 403, role
        assert response.headers["content-type"].startswith("application/problem+json")
    assert admin.as_token(None).get("/exports/awards.csv").status_code == 401


def test_an_open_export_is_a_snapshot_and_blocks_no_writer(
    admin: Api, clean_db: Engine, world: dict[str, Any]
) -> None:
    for _ in range(3):
        give(admin, world["bob"], world["kudos"])
    now = datetime(2026, 11, 18, 13, tzinfo=UTC)
    chunks = stream_awards_csv(clean_db, AwardFilters(), now=now)
    header = next(chunks)  # the read transaction is open and the query has run
    response = give(admin, world["ann"], world["kudos"])  # a writer meanwhile: not blocked
    rest = b"".join(chunks)
    rows = list(csv.DictReader(io.StringIO((header + rest).decode(), newline="")))
    assert len(rows) == 3
    assert response["id"] not in {int(r["id"]) for r in rows}
    assert len(export(admin)) == 4


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_text_that_a_spreadsheet_would_run_is_kept_as_text(
    admin: Api, world: dict[str, Any], start: str
) -> None:
    payload = f'{start}HYPERLINK("https://evil.example","x")'
    member = make_member(admin, payload, external_id=f"{start}crm")
    give(admin, member, world["kudos"])
    row = export(admin)[0]
    assert row["member_name"] == "'" + payload
    assert row["member_external_id"] == f"'{start}crm"
    assert row["achievement_name"] == 'Kudos, "the" best — ✓'  # ordinary text untouched
    assert row["points"] == "10"  # numbers are never prefixed
