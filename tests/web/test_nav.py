"""The main menu marks the current section: every report page and the export page count as
"Reports"."""

from __future__ import annotations

import re

import pytest

from plaudit.web.nav import NAV
from tests.one_hop_client import TestClient

REPORTS_LINK = '<a href="/admin/reports/completion" aria-current="page">Reports</a>'


def current_entries(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    assert nav, "the page has no main menu"
    return re.findall(r'aria-current="page">([^<]+)</a>', nav.group(0))


@pytest.mark.parametrize(
    "path",
    ["/admin/reports/completion", "/admin/reports/activity", "/admin/exports"],
)
def test_reports_is_current_on_report_and_export_pages(admin_web: TestClient, path: str) -> None:
    response = admin_web.get(path)
    assert response.status_code == 200
    assert REPORTS_LINK in response.text
    assert current_entries(response.text) == ["Reports"]


def test_other_pages_do_not_mark_reports(admin_web: TestClient) -> None:
    html = admin_web.get("/admin/members").text
    assert current_entries(html) == ["Members"]


def test_prefixes_match_whole_path_segments() -> None:
    reports = next(item for item in NAV if item.label == "Reports")
    assert reports.is_current("/admin/reports")
    assert reports.is_current("/admin/exports/awards.csv")
    assert not reports.is_current("/admin/exportsx")
    assert not reports.is_current("/admin/reportsx/activity")
