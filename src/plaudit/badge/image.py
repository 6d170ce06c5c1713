"""Validate an uploaded image (an achievement's badge or background) and make it safe to
store and serve.

Product rules: PNG or SVG, at most 30 MB; a badge is square and at least 90x90, a background
any size (tiles show it at 234x160, scaled to cover). An SVG is sanitised with an allow-list
(elements, attributes, CSS properties); anything not known to be safe is dropped. Pure: no
FastAPI, no database.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from xml.etree.ElementTree import Element, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from PIL import Image

from plaudit.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

MAX_BADGE_BYTES = 30 * 1024 * 1024
MIN_BADGE_SIZE = 90
PNG = "image/png"
SVG = "image/svg+xml"
ALLOWED_MEDIA_TYPES = (PNG, SVG)
MAX_SVG_DEPTH = 100

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_XML_NS = "http://www.w3.org/XML/1998/namespace"

_FE = (
    "Blend ColorMatrix ComponentTransfer Composite ConvolveMatrix DiffuseLighting "
    "DisplacementMap DistantLight DropShadow Flood FuncA FuncB FuncG FuncR GaussianBlur "
    "Merge MergeNode Morphology Offset PointLight SpecularLighting SpotLight Tile Turbulence"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ELEMENTS = _words(
    "svg g path rect circle ellipse line polyline polygon text tspan defs linearGradient "
    "radialGradient stop clipPath mask marker title desc symbol use pattern filter"
) | {"fe" + name for name in _FE.split()}
# Presentation properties: allowed both as attributes and inside a `style` attribute.
_PROPERTIES = _words("""
    fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin
    stroke-miterlimit stroke-dasharray stroke-dashoffset stroke-opacity opacity color display
    visibility clip-path clip-rule mask filter font-family font-size font-weight font-style
    font-variant font-stretch text-anchor dominant-baseline alignment-baseline baseline-shift
    letter-spacing word-spacing text-decoration writing-mode direction unicode-bidi stop-color
    stop-opacity flood-color flood-opacity lighting-color marker-start marker-mid marker-end
    shape-rendering text-rendering image-rendering color-interpolation
    color-interpolation-filters paint-order vector-effect mix-blend-mode isolation overflow
    transform-origin transform-box""")
_ATTRIBUTES = _PROPERTIES | _words("""
    id class version baseProfile x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points
    viewBox preserveAspectRatio transform pathLength offset gradientUnits gradientTransform
    spreadMethod patternUnits patternContentUnits patternTransform clipPathUnits maskUnits
    maskContentUnits filterUnits primitiveUnits markerWidth markerHeight markerUnits refX refY
    orient dx dy rotate textLength lengthAdjust lang xml:space xml:lang
    in in2 result stdDeviation mode operator k1 k2 k3 k4 values type tableValues slope intercept
    amplitude exponent scale xChannelSelector yChannelSelector radius baseFrequency numOctaves
    seed stitchTiles kernelMatrix order divisor bias targetX targetY edgeMode preserveAlpha
    surfaceScale diffuseConstant specularConstant specularExponent kernelUnitLength azimuth
    elevation z pointsAtX pointsAtY pointsAtZ limitingConeAngle""")
_LOCAL_REF = re.compile(r"#[A-Za-z_][\w.:-]*")
_LOCAL_URL = re.compile(r"url\(([\"']?)#[a-z_][\w.:-]*\1\)")
_FORBIDDEN = ("javascript:", "vbscript:", "data:", "expression(", "@import", "url(", "\\", "<")
_LENGTH = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(px)?\s*")


@dataclass(frozen=True)
class Badge:
    content: bytes  # the bytes to store (sanitised SVG re-serialised; PNG unchanged)
    media_type: str  # "image/png" or "image/svg+xml"
    width: int
    height: int


@dataclass(frozen=True)
class ImageKind:
    """What an upload is for: its name in messages, and the size it must have."""

    noun: str  # "badge" or "background": messages say "badge image", "background SVG"
    check_size: Callable[[float, float], None]


def _badge_size(width: float, height: float) -> None:
    shown = f"{width:g}x{height:g}"
    if width != height:
        raise InvalidInput(detail=f"badge image must be square: got {shown}")
    if width < MIN_BADGE_SIZE:
        raise InvalidInput(
            detail=f"badge image must be at least {MIN_BADGE_SIZE}x{MIN_BADGE_SIZE} pixels: "
            f"got {shown}"
        )


def _any_size(width: float, height: float) -> None:
    """A background is scaled to cover the tile, so any shape will do."""


BADGE = ImageKind("badge", _badge_size)
BACKGROUND = ImageKind("background", _any_size)


def validate_badge(content: bytes, media_type: str) -> Badge:
    """Check an upload against the badge rules; return what to store, or raise a PlauditError."""
    return validate_image(content, media_type, BADGE)


def validate_background(content: bytes, media_type: str) -> Badge:
    """Check a tile background upload: the badge's formats and limits, any size."""
    return validate_image(content, media_type, BACKGROUND)


