"""The report pages: completion by team as a table and accessible SVG bar charts, and awards
and points over time as column charts, with their filters."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from sqlalchemy import Engine

from plaudit.web.charts import PLOT_WIDTH
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.report_data import ODD_TEAM, make_report_data

SVG = "{http://www.w3.org/2000/svg}"
SVG_BLOCK = re.compile(r"<svg .*?</svg>", re.S)


def charts_of(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in SVG_BLOCK.findall(html)]  # noqa: S314 - our own page


def bar_widths(chart: ET.Element) -> list[float]:
    return [
        float(r.get("width", "0"))
        for r in chart.iter(f"{SVG}rect")
        if r.get("class") == "chart-bar"
    ]


def test_completion_by_team_as_table_and_chart(admin_web: TestClient, web_engine: Engine) -> None:
    make_report_data(web_engine)
    response = admin_web.get("/admin/reports/completion")
    assert response.status_code == 200
    page = response.text
    assert "R&amp;D &lt;South&gt;" in page and ODD_TEAM not in page
    assert "<caption" in page and 'scope="row"' in page and 'data-label="Team"' in page
    charts = charts_of(page)
    titles = [c.findtext(f"{SVG}title") for c in charts]
    assert titles[:2] == ["Completion of Helper by team", "Completion of Closer by team"]
    helper = charts[0]
    assert helper.get("role") == "img"
    # Ada (no team) is eligible too: rows are North, R&D <South>, No team.
    assert bar_widths(helper) == [PLOT_WIDTH * 2 / 3, PLOT_WIDTH / 2, 0]
    desc = helper.findtext(f"{SVG}desc") or ""
    assert "North: 2 of 3 (67%)" in desc and f"{ODD_TEAM}: 1 of 2 (50%)" in desc
    labels = [t.text for t in helper.iter(f"{SVG}text")]
    assert "2 of 3 (67%)" in labels and ODD_TEAM in labels
    assert 'action="/admin/exports/awards.csv"' in page and "Export awards (CSV)" in page


def test_completion_filters(admin_web: TestClient, web_engine: Engine) -> None:
    data = make_report_data(web_engine)
    north = admin_web.get(
        f"/admin/reports/completion?team_id={data.north_id}&achievement_id={data.achievement_id}"
    )
    assert north.status_code == 200
    charts = charts_of(north.text)
    assert len(charts) == 1 and bar_widths(charts[0]) == [PLOT_WIDTH * 2 / 3]
    month = admin_web.get(
        f"/admin/reports/completion?period=month&date=2026-11-03&team_id={data.north_id}"
        f"&achievement_id={data.achievement_id}"
    )
    assert month.status_code == 200
    assert "Awards of the month from 2026-11-01 to 2026-12-01" in month.text
    assert bar_widths(charts_of(month.text)[0]) == [PLOT_WIDTH / 3]
    bad = admin_web.get("/admin/reports/completion?date=yesterday&period=fortnight")
    assert bad.status_code == 400
    assert "Enter a date as YYYY-MM-DD." in bad.text
    unknown = admin_web.get("/admin/reports/completion?team_id=9999")
    assert unknown.status_code == 404 and "Team 9999 does not exist" in unknown.text


def test_awards_and_points_over_time(admin_web: TestClient, web_engine: Engine) -> None:
    data = make_report_data(web_engine)
    response = admin_web.get("/admin/reports/activity")
    assert response.status_code == 200
    page = response.text
    # revoked award left out: Sep 1, Oct 1, Nov 1
    assert "3 awards and 30 points given" in page
    awards, points = charts_of(page)
    assert awards.findtext(f"{SVG}title") == "Awards given, last 12 months, by month"
    columns = [t.text for r in awards.iter(f"{SVG}rect") for t in r.iter(f"{SVG}title")]
    assert len(columns) == 12
    assert columns[-3:] == [
        "September 2026: 1 awards",
        "October 2026: 1 awards",
        "November 2026: 1 awards",
    ]
    assert "November 2026: 10 points" in [t.text for t in points.iter(f"{SVG}title")]
    assert '<th scope="row" data-label="Month">November 2026</th>' in page
    weeks = admin_web.get(f"/admin/reports/activity?range=8w&team_id={data.north_id}")
    assert weeks.status_code == 200
    assert "2 awards and 20 points given" in weeks.text  # North, last 8 weeks: 5 Oct, 10 Nov
    assert "Week of 9 Nov 2026" in weeks.text
    days = admin_web.get("/admin/reports/activity?range=30d")
    assert "1 award and 10 points" in days.text  # only 10 Nov is in the last 30 days
    bad = admin_web.get("/admin/reports/activity?team_id=abc")
    assert bad.status_code == 400


def test_reports_are_for_staff(web: TestClient) -> None:
    sign_in(web, "manager")
    assert web.get("/admin/reports").headers["location"] == "/admin/reports/completion"
    assert web.get("/admin/reports/completion").status_code == 200


def test_members_may_not_see_reports(web: TestClient) -> None:
    sign_in(web, "member")
    assert web.get("/admin/reports/activity").status_code == 403
