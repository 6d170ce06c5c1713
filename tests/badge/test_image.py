"""Badge image validation: PNG/SVG only, square, >= 90x90, <= 30 MB, SVG sanitised."""

from __future__ import annotations

from io import BytesIO

import defusedxml.ElementTree as SafeET
import pytest
from PIL import Image

from plaudit.badge.image import MAX_BADGE_BYTES, MIN_BADGE_SIZE, Badge, validate_badge
from plaudit.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

SVG_NS = "{http://www.w3.org/2000/svg}"
DANGEROUS = (
    "script",
    "onload",
    "onclick",
    "javascript:",
    "http://evil",
    "foreignobject",
    "<image",
    "<style",
    "<set",
    "<animate",
    "<!--",
    "<?php",
)


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    color: int | tuple[int, ...] = {"RGBA": (0, 0, 0, 0), "RGB": (200, 30, 30)}.get(mode, 7)
    out = BytesIO()
    Image.new(mode, (width, height), color).save(out, format="PNG")
    return out.getvalue()


def svg(body: str, attrs: str = 'width="100" height="100"') -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink" {attrs}>{body}</svg>'
    ).encode()


SAFE_BODY = (
    '<rect id="safe" x="0" y="0" width="100" height="100" fill="#fc0"/>'
    '<circle cx="50" cy="50" r="40" stroke="black" stroke-width="3"/>'
)


def tags(badge: Badge) -> list[str]:
    root = SafeET.fromstring(badge.content)
    return [el.tag.removeprefix(SVG_NS) for el in root.iter()]


def assert_safe(badge: Badge) -> None:
    text = badge.content.decode("utf-8").lower()
    for bad in DANGEROUS:
        assert bad not in text, f"{bad!r} survived in {text}"
    assert "rect" in tags(badge)
    assert "circle" in tags(badge)


# --- media type, size, emptiness -----------------------------------------------------------


@pytest.mark.parametrize("media_type", ["image/jpeg", "text/html", "image/gif", "", "png"])
def test_unsupported_media_type(media_type: str) -> None:
    with pytest.raises(UnsupportedMediaType) as info:
        validate_badge(png(100, 100), media_type)
    assert info.value.status == 415
    assert "image/png" in info.value.detail
    assert "image/svg+xml" in info.value.detail
    if media_type:
        assert media_type in info.value.detail


@pytest.mark.parametrize("media_type", ["IMAGE/PNG", "image/png; charset=binary", " image/png "])
def test_media_type_parameters_and_case(media_type: str) -> None:
    assert validate_badge(png(100, 100), media_type).media_type == "image/png"


@pytest.mark.parametrize("media_type", ["image/png", "image/svg+xml"])
def test_oversize_is_payload_too_large(media_type: str) -> None:
    with pytest.raises(PayloadTooLarge) as info:
        validate_badge(b"\0" * (MAX_BADGE_BYTES + 1), media_type)
    assert info.value.status == 413
    assert str(MAX_BADGE_BYTES) in info.value.detail


def test_exactly_max_bytes_passes_the_size_check() -> None:
    with pytest.raises(InvalidInput, match="not a PNG"):
        validate_badge(b"\0" * MAX_BADGE_BYTES, "image/png")


@pytest.mark.parametrize("media_type", ["image/png", "image/svg+xml"])
def test_empty_body_is_invalid(media_type: str) -> None:
    with pytest.raises(InvalidInput, match="empty") as info:
        validate_badge(b"", media_type)
    assert info.value.status == 422


# --- PNG -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "mode"), [(MIN_BADGE_SIZE, "RGB"), (400, "RGB"), (128, "RGBA"), (96, "P"), (90, "L")]
)
def test_square_png_accepted_unchanged(size: int, mode: str) -> None:
    data = png(size, size, mode)
    assert validate_badge(data, "image/png") == Badge(data, "image/png", size, size)


