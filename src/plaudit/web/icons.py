"""An achievement's icon as HTML: the icon set's inline SVG for a name, the emoji for an emoji,
always with an accessible name and never the stored text shown as if it were an icon."""

from __future__ import annotations

from functools import cache
from xml.etree import ElementTree

from defusedxml.ElementTree import fromstring
from markupsafe import Markup

from plaudit.kit.icons import DEFAULT_ICON, icon_source, is_emoji_text, is_icon_name

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"


@cache
def icon_svg(name: str) -> Markup:
    """The inline SVG of the icon `name` (which must be in the set), decorative, sized by CSS
    (`.icon svg`; 1em without the style sheet): the package's file without its namespace."""
    svg = fromstring(icon_source(name))
    for node in svg.iter():
        node.tag = node.tag.removeprefix(SVG_NAMESPACE)
    svg.attrib.update({"width": "1em", "height": "1em", "class": "icon-svg", "aria-hidden": "true"})
    svg.attrib["focusable"] = "false"
    markup = ElementTree.tostring(svg, encoding="unicode")  # escapes every attribute
    return Markup(" ".join(markup.split()))  # noqa: S704 - the package's file, no user text


def render_icon(
    value: str | None, label: str, css_class: str = "", *, decorative: bool = False
) -> Markup:
    """`value` (an icon name or an emoji; anything else, as older rows may hold, shows the
    default icon) in a span named `label` for screen readers; `decorative` hides it from them
    instead, for an icon right beside the same name in text."""
    classes = " ".join(c for c in ("icon", css_class) if c)
    if decorative:
        attrs = Markup('class="{}" aria-hidden="true"').format(classes)
    else:
        attrs = Markup('class="{}" role="img" aria-label="{}" title="{}"').format(
            classes, label, label
        )
    if value and is_emoji_text(value):
        return Markup("<span {} data-emoji>{}</span>").format(attrs, value)
    name = value if value and is_icon_name(value) else DEFAULT_ICON
    return Markup('<span {} data-icon="{}">{}</span>').format(attrs, name, icon_svg(name))
