"""The awards export for staff: the same bytes as the API's export for the same filters, as
an attachment; the form's dates; refusals."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.conftest import ADMIN_TOKEN
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.report_data import make_report_data

API = "/api/v1/exports/awards.csv"
PAGE = "/admin/exports/awards.csv"


def api_bytes(client: TestClient, query: str) -> bytes:
    response = client.get(f"{API}?{query}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200, response.text
    return response.content


def test_the_page_export_is_the_api_export(admin_web: TestClient, web_engine: Engine) -> None:
    data = make_report_data(web_engine)
    for query in (
        "",
        f"achievement_id={data.achievement_id}",
        f"team_id={data.north_id}&active=true",
        f"member_id={data.north_members[0]}&source=manual&bom=true",
        "awarded_after=2026-10-01T00:00:00%2B00:00&awarded_before=2026-11-01T00:00:00%2B00:00",
    ):
        response = admin_web.get(f"{PAGE}?{query}")
        assert response.status_code == 200, query
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        disposition = response.headers["content-disposition"]
        assert disposition == 'attachment; filename="awards-20261118T130000Z.csv"'
        assert response.content == api_bytes(admin_web, query), query
    rows = admin_web.get(f"{PAGE}?team_id={data.north_id}").content.decode().splitlines()
    assert len(rows) == 3  # header and North's two awards


def test_the_form_sends_empty_fields_and_whole_days(
    admin_web: TestClient, web_engine: Engine
) -> None:
    data = make_report_data(web_engine)
    form = (
        f"achievement_id={data.achievement_id}&team_id=&member_id=&source=&active="
        "&from=2026-10-01&to=2026-10-31"
    )
    response = admin_web.get(f"{PAGE}?{form}")
    assert response.status_code == 200
    expected = api_bytes(
        admin_web,
        f"achievement_id={data.achievement_id}&awarded_after=2026-10-01T00:00:00%2B00:00"
        "&awarded_before=2026-11-01T00:00:00%2B00:00",
    )
    assert response.content == expected
    assert len(expected.decode().splitlines()) == 2


def test_bad_filters_come_back_on_the_page(admin_web: TestClient) -> None:
    response = admin_web.get(f"{PAGE}?from=someday&team_id=x&colour=red")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Enter a date as YYYY-MM-DD." in page
    assert 'id="x-team_id-error"' in page
    assert "colour" in page


def test_the_export_page(admin_web: TestClient, web_engine: Engine) -> None:
    make_report_data(web_engine)
    page = admin_web.get("/admin/exports").text
    assert 'action="/admin/exports/awards.csv"' in page
    assert '<label for="x-achievement_id">Achievement</label>' in page
    assert "R&amp;D &lt;South&gt;" in page


def test_members_may_not_export(web: TestClient) -> None:
    anonymous = web.get(PAGE)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    sign_in(web, "member")
    refused = web.get(PAGE)
    assert refused.status_code == 403
    assert "text/csv" not in refused.headers["content-type"]