@pytest.mark.parametrize(("width", "height"), [(120, 90), (90, 120), (400, 399)])
def test_non_square_png_refused(width: int, height: int) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_badge(png(width, height), "image/png")
    assert info.value.detail == f"badge image must be square: got {width}x{height}"


@pytest.mark.parametrize("size", [1, 64, 89])
def test_small_png_refused(size: int) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_badge(png(size, size), "image/png")
    assert info.value.detail == (f"badge image must be at least 90x90 pixels: got {size}x{size}")


@pytest.mark.parametrize(
    "data",
    [
        png(100, 100)[:60],
        png(100, 100)[:-20],
        b"\x89PNG\r\n\x1a\n" + b"garbage" * 50,
        b"\x89PNG\r\n\x1a\n",
    ],
)
def test_broken_png_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="not a valid PNG"):
        validate_badge(data, "image/png")


def test_corrupt_chunk_crc_refused() -> None:
    data = bytearray(png(100, 100))
    data[-20] ^= 0xFF  # flip a byte inside the IDAT payload: CRC no longer matches
    with pytest.raises(InvalidInput, match="not a valid PNG"):
        validate_badge(bytes(data), "image/png")


def test_svg_declared_as_png_refused() -> None:
    with pytest.raises(InvalidInput, match="not a PNG"):
        validate_badge(svg(SAFE_BODY), "image/png")


def test_jpeg_declared_as_png_refused() -> None:
    out = BytesIO()
    Image.new("RGB", (100, 100)).save(out, format="JPEG")
    with pytest.raises(InvalidInput, match="not a PNG"):
        validate_badge(out.getvalue(), "image/png")


@pytest.mark.parametrize("limit", [100 * 100 - 1, 100 * 100 // 2 - 1])  # warning, then error
def test_decompression_bomb_refused(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    with pytest.raises(InvalidInput, match="too many pixels"):
        validate_badge(png(100, 100), "image/png")


# --- SVG: shape and size -------------------------------------------------------------------


def test_clean_svg_survives() -> None:
    body = (
        '<title>Gold star</title><defs><linearGradient id="g"><stop offset="0" '
        'stop-color="#ff0"/><stop offset="1" stop-color="#f80"/></linearGradient></defs>'
        + SAFE_BODY
        + '<path d="M10 10 L90 90" fill="url(#g)" style="stroke: red; stroke-width: 2"/>'
        '<g transform="translate(5,5)"><polygon points="0,0 10,0 5,8"/>'
        '<text x="10" y="20" font-size="12">Top <tspan>fan</tspan></text></g>'
        '<use xlink:href="#safe" x="1"/><use href="#safe"/>'
    )
    badge = validate_badge(svg(body), "image/svg+xml; charset=utf-8")
    assert (badge.media_type, badge.width, badge.height) == ("image/svg+xml", 100, 100)
    assert tags(badge) == [
        "svg",
        "title",
        "defs",
        "linearGradient",
        "stop",
        "stop",
        "rect",
        "circle",
        "path",
        "g",
        "polygon",
        "text",
        "tspan",
        "use",
        "use",
    ]
    root = SafeET.fromstring(badge.content)
    path = root.find(f"{SVG_NS}path")
    assert path is not None
    assert path.get("fill") == "url(#g)"
    assert path.get("style") == "stroke: red; stroke-width: 2"
    uses = root.findall(f"{SVG_NS}use")
    assert uses[0].get("{http://www.w3.org/1999/xlink}href") == "#safe"
    assert uses[1].get("href") == "#safe"
    assert "Top fan" in "".join(root.itertext())
    assert validate_badge(badge.content, "image/svg+xml") == badge  # sanitising is idempotent


@pytest.mark.parametrize(
    ("attrs", "size"),
    [
        ('viewBox="0 0 120 120"', 120),
        ('viewBox="-10,-10,90,90"', 90),
        ('width="90px" height="90px"', 90),
        ('width=" 200 " height="200" viewBox="0 0 10 20"', 200),
        ('width="150" viewBox="0 0 24 24"', 150),
        ('height="96" viewBox="0 0 10 10"', 96),
    ],
)
def test_svg_dimensions_accepted(attrs: str, size: int) -> None:
    badge = validate_badge(svg(SAFE_BODY, attrs), "image/svg+xml")
    assert (badge.width, badge.height) == (size, size)


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ('width="90mm" height="90mm"', "width must be in pixels (unitless or px): got '90mm'"),
        ('width="100" height="100%"', "height must be in pixels"),
        ('width="5em" height="5em"', "must be in pixels"),
        ('width="120" height="90"', "must be square: got 120x90"),
        ('viewBox="0 0 120 90"', "must be square: got 120x90"),
        ('viewBox="0 0 64 64"', "at least 90x90 pixels: got 64x64"),
        ('width="89.5" height="89.5"', "at least 90x90 pixels: got 89.5x89.5"),
        ('width="100" viewBox="0 0 10 20"', "must be square: got 100x200"),
        ("", "width and height attributes or a viewBox"),
        ('width="100"', "needs a viewBox"),
        ('viewBox="0 0 100"', "viewBox is malformed"),
        ('viewBox="0 0 0 0"', "positive size"),
        ('viewBox="0 0 nan nan"', "positive size"),
    ],
)
def test_svg_dimensions_refused(attrs: str, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_badge(svg(SAFE_BODY, attrs), "image/svg+xml")
    assert message in info.value.detail


@pytest.mark.parametrize(
    "data",
    [
        b"not xml at all",
        b"<svg xmlns='http://www.w3.org/2000/svg' width='100' height='100'><rect></svg>",
        "<svg>\u00e9</svg>".encode("latin-1"),
    ],
)
def test_malformed_svg_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="not well-formed"):
        validate_badge(data, "image/svg+xml")


@pytest.mark.parametrize(
    "data",
    [
        b'<svg width="100" height="100"><rect/></svg>',
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
        b'<x:svg xmlns:x="http://example.com/svg" width="100" height="100"/>',
    ],
)
def test_non_svg_root_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="not an SVG document"):
        validate_badge(data, "image/svg+xml")