def validate_image(content: bytes, media_type: str, kind: ImageKind) -> Badge:
    """Check an upload of `kind`; return what to store, or raise a PlauditError."""
    declared = media_type.split(";", 1)[0].strip().lower()
    if declared not in ALLOWED_MEDIA_TYPES:
        raise UnsupportedMediaType(
            detail=f"{kind.noun} image type {declared or media_type!r} is not supported: "
            f"use {' or '.join(ALLOWED_MEDIA_TYPES)}"
        )
    if len(content) > MAX_BADGE_BYTES:
        raise PayloadTooLarge(
            detail=f"{kind.noun} image is {len(content)} bytes: the limit is {MAX_BADGE_BYTES} "
            "(30 MB)"
        )
    if not content:
        raise InvalidInput(detail=f"{kind.noun} image is empty")
    return _png(content, kind) if declared == PNG else _svg(content, kind)


def _png(content: bytes, kind: ImageKind) -> Badge:
    noun = kind.noun
    if not content.startswith(_PNG_SIGNATURE):
        raise InvalidInput(detail=f"{noun} image declared as image/png is not a PNG file")
    try:
        # Not thread-isolated before Python 3.14, but only turns bomb warnings into errors.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(content), formats=["PNG"]) as img:
                width, height = img.size
                img.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidInput(detail=f"{noun} image has too many pixels: {exc}") from exc
    except Exception as exc:  # any decoder failure on untrusted bytes is the upload's fault
        raise InvalidInput(detail=f"{noun} image is not a valid PNG: {exc}") from exc
    kind.check_size(width, height)
    return Badge(content=content, media_type=PNG, width=width, height=height)


def _svg(content: bytes, kind: ImageKind) -> Badge:
    noun = kind.noun
    if content.startswith(_PNG_SIGNATURE):
        raise InvalidInput(detail=f"{noun} image declared as image/svg+xml is a PNG file")
    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InvalidInput(
            detail=f"{noun} SVG must not contain a DTD, entities or external references"
        ) from exc
    except ParseError as exc:
        raise InvalidInput(detail=f"{noun} image is not well-formed SVG: {exc}") from exc
    if root.tag != f"{{{_SVG_NS}}}svg":
        raise InvalidInput(
            detail=f"{noun} image is not an SVG document: root element is "
            f"{root.tag!r}, expected <svg> in the {_SVG_NS} namespace"
        )
    width, height = _svg_size(root, noun)
    kind.check_size(width, height)
    _clean_attributes(root)
    _clean_children(root, depth=1, noun=noun)
    # Kept elements are SVG ones, now un-prefixed; declare the namespaces by hand since
    # tostring(default_namespace=...) refuses un-prefixed attributes.
    root.tag = "svg"
    root.set("xmlns", _SVG_NS)
    root.set("xmlns:xlink", _XLINK_NS)
    data = tostring(root, encoding="utf-8", xml_declaration=True)
    return Badge(content=data, media_type=SVG, width=round(width), height=round(height))


