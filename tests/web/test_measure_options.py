"""The leaderboard's measure list offers only measures that make sense of a source's fields,
in words: counting any source; sum, average, smallest and largest of number fields only;
distinct values of text and date fields only. Saved boards are named the same way."""

from __future__ import annotations

from sqlalchemy import Engine

from plaudit.models import Source
from plaudit.rules.model import FieldType
from plaudit.web.forms.leaderboard import measure_label, measure_options
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site
from tests.web.test_board_pages import OPTION, approved_value


def source(key: str, name: str, **fields: FieldType) -> Source:
    return Source(
        key=key,
        name=name,
        fields=[{"name": n, "type": t.value} for n, t in fields.items()],
        default_where=[],
    )


def test_each_field_type_gets_the_measures_that_fit_it() -> None:
    deals = source(
        "deals",
        "Deals",
        customer_name=FieldType.STRING,
        deal_value=FieldType.NUMBER,
        close_date=FieldType.DATE,
        won=FieldType.BOOLEAN,
        closed_at=FieldType.DATETIME,
    )
    assert measure_options([deals]) == [
        ("points", "Points"),
        ("deals/count", "Deals: number of records"),
        ("deals/sum/deal_value", "Deals: sum of deal value"),
        ("deals/avg/deal_value", "Deals: average of deal value"),
        ("deals/min/deal_value", "Deals: smallest deal value"),
        ("deals/max/deal_value", "Deals: largest deal value"),
        ("deals/count_distinct/customer_name", "Deals: distinct values of customer name"),
        ("deals/count_distinct/close_date", "Deals: distinct values of close date"),
    ]


def test_a_source_without_fields_is_counted_only() -> None:
    logins = source("logins", "Logins")
    assert measure_options([logins])[1:] == [("logins/count", "Logins: number of records")]


def test_a_measure_not_in_the_list_is_still_named_in_words() -> None:
    deals = source("deals", "Deals", won=FieldType.BOOLEAN)
    options = measure_options([deals])
    label = measure_label("deals*/count_distinct/won", options, [deals])
    assert label == "Deals (default filters): distinct values of won"
    assert measure_label("deals/count", options, [deals]) == "Deals: number of records"


def test_the_pages_list_measures_in_words(web: TestClient, site: Site, web_engine: Engine) -> None:
    board = approved_value(web_engine)
    sign_in(web, "admin")
    page = web.get("/leaderboard").text
    offered = dict(OPTION.findall(page))
    # The seeded Deals source: status, currency (text), value (number), close_date (date),
    # approved (yes/no).
    assert offered["deals/sum/value"] == "Deals: sum of value"
    assert offered["deals/count_distinct/close_date"] == "Deals: distinct values of close date"
    assert "deals/count_distinct/approved" not in offered
    assert "deals/count_distinct/value" not in offered
    assert not any("/sum/status" in value for value in offered)
    boards = web.get("/admin/boards").text
    assert "Deals (status is Approved): sum of value" in boards
    assert "sum(deals.value)" not in boards
    edit = web.get(f"/admin/boards/{board}").text
    assert "Measure now: Deals (status is Approved): sum of value" in edit
