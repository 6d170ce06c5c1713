"""The SVG charts (plaudit.web.charts): well-formed, accessible, proportional, escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from plaudit.web.charts import PLOT_WIDTH, Bar, Column, bar_chart, column_chart, nice_top

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own markup, parsed to check it


def bars_of(root: ET.Element) -> list[float]:
    return [
        float(r.get("width", "0")) for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-bar"
    ]


def test_bar_chart_is_accessible_and_proportional() -> None:
    markup = bar_chart(
        "Completion of Profile pro",
        [Bar("North", 3, 4), Bar("South", 1, 4), Bar("East", 0, 5), Bar("Nobody", 0, 0)],
    )
    root = parse(markup)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None
    assert root.findtext(f"{SVG}title") == "Completion of Profile pro"
    desc = root.findtext(f"{SVG}desc") or ""
    assert "North: 3 of 4 (75%)" in desc
    assert bars_of(root) == [PLOT_WIDTH * 0.75, PLOT_WIDTH * 0.25, 0.0, 0.0]
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "3 of 4 (75%)" in texts
    assert "1 of 4 (25%)" in texts
    assert "0 of 0 (—)" in texts


def test_bar_wider_than_its_track_is_capped() -> None:
    root = parse(bar_chart("Over", [Bar("Team", 6, 4)]))
    assert bars_of(root) == [PLOT_WIDTH]
    assert "6 of 4 (150%)" in [t.text for t in root.iter(f"{SVG}text")]


def test_names_are_escaped() -> None:
    name = 'R&D <script>alert("x")</script>'
    markup = bar_chart(f"Completion of {name}", [Bar(name[:20], 1, 2)])
    assert "<script>" not in markup
    root = parse(markup)
    assert root.findtext(f"{SVG}title") == f"Completion of {name}"
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert labels == [name[:20]]
    columns = column_chart("A <b> & c", [Column("<x> & y", 2, "<s>")])
    croot = parse(columns)
    assert croot.findtext(f"{SVG}title") == "A <b> & c"
    assert "<x>" not in columns and "<s>" not in columns


def test_empty_data_still_draws_a_valid_chart() -> None:
    root = parse(bar_chart("Nothing", []))
    assert root.get("role") == "img"
    assert "No data." in [t.text for t in root.iter(f"{SVG}text")]
    croot = parse(column_chart("Nothing", []))
    assert croot.get("role") == "img"
    assert "No data." in [t.text for t in croot.iter(f"{SVG}text")]


def test_column_heights_are_proportional() -> None:
    root = parse(column_chart("Awards", [Column("Jan", 10), Column("Feb", 5), Column("Mar", 0)]))
    heights = [
        float(r.get("height", "0"))
        for r in root.iter(f"{SVG}rect")
        if r.get("class") == "chart-bar"
    ]
    assert heights[0] == 2 * heights[1]
    assert heights[2] == 0
    titles = [t.text for r in root.iter(f"{SVG}rect") for t in r.iter(f"{SVG}title")]
    assert titles == ["Jan: 10", "Feb: 5", "Mar: 0"]


def test_nice_top() -> None:
    assert nice_top(0) == 1
    assert nice_top(7) == 10
    assert nice_top(10) == 10
    assert nice_top(11) == 20
    assert nice_top(0.3) == 0.5
    assert nice_top(4200) == 5000