def test_png_declared_as_svg_refused() -> None:
    with pytest.raises(InvalidInput, match="is a PNG"):
        validate_badge(png(100, 100), "image/svg+xml")


def test_deep_nesting_refused() -> None:
    with pytest.raises(InvalidInput, match="nested"):
        validate_badge(svg("<g>" * 500 + "</g>" * 500), "image/svg+xml")


# --- SVG: sanitising -----------------------------------------------------------------------

MALICIOUS = {
    "script": '<script>alert(1)</script><script xlink:href="http://evil/x.js"/>',
    "script-cdata": "<script><![CDATA[alert(document.cookie)]]></script>",
    "upper-script": "<SCRIPT>alert(1)</SCRIPT>",
    "onload": '<g onload="alert(1)" onclick="alert(2)"><rect width="1" height="1"/></g>',
    "onload-mixed-case": '<circle r="1" onLoad="alert(1)" ONCLICK="x()"/>',
    "a-javascript": '<a xlink:href="javascript:alert(1)"><rect width="5" height="5"/></a>',
    "a-href-entity": '<a href="&#106;avascript:alert(1)">link text</a>',
    "image-http": '<image href="http://evil/x.png" width="10" height="10"/>',
    "image-xlink": '<image xlink:href="http://evil/x.png"/>',
    "image-data": '<image href="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0Lz48L3N2Zz4="/>',
    "use-external": '<use href="http://evil/#x"/><use xlink:href="http://evil/sprite.svg#a"/>',
    "use-javascript": '<use href="javascript:alert(1)"/>',
    "foreignObject": (
        '<foreignObject width="100" height="100"><body '
        'xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script>'
        '<iframe src="http://evil/"/></body></foreignObject>'
    ),
    "style-url": '<rect width="1" height="1" style="background:url(http://evil)"/>',
    "style-url-fill": '<rect width="1" height="1" style="fill: url( \'http://evil/p#x\' )"/>',
    "style-escape": '<rect width="1" height="1" style="fill: u\\72l(http://evil)"/>',
    "style-expression": '<rect width="1" height="1" style="width: expression(alert(1))"/>',
    "style-element": "<style>@import url(http://evil/x.css); rect { fill: red }</style>",
    "attr-url": '<rect width="1" height="1" fill="url(http://evil/#p)" filter="url(data:x)"/>',
    "gradient-href": '<linearGradient id="l" href="http://evil/g.svg#g"/>',
    "animate-href": (
        '<a><set attributeName="href" to="javascript:alert(1)"/>'
        '<animate attributeName="href" values="javascript:alert(1)"/>x</a>'
    ),
    "feImage": '<filter id="f"><feImage href="http://evil/x.png"/></filter>',
    "comment-pi": "<!-- script --><?php echo 'javascript:'; ?>",
    "other-namespace": (
        '<evil:script xmlns:evil="http://evil/ns">alert(1)</evil:script>'
        '<rect xmlns:e="http://evil/ns" e:onload="alert(1)"/>'
    ),
    "xml-base": '<g xml:base="http://evil/"><rect/></g>',
}


