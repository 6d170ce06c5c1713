"""Baking assertions into PNG and SVG badges, read back with real readers (Pillow, an XML
parser): whatever the assertion holds comes back unchanged."""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

from defusedxml.ElementTree import fromstring
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from plaudit.openbadges import baking

NS = "{https://purl.imsglobal.org/ob/v2p0}assertion"
SVG_NS = "{http://www.w3.org/2000/svg}"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
assertions = st.dictionaries(st.text(min_size=1, max_size=10), json_values, max_size=5)
PNG = baking.placeholder_png("#3056d3", "#ffffff", "Deal")


@given(assertions)
def test_png_round_trip(assertion: dict[str, Any]) -> None:
    baked = baking.bake_png(PNG, assertion)
    assert baking.read_png_assertion(baked) == assertion
    with Image.open(BytesIO(baked)) as image:
        image.load()
        assert image.size == (256, 256)
        assert json.loads(image.text["openbadges"]) == assertion


def test_baking_twice_keeps_one_chunk() -> None:
    baked = baking.bake_png(baking.bake_png(PNG, {"n": 1}), {"n": 2})
    assert baked.count(b"iTXt") == 1
    assert baking.read_png_assertion(baked) == {"n": 2}


def test_unbaked_png_has_no_assertion() -> None:
    assert baking.read_png_assertion(PNG) is None


@given(assertions)
def test_svg_round_trip(assertion: dict[str, Any]) -> None:
    svg = baking.svg_around_png(PNG)
    baked = baking.bake_svg(svg, assertion, "https://b.example/ob/v2/assertions/x")
    root = fromstring(baked)
    assert root.tag == SVG_NS + "svg"
    first = root[0]
    assert first.tag == NS
    assert first.get("verify") == "https://b.example/ob/v2/assertions/x"
    assert json.loads(first.text or "") == assertion
    assert root.find(SVG_NS + "image") is not None


def test_svg_self_closing_root_and_cdata_end_in_text() -> None:
    baked = baking.bake_svg(
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="90" height="90"/>',
        {"text": "a]]>b"},
        "https://b.example/a",
    )
    root = fromstring(baked)
    assert json.loads(root[0].text or "") == {"text": "a]]>b"}


@given(assertions)
def test_credential_round_trip_in_png_and_svg(credential: dict[str, Any]) -> None:
    """Open Badges 3.0: keyword "openbadgecredential" in PNG, <openbadges:credential> in the
    v3p0 namespace in SVG, without a verify attribute (the proof travels inside)."""
    png = baking.bake_png(PNG, credential, baking.V3_KEYWORD)
    assert baking.read_png_assertion(png, baking.V3_KEYWORD) == credential
    assert baking.read_png_assertion(png) is None
    root = fromstring(baking.bake_svg_credential(baking.svg_around_png(PNG), credential))
    first = root[0]
    assert first.tag == "{https://purl.imsglobal.org/ob/v3p0}credential"
    assert first.get("verify") is None
    assert json.loads(first.text or "") == credential
