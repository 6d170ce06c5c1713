"""Baking: an Open Badges assertion (2.0) or credential (3.0) carried inside the badge image.

Open Badges 2.0 (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/baking/index.html):
PNG: an ``iTXt`` chunk with the keyword ``openbadges`` whose text is the assertion JSON.
SVG: the root carries ``xmlns:openbadges`` and its first child is
``<openbadges:assertion verify="URL">`` holding the JSON in CDATA.

Open Badges 3.0 (https://www.imsglobal.org/spec/ob/v3p0/#baking): the same with the keyword
``openbadgecredential`` for PNG and, for SVG, the namespace ``https://purl.imsglobal.org/ob/v3p0``
and an ``<openbadges:credential>`` element holding the signed credential's JSON (its proof is
inside, so there is no ``verify`` attribute).
Pure: no web framework, no database.
"""

from __future__ import annotations

import base64
import json
from io import BytesIO
from typing import Any
from xml.sax.saxutils import quoteattr

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

OB_NAMESPACE = "https://purl.imsglobal.org/ob/v2p0"
KEYWORD = "openbadges"
V3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
V3_KEYWORD = "openbadgecredential"
SIZE = 256


def assertion_text(assertion: dict[str, Any]) -> str:
    return json.dumps(assertion, ensure_ascii=False, separators=(",", ":"))


def bake_png(png: bytes, assertion: dict[str, Any], keyword: str = KEYWORD) -> bytes:
    """The PNG re-encoded with one iTXt chunk of `keyword` (``openbadges`` for a 2.0
    assertion, ``openbadgecredential`` for a 3.0 credential); earlier text chunks dropped."""
    with Image.open(BytesIO(png)) as image:
        image.load()
        info = PngInfo()
        info.add_itxt(keyword, assertion_text(assertion), zip=False)
        out = BytesIO()
        image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def read_png_assertion(png: bytes, keyword: str = KEYWORD) -> dict[str, Any] | None:
    """The document baked into a PNG under `keyword`, or None (for tests and verifiers)."""
    with Image.open(BytesIO(png)) as image:
        image.load()
        text = getattr(image, "text", {}).get(keyword)
    return None if text is None else dict(json.loads(text))


def bake_svg(svg: bytes, assertion: dict[str, Any], verify_url: str) -> bytes:
    """The SVG with the 2.0 namespace declared on its root element and the assertion as the
    root's first child."""
    element = (
        f"<openbadges:assertion verify={quoteattr(verify_url)}>{_cdata(assertion)}"
        "</openbadges:assertion>"
    )
    return _with_first_child(svg, OB_NAMESPACE, element)


def bake_svg_credential(svg: bytes, credential: dict[str, Any]) -> bytes:
    """The SVG with the 3.0 namespace on its root and the signed credential as the root's
    first child, in ``<openbadges:credential>``."""
    element = f"<openbadges:credential>{_cdata(credential)}</openbadges:credential>"
    return _with_first_child(svg, V3_NAMESPACE, element)


def _cdata(document: dict[str, Any]) -> str:
    return "<![CDATA[" + assertion_text(document).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _with_first_child(svg: bytes, namespace: str, element: str) -> bytes:
    """`element` as the root's first child, ``xmlns:openbadges`` declared on the root. The
    stored badge SVG is already sanitised and serialised by ElementTree, so its root start
    tag is found reliably as the first ``<svg``."""
    text = svg.decode("utf-8")
    start = text.find("<svg")
    end = text.find(">", start)
    if start < 0 or end < 0:
        raise ValueError("not an SVG document")
    head = text[start:end]
    self_closing = head.endswith("/")
    if self_closing:
        head = head[:-1]
    if "xmlns:openbadges" not in head:
        head += f' xmlns:openbadges="{namespace}"'
    rest = text[end + 1 :]
    if self_closing:
        return (text[:start] + head + ">" + element + "</svg>" + rest).encode("utf-8")
    return (text[:start] + head + ">" + element + rest).encode("utf-8")


def svg_around_png(png: bytes) -> bytes:
    """An SVG showing a PNG (for a badge that has no SVG of its own)."""
    with Image.open(BytesIO(png)) as image:
        width, height = image.size
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><image width="{width}" height="{height}" '
        f'href="data:image/png;base64,{data}"/></svg>'
    ).encode()


def placeholder_png(background: str, foreground: str, letter: str) -> bytes:
    """A plain round badge (the achievement's colours and initial) when none was uploaded
    or only an SVG was, since baking a PNG needs a PNG."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=background)
    if letter:
        draw.text(
            (SIZE / 2, SIZE / 2), letter[:1].upper(), fill=foreground, anchor="mm", font_size=120
        )
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