@pytest.mark.parametrize("body", MALICIOUS.values(), ids=MALICIOUS.keys())
def test_malicious_svg_is_neutralised(body: str) -> None:
    badge = validate_badge(svg(SAFE_BODY + body), "image/svg+xml")
    assert_safe(badge)
    assert (badge.width, badge.height) == (100, 100)


def test_malicious_root_attributes_dropped() -> None:
    data = svg(
        SAFE_BODY,
        'width="100" height="100" onload="alert(1)" style="background-image:url(http://evil/)"',
    )
    badge = validate_badge(data, "image/svg+xml")
    assert_safe(badge)
    assert b"style" not in badge.content


def test_link_is_unwrapped_keeping_its_drawing() -> None:
    body = (
        '<text>Hello <a xlink:href="javascript:alert(1)"><tspan>dear</tspan> '
        'reader</a>!</text><a href="http://evil/"><rect/><circle r="1"/></a>'
    )
    badge = validate_badge(svg(body), "image/svg+xml")
    assert_safe(badge)
    assert "".join(SafeET.fromstring(badge.content).itertext()) == "Hello dear reader!"


def test_style_keeps_only_safe_declarations() -> None:
    body = (
        '<rect width="1" height="1" style="fill:#f00;background:url(http://evil);'
        'behavior:url(x.htc); stroke : url(#grad) ;-moz-binding:url(x)"/><circle/>'
    )
    root = SafeET.fromstring(validate_badge(svg(body), "image/svg+xml").content)
    rect = root.find(f"{SVG_NS}rect")
    assert rect is not None
    assert rect.get("style") == "fill: #f00; stroke: url(#grad)"


def test_use_without_safe_href_is_dropped() -> None:
    badge = validate_badge(svg(SAFE_BODY + '<use href="http://evil/#x"/>'), "image/svg+xml")
    assert "use" not in tags(badge)


@pytest.mark.parametrize(
    "doctype",
    [
        # billion laughs
        '<!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
        # XXE
        '<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        # external DTD
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
    ],
)
def test_dtd_and_entities_refused(doctype: str) -> None:
    entity = "&c;" if "ENTITY c" in doctype else "&xxe;" if "xxe" in doctype else ""
    data = (
        f'<?xml version="1.0"?>{doctype}<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="100" height="100"><text>{entity}</text></svg>'
    ).encode()
    with pytest.raises(InvalidInput, match="DTD") as info:
        validate_badge(data, "image/svg+xml")
    assert info.value.status == 422
