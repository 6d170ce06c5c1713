"""Giving an achievement to a CSV list of members through the pages: the preview names who
will receive it and who will not and why, gives nothing, and the confirmation gives exactly
what it showed (or nothing, when something changed in between); bad files get a message
naming the row and the problem."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.member.schemas import MemberCreate, MemberUpdate
from plaudit.member.service import create_member, update_member
from plaudit.models import AuditEvent, Award, Member
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site, csrf_of
from tests.web.portal_data import achievement, give
from tests.web.screens_data import make_group

HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')
TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Club:
    ada: int
    grace: int
    ken: int
    lee: int
    zed: int
    club: int  # membership, monthly, audience: Ada, Grace, Ken, Lee
    seller: int  # record, monthly, everyone


def words(html: str) -> str:
    return " ".join(html_lib.unescape(TAGS.sub(" ", html)).split())


def section(html: str, table_id: str) -> str:
    return words(html.split(f'id="{table_id}"')[1].split("</table>")[0])


def hidden(html: str) -> dict[str, str]:
    form = html.split('class="bulk-confirm"')[1].split("</form>")[0]
    return {k: html_lib.unescape(v) for k, v in HIDDEN.findall(form)}


@pytest.fixture
def club(site: Site, web_engine: Engine) -> Club:
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        ken = create_member(session, MemberCreate(name="Ken Adams", external_id="K-1")).id
        update_member(session, ken, MemberUpdate(active=False))
        lee = create_member(session, MemberCreate(name="Lee Held", email="lee@example.com")).id
        zed = create_member(session, MemberCreate(name="Zed Outsider")).id
        update_member(session, site.member_id, MemberUpdate(email="ada@example.com"))
    group = make_group(
        web_engine, name="Club members", member_ids=[site.member_id, site.other_member_id, ken, lee]
    )
    club_id = achievement(
        web_engine,
        key="club",
        name="Monthly club",
        category="membership",
        period="month",
        audience=[group],
        requirements=[],
    )
    give(web_engine, lee, club_id)
    seller = achievement(
        web_engine,
        key="seller",
        name="Top seller",
        category="record",
        period="month",
        requirements=[],
    )
    return Club(site.member_id, site.other_member_id, ken, lee, zed, club_id, seller)


def upload(client: TestClient, achievement_id: int, content: bytes | str, **fields: str) -> Any:
    body = content.encode() if isinstance(content, str) else content
    token = csrf_of(client.get(f"/admin/achievements/{achievement_id}/give").text)
    return client.post(
        f"/admin/achievements/{achievement_id}/give/preview",
        data={"csrf_token": token, **fields},
        files={"file": ("list.csv", body, "text/csv")},
    )


def confirm(client: TestClient, achievement_id: int, preview_html: str, **change: str) -> Any:
    data = {**hidden(preview_html), **change, "csrf_token": csrf_of(preview_html)}
    return client.post(f"/admin/achievements/{achievement_id}/give", data=data)


def awards(engine: Engine, achievement_id: int) -> set[tuple[int, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Award.member_id, Award.period_key).where(
                Award.achievement_id == achievement_id, Award.revoked.is_(False)
            )
        ).all()
    return {(m, p) for m, p in rows}


def names_of(engine: Engine) -> dict[int, str]:
    with Session(engine) as session:
        return {m: n for m, n in session.execute(select(Member.id, Member.name))}


LIST = (
    "name,at\n"
    "Ada Lovelace,\n"
    "grace  HOPPER,\n"
    "Nobody Here,\n"
    "Ken Adams,\n"
    "Ada Lovelace,\n"
    "Zed Outsider,\n"
    "Lee Held,\n"
    "\n"
    "Ada Lovelace,2026-10-05\n"
)


def test_preview_says_who_and_why_and_confirm_gives_exactly_that(
    admin_web: TestClient, club: Club, web_engine: Engine
) -> None:
    before = awards(web_engine, club.club)
    page = upload(admin_web, club.club, LIST, reason="Autumn drive")
    assert page.status_code == 200, page.text
    html = page.text
    assert "8 rows read, members found by name: 3 will receive it , 5 will not." in words(html)
    receive = section(html, "will-receive")
    assert "2 Ada Lovelace — the month 2026-11-01 to 2026-11-30" in receive
    assert "3 Grace Hopper — the month 2026-11-01 to 2026-11-30" in receive
    assert "10 Ada Lovelace — the month 2026-10-01 to 2026-10-31" in receive
    refused = section(html, "will-not-receive")
    assert "4 Nobody Here No member is called 'Nobody Here'." in refused
    assert "5 Ken Adams Ken Adams is inactive: inactive members receive no awards." in refused
    assert (
        "6 Ada Lovelace Row 2 already names Ada Lovelace for the month 2026-11-01 to 2026-11-30"
        in refused
    )
    assert "7 Zed Outsider Zed Outsider is not in its audience (groups: Club members)." in refused
    assert (
        "8 Lee Held Lee Held already holds this membership for the month 2026-11-01 to "
        "2026-11-30." in refused
    )
    assert not re.search(r"member \d|ids? \[", refused), "people are named, never numbered"
    assert awards(web_engine, club.club) == before, "the preview gave something"
    assert "Give to 3 members" in html

    done = confirm(admin_web, club.club, html)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/admin/achievements/{club.club}/holders"
    # Exactly what the preview listed, no more and no less.
    new = awards(web_engine, club.club) - before
    names = names_of(web_engine)
    shown = {(names[m], p) for m, p in new}
    assert shown == {
        ("Ada Lovelace", "2026-11-01"),
        ("Grace Hopper", "2026-11-01"),
        ("Ada Lovelace", "2026-10-01"),
    }
    holders = admin_web.get(done.headers["location"]).text
    assert "Gave “Monthly club” to 3 members; 5 rows skipped." in holders
    with Session(web_engine) as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    gives = [e for e in events if e.action == "award.give" and e.reason == "Autumn drive"]
    assert len(gives) == 3 and all(e.actor_role == "admin" for e in gives)
    assert [e.details["given"] for e in events if e.action == "award.bulk"] == [3]


def test_the_preview_and_the_confirmation_agree_row_for_row(
    admin_web: TestClient, club: Club, web_engine: Engine
) -> None:
    """For a record, by email: the first row takes the month, the second is refused, and the
    confirmation gives the same."""
    content = "email\nada@example.com\nlee@example.com\nnobody@example.com\n"
    html = upload(admin_web, club.seller, content).text
    receive = section(html, "will-receive")
    refused = section(html, "will-not-receive")
    assert "2 Ada Lovelace" in receive and "Lee Held" not in receive
    assert (
        "3 Lee Held lee@example.com A record has one holder per period: row 2 gives it to "
        "Ada Lovelace for the month 2026-11-01 to 2026-11-30 first." in refused
    )
    assert "4 nobody@example.com No member has email “nobody@example.com”." in refused
    previewed = {(club.ada, "2026-11-01")}
    assert confirm(admin_web, club.seller, html).status_code == 303
    assert awards(web_engine, club.seller) == previewed


def test_nothing_is_given_when_something_changed_since_the_preview(
    admin_web: TestClient, club: Club, web_engine: Engine
) -> None:
    html = upload(admin_web, club.seller, "email\nada@example.com\n").text
    assert "Give to 1 member" in html
    give(web_engine, club.grace, club.seller)  # Grace takes this month's record meanwhile
    again = confirm(admin_web, club.seller, html)
    assert again.status_code == 409
    assert "Nothing was given: something changed since the preview" in again.text
    assert "Grace Hopper already holds it for the month 2026-11-01 to 2026-11-30" in words(
        again.text
    )
    assert awards(web_engine, club.seller) == {(club.grace, "2026-11-01")}
    # A confirmation whose fingerprint was altered is not trusted either.
    other = upload(admin_web, club.club, "name\nAda Lovelace\n").text
    forged = confirm(admin_web, club.club, other, fingerprint="0" * 64)
    assert forged.status_code == 409
    assert (club.ada, "2026-11-01") not in awards(web_engine, club.club)


def test_all_or_nothing(admin_web: TestClient, club: Club, web_engine: Engine) -> None:
    before = awards(web_engine, club.club)
    html = upload(admin_web, club.club, "name\nAda Lovelace\nNobody Here\n", strict="on").text
    assert "You asked for all or nothing, and 1 row is refused" in html
    assert "Give to" not in html
    refused = confirm(admin_web, club.club, html)
    assert refused.status_code == 409
    assert "Nothing was given: the list has rows that are refused" in refused.text
    assert awards(web_engine, club.club) == before
    clean = upload(admin_web, club.club, "name\nAda Lovelace\n", strict="on").text
    assert confirm(admin_web, club.club, clean).status_code == 303
    assert awards(web_engine, club.club) - before == {(club.ada, "2026-11-01")}


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        ("", 422, "The file is empty: expected a header row"),
        ("phone\n555-1234\n", 422, "names no member column: expected one of external_id, email"),
        (b"name\nAda \xff\n", 400, "The file is not UTF-8 text (invalid byte at offset 9)"),
        ("name,at\nAda Lovelace,2026-11-18\nGrace Hopper,soon\n", 422, "Row 3: bad 'at' 'soon'"),
        ("name\n" + "Ada\n" * 5001, 413, "A bulk file holds at most 5000 rows; split it."),
        ("name\n" + "x" * (512 * 1024), 400, "The file is larger than 512 KB: split it"),
    ],
)
def test_bad_files_are_refused_with_the_row_and_the_problem(
    admin_web: TestClient,
    club: Club,
    web_engine: Engine,
    content: str | bytes,
    status: int,
    message: str,
) -> None:
    before = awards(web_engine, club.club)
    page = upload(admin_web, club.club, content)
    assert page.status_code == status, page.text
    assert message in html_lib.unescape(page.text)
    assert 'class="bulk-confirm"' not in page.text
    assert awards(web_engine, club.club) == before


def test_bad_date_names_the_way_to_write_it(admin_web: TestClient, club: Club) -> None:
    page = upload(admin_web, club.club, "name,at\nAda Lovelace,18/11/2026\n")
    text = html_lib.unescape(page.text)
    assert "Row 2: bad 'at' '18/11/2026': expected a date such as 2026-11-18" in text


def test_no_file_csrf_roles_and_a_lost_payload(
    web: TestClient, club: Club, web_engine: Engine
) -> None:
    sign_in(web, "manager")
    form = web.get(f"/admin/achievements/{club.club}/give")
    assert form.status_code == 200
    assert "external_id" in form.text and "at most 5,000 rows and 512 KB" in form.text
    token = csrf_of(form.text)
    path = f"/admin/achievements/{club.club}/give"
    no_file = web.post(path + "/preview", data={"csrf_token": token})
    assert no_file.status_code == 400 and "Choose a CSV file to upload." in no_file.text
    no_csrf = web.post(path + "/preview", files={"file": ("l.csv", b"name\nAda Lovelace\n")})
    assert no_csrf.status_code == 403
    lost = web.post(path, data={"csrf_token": token, "payload": "%%%", "fingerprint": "x"})
    assert lost.status_code == 400 and "upload the file again" in lost.text
    before = awards(web_engine, club.club)
    no_csrf_confirm = web.post(path, data={"payload": "bmFtZQpBZGEgTG92ZWxhY2UK"})
    assert no_csrf_confirm.status_code == 403
    assert awards(web_engine, club.club) == before
    web.post("/logout", data={"csrf_token": token})
    sign_in(web, "member")
    assert web.get(f"/admin/achievements/{club.club}/give").status_code == 403


def test_a_large_list_goes_through_preview_and_confirmation(
    admin_web: TestClient, club: Club, web_engine: Engine
) -> None:
    """Close to the limits (4,999 rows, most of 512 KB): the confirmation form carries the
    whole file back."""
    note = "x" * 80
    rows = [f"Ada Lovelace,{note}"] + [f"Stranger {i},{note}" for i in range(4998)]
    content = "name,note\n" + "\n".join(rows) + "\n"
    assert 400 * 1024 < len(content) < 512 * 1024
    html = upload(admin_web, club.club, content).text
    assert "4999 rows read, members found by name: 1 will receive it" in words(html)
    assert "No member is called 'Stranger 4997'." in html_lib.unescape(html)
    before = awards(web_engine, club.club)
    assert confirm(admin_web, club.club, html).status_code == 303
    assert awards(web_engine, club.club) - before == {(club.ada, "2026-11-01")}
