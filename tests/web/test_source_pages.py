"""The sources screen: the list with counts, a source's page with its fields, default filters
and records, creating a source, adding fields, editing default filters, and deleting a
record behind a confirmation that asks why (the engine re-evaluates, the audit log keeps it)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.models import AuditEvent, Award, Record, Source
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site, csrf_of
from tests.web.source_data import add_deals, big_dealer


def post(client: TestClient, page: str, action: str, data: dict[str, str]) -> Any:
    """POST `data` to `action` with the CSRF token of `page` and the hidden fields of its
    form for `action` (the client's response)."""
    html = client.get(page).text
    form = re.search(f'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    found = re.findall(
        r'type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0) if form else ""
    )
    hidden = {name: unescape(value) for name, value in found}
    return client.post(action, data={**hidden, **data, "csrf_token": csrf_of(html)})


def source(engine: Engine, key: str) -> Source | None:
    with Session(engine) as session:
        return session.scalars(select(Source).where(Source.key == key)).first()


def deal_ids(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.execute(select(Record.external_id, Record.id).join(Source)).all()
        return {str(ext): rid for ext, rid in rows if ext}


def test_the_list_counts_fields_and_records(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    add_deals(web_engine, site.member_id, 10, 20, 30)
    html = admin_web.get("/admin/sources").text
    deals = re.search(r'<a href="/admin/sources/deals">Deals</a>.*?</tr>', html, re.S)
    assert deals, html
    row = deals.group(0)
    assert '<td data-label="Fields" class="num">5</td>' in row
    assert '<td data-label="Records" class="num">3</td>' in row
    assert "2026-11-18 09:00" in row  # received at the (fixed) ingest time
    profile = re.search(r'href="/admin/sources/company_profile_updated">.*?</tr>', html, re.S)
    assert profile and 'data-label="Records" class="num">1<' in profile.group(0)
    assert 'href="/admin/sources/new"' in html


def test_managers_read_but_do_not_edit(web: TestClient, site: Site, web_engine: Engine) -> None:
    add_deals(web_engine, site.member_id, 10)
    sign_in(web, "manager")
    listing = web.get("/admin/sources")
    assert listing.status_code == 200
    assert 'href="/admin/sources/new"' not in listing.text
    page = web.get("/admin/sources/deals")
    assert page.status_code == 200
    assert "Ada Lovelace" in page.text
    assert "/records/" not in page.text  # no delete buttons
    assert "Add fields" not in page.text
    assert web.get("/admin/sources/new").status_code == 403
    record_id = deal_ids(web_engine)["d1"]
    assert web.get(f"/admin/sources/deals/records/{record_id}/delete").status_code == 403


@pytest.mark.parametrize(
    "path", ["/admin/sources", "/admin/sources/deals", "/admin/audit", "/admin/sources/new"]
)
def test_members_get_403(web: TestClient, path: str) -> None:
    sign_in(web, "member")
    response = web.get(path)
    assert response.status_code == 403
    assert "This page is not for your role" in response.text


def test_a_source_page_shows_fields_filters_and_records(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    add_deals(web_engine, site.member_id, 1200.5, 40)
    add_deals(web_engine, site.other_member_id, 7, first=3)
    html = admin_web.get("/admin/sources/deals").text
    for name, label, kind in (
        ("status", "Status", "text"),
        ("value", "Value", "number"),
        ("close_date", "Close date", "date"),
    ):
        assert f'<li>{label} <code>{name}</code> <span class="tag">{kind}</span></li>' in html
    assert "None: new rules start with every record." in html
    # Newest first: Grace's d3 (09:00) and Ada's d2 (10:00) and d1 (09:00), the data as columns.
    rows = re.findall(r"<tr>\s*<td data-label=\"Occurred\".*?</tr>", html, re.S)
    assert len(rows) == 3
    assert "2026-11-18 10:00" in rows[0] and "<code>d2</code>" in rows[0]
    assert '<td data-label="Value" class="num">40</td>' in rows[0]
    assert "Ada Lovelace" in rows[0] and f'href="/admin/members/{site.member_id}"' in rows[0]
    assert "<code>d3</code>" in rows[1] and "Grace Hopper" in rows[1]
    assert '<td data-label="Value" class="num">1,200.50</td>' in rows[2]
    assert '<td data-label="Approved">yes</td>' in rows[2]
    assert '<td data-label="Close date">—</td>' in rows[2]  # absent value
    assert "(3 in all)" in html


def test_records_are_paginated(admin_web: TestClient, site: Site, web_engine: Engine) -> None:
    add_deals(web_engine, site.member_id, *range(30))
    first = admin_web.get("/admin/sources/deals").text
    assert len(re.findall(r'<td data-label="Occurred"', first)) == 25
    assert "<code>d30</code>" in first and "<code>d5</code>" not in first
    assert 'href="/admin/sources/deals?page=2#records"' in first
    second = admin_web.get("/admin/sources/deals?page=2").text
    assert len(re.findall(r'<td data-label="Occurred"', second)) == 5
    assert "<code>d5</code>" in second and "<code>d1</code>" in second
    assert "Older →" not in second and "← Newer" in second
    assert "No more records" in admin_web.get("/admin/sources/deals?page=9").text


def test_unknown_source_is_a_404_page(admin_web: TestClient) -> None:
    response = admin_web.get("/admin/sources/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_create_a_source_with_fields(admin_web: TestClient, web_engine: Engine) -> None:
    data = {
        "name": "Calls",
        "key": "calls",
        "field-0-name": "minutes",
        "field-0-type": "number",
        "field-1-name": "",
        "field-1-type": "string",
        "field-2-name": "outcome",
        "field-2-type": "string",
    }
    response = post(admin_web, "/admin/sources/new", "/admin/sources", data)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/sources/calls"
    created = source(web_engine, "calls")
    assert created is not None and created.name == "Calls"
    assert created.fields == [
        {"name": "minutes", "type": "number"},
        {"name": "outcome", "type": "string"},
    ]
    assert "Created the source “Calls”" in admin_web.get("/admin/sources/calls").text


def test_a_bad_new_source_says_what_is_wrong_and_writes_nothing(
    admin_web: TestClient, web_engine: Engine
) -> None:
    data = {
        "name": "",
        "key": "Bad Key",
        "field-0-name": "2fast",
        "field-0-type": "number",
        "field-1-name": "ok",
        "field-1-type": "nonsense",
    }
    response = post(admin_web, "/admin/sources/new", "/admin/sources", data)
    assert response.status_code == 400
    html = response.text
    assert "Enter a name people read" in html
    assert "The key “Bad Key” can hold only lowercase letters" in html
    assert "The field name “2fast” can hold only letters" in html
    assert "Choose the type of the field “ok”." in html
    assert "should" not in html.lower().split("<main")[1]  # no raw validator wording
    assert source(web_engine, "bad key") is None
    dup = post(admin_web, "/admin/sources/new", "/admin/sources", {"name": "D", "key": "deals"})
    assert dup.status_code == 400
    assert "A source with key &#39;deals&#39; already exists." in dup.text


def test_add_fields(admin_web: TestClient, web_engine: Engine) -> None:
    page = "/admin/sources/company_profile_updated"
    data = {"field-0-name": "section", "field-0-type": "string", "field-1-name": ""}
    response = post(admin_web, page, page + "/fields", data)
    assert response.status_code == 303
    assert source(web_engine, "company_profile_updated").fields == [  # type: ignore[union-attr]
        {"name": "section", "type": "string"}
    ]
    again = post(admin_web, page, page + "/fields", {"field-0-name": "section"})
    assert again.status_code == 400
    assert "There is already a field “section”." in again.text
    empty = post(admin_web, page, page + "/fields", {"field-0-name": ""})
    assert "Enter the name of at least one new field." in empty.text


def test_edit_default_filters(admin_web: TestClient, web_engine: Engine) -> None:
    page = "/admin/sources/deals"
    data = {
        "name": "Deals won",
        "filter-0-field": "status",
        "filter-0-op": "eq",
        "filter-0-value": "Approved",
        "filter-1-field": "currency",
        "filter-1-op": "in",
        "filter-1-value": "EUR, USD",
        "filter-2-field": "value",
        "filter-2-op": "gte",
        "filter-2-value": "100",
        "filter-3-field": "",
    }
    response = post(admin_web, page, page, data)
    assert response.status_code == 303, response.text
    saved = source(web_engine, "deals")
    assert saved is not None and saved.name == "Deals won"
    assert saved.default_where == [
        {"field": "status", "op": "eq", "value": "Approved"},
        {"field": "currency", "op": "in", "value": ["EUR", "USD"]},
        {"field": "value", "op": "gte", "value": 100},
    ]
    html = admin_web.get(page).text
    assert "<li>status is Approved</li>" in html
    assert "<li>currency is one of EUR, USD</li>" in html
    assert "<li>value is at least 100</li>" in html
    # Shown back in the form to edit, the list joined by commas.
    assert 'name="filter-1-value" type="text" value="EUR, USD"' in html


def test_bad_default_filters_are_named_and_nothing_changes(
    admin_web: TestClient, web_engine: Engine
) -> None:
    page = "/admin/sources/deals"
    data = {
        "name": "Deals",
        "filter-0-field": "value",
        "filter-0-op": "gt",
        "filter-0-value": "lots",
        "filter-1-field": "status",
        "filter-1-op": "gt",
        "filter-1-value": "A",
        "filter-2-field": "close_date",
        "filter-2-op": "eq",
        "filter-2-value": "",
    }
    response = post(admin_web, page, page, data)
    assert response.status_code == 400
    assert "“lots” is not a number." in response.text
    # The summary says which row: "Default filters: filter 1", linked to the filters.
    assert '<a href="#f-default_where">Default filters: filter 1</a>: “lots”' in response.text
    assert "“is more than” does not apply to “status”, a text field." in response.text
    assert "Enter the value “close_date” is compared with." in response.text
    assert source(web_engine, "deals").default_where == []  # type: ignore[union-attr]


def test_delete_a_record_asks_why_then_re_evaluates_and_audits(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    achievement_id = big_dealer(web_engine)
    add_deals(web_engine, site.member_id, 60)
    record_id = deal_ids(web_engine)["d1"]
    confirm = f"/admin/sources/deals/records/{record_id}/delete"
    html = admin_web.get("/admin/sources/deals").text
    assert f'href="{confirm}"' in html
    page = admin_web.get(confirm)
    assert page.status_code == 200
    assert "Delete record “d1” of Deals?" in page.text
    assert "Ada Lovelace" in page.text and "60" in page.text

    no_reason = post(admin_web, confirm, confirm, {"reason": "  "})
    assert no_reason.status_code == 400
    assert "Enter the reason" in no_reason.text
    assert record_id in deal_ids(web_engine).values()

    stale = post(admin_web, confirm, confirm, {"reason": "Entered twice", "record": "1|x|d9"})
    assert stale.status_code == 303
    assert "nothing was deleted" in admin_web.get("/admin/sources/deals").text
    assert record_id in deal_ids(web_engine).values()

    done = post(admin_web, confirm, confirm, {"reason": "Entered twice"})
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/sources/deals#records"
    assert "Deleted record “d1” of Deals." in admin_web.get("/admin/sources/deals").text
    assert deal_ids(web_engine) == {}
    audit = admin_web.get("/admin/audit?action=record.delete").text
    assert '<a href="/admin/sources/deals">Deals</a> for <a href' in audit
    assert "Deleted record “d1” of" in audit and "Entered twice" in audit
    # Deleting it again: already gone, said plainly.
    again = post(admin_web, "/admin/sources/deals", confirm, {"reason": "x"})
    assert again.status_code == 303
    assert "That record is already deleted." in admin_web.get("/admin/sources/deals").text
    assert admin_web.get(confirm).status_code == 404
    # The 60 no longer counts: another 60 is not yet 100.
    add_deals(web_engine, site.member_id, 60, first=2)
    with Session(web_engine) as session:
        assert (
            session.scalars(select(Award).where(Award.achievement_id == achievement_id)).all() == []
        )
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "record.delete")
        ).one()
        assert (event.actor, event.reason, event.entity_id) == (
            "user:admin",
            "Entered twice",
            record_id,
        )
        assert event.details["data"]["value"] == 60
    add_deals(web_engine, site.member_id, 40, first=3)
    with Session(web_engine) as session:
        assert len(session.scalars(select(Award)).all()) == 1