def _svg_size(root: Element, noun: str) -> tuple[float, float]:
    box = _view_box(root.get("viewBox"), noun)
    width, height = _length(root, "width", noun), _length(root, "height", noun)
    if width is None and height is None:
        if box is None:
            raise InvalidInput(detail=f"{noun} SVG needs width and height attributes or a viewBox")
        return box
    if width is not None and height is not None:
        return width, height
    if box is None:
        raise InvalidInput(detail=f"{noun} SVG with only one of width/height needs a viewBox")
    if width is not None:  # the missing side follows the viewBox's aspect ratio
        return width, width * box[1] / box[0]
    assert height is not None
    return height * box[0] / box[1], height


def _length(root: Element, name: str, noun: str) -> float | None:
    raw = root.get(name)
    if raw is None:
        return None
    match = _LENGTH.fullmatch(raw)
    if match is None:
        raise InvalidInput(
            detail=f"{noun} SVG {name} must be in pixels (unitless or px): got {raw!r}"
        )
    return float(match.group(1))


def _view_box(raw: str | None, noun: str) -> tuple[float, float] | None:
    if raw is None:
        return None
    try:
        _, _, width, height = (float(part) for part in raw.replace(",", " ").split())
    except ValueError as exc:
        raise InvalidInput(detail=f"{noun} SVG viewBox is malformed: {raw!r}") from exc
    if not (width > 0 and height > 0):  # also refuses NaN
        raise InvalidInput(detail=f"{noun} SVG viewBox must have a positive size: got {raw!r}")
    return width, height


def _add_text(parent: Element, kept: list[Element], text: str | None) -> None:
    if text:
        if kept:
            kept[-1].tail = (kept[-1].tail or "") + text
        else:
            parent.text = (parent.text or "") + text


def _clean_children(parent: Element, depth: int, noun: str) -> None:
    if depth > MAX_SVG_DEPTH:
        raise InvalidInput(detail=f"{noun} SVG is nested more than {MAX_SVG_DEPTH} levels deep")
    kept: list[Element] = []
    for child in list(parent):
        tag = child.tag  # comments and PIs have a function here; other namespaces never match
        name = tag.removeprefix(f"{{{_SVG_NS}}}") if isinstance(tag, str) else None
        if name == "a":  # unwrap the link, keep what it draws
            _clean_children(child, depth + 1, noun)
            _add_text(parent, kept, child.text)
            kept.extend(child)
            _add_text(parent, kept, child.tail)
        elif name in _ELEMENTS and name != tag:
            _clean_attributes(child)
            if name == "use" and not {"href", "xlink:href"} & child.attrib.keys():
                _add_text(parent, kept, child.tail)
                continue
            _clean_children(child, depth + 1, noun)
            child.tag = name
            kept.append(child)
        else:  # script, style, foreignObject, image, animate, comments, PIs, other namespaces
            _add_text(parent, kept, child.tail)
    parent[:] = kept


def _clean_attributes(element: Element) -> None:
    for key, value in list(element.attrib.items()):
        del element.attrib[key]  # re-set below if safe; the order of attributes is kept
        name = key.replace(f"{{{_XLINK_NS}}}", "xlink:").replace(f"{{{_XML_NS}}}", "xml:")
        if name in ("href", "xlink:href"):
            if _LOCAL_REF.fullmatch(value.strip()):
                element.set(name, value.strip())  # literal prefix, declared on the root
        elif name == "style":
            if style := _clean_style(value):
                element.set(key, style)
        elif name in _ATTRIBUTES and _safe_value(value):
            element.set(key, value)


def _safe_value(value: str) -> bool:
    compact = "".join(ch for ch in value.lower() if ch.isprintable() and not ch.isspace())
    compact = _LOCAL_URL.sub("", compact)
    return not any(bad in compact for bad in _FORBIDDEN)


def _clean_style(style: str) -> str:
    """Keep only allow-listed `property: value` declarations with safe values."""
    kept = []
    for declaration in style.split(";"):
        prop, sep, value = declaration.partition(":")
        prop, value = prop.strip().lower(), value.strip()
        if sep and prop in _PROPERTIES and value and _safe_value(value):
            kept.append(f"{prop}: {value}")
    return "; ".join(kept)
