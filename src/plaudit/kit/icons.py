"""The icon set an achievement's `icon` names (Lucide, from the `lucide` package), and what
else the field may hold: a single emoji, kept as typed.

The set is the package's own: the names are read from the SVG archive it ships, so a newer
`lucide` brings its new icons without a change here.
"""

from __future__ import annotations

import difflib
import zipfile
from functools import cache
from importlib import resources

import emoji

DEFAULT_ICON = "award"
"""Shown for an achievement without an icon, and what the migration gives values it cannot
map."""

FEATURED_ICONS = (
    "award", "trophy", "medal", "crown", "star", "gem", "rocket", "flame", "zap", "target",
    "sparkles", "party-popper", "gift", "heart", "thumbs-up", "handshake", "megaphone", "phone",
    "headset", "mail", "calendar", "clock", "trending-up", "chart-line", "coins", "banknote",
    "piggy-bank", "briefcase", "users", "graduation-cap", "book-open", "lightbulb", "compass",
    "map-pin", "globe", "flag", "shield", "badge-check", "circle-check", "id-card",
)  # fmt: skip
"""Offered first by the picker before anything is typed: the ones achievements tend to use."""

_ARCHIVE = "lucide.zip"
_MAX_SUGGESTIONS = 5


@cache
def _sources() -> dict[str, bytes]:
    """Every icon's SVG file, by name, read in one pass over the package's archive (opening it
    per icon, as the package's own helper does, costs tens of milliseconds an icon)."""
    with (
        resources.files("lucide").joinpath(_ARCHIVE).open("rb") as raw,
        zipfile.ZipFile(raw) as archive,
    ):
        return {
            n.removesuffix(".svg"): archive.read(n)
            for n in archive.namelist()
            if n.endswith(".svg")
        }


@cache
def icon_names() -> tuple[str, ...]:
    """Every icon name of the set, sorted."""
    return tuple(sorted(_sources()))


def icon_source(name: str) -> bytes:
    """The SVG file of the icon `name`, as the package ships it (KeyError if there is none)."""
    return _sources()[name]


@cache
def _name_set() -> frozenset[str]:
    return frozenset(icon_names())


def is_icon_name(value: str) -> bool:
    """True when `value` is exactly the name of an icon of the set."""
    return value in _name_set()


def is_emoji(value: str) -> bool:
    """True when `value` is one emoji (a flag, a skin tone or a ZWJ family counts as one)."""
    return emoji.purely_emoji(value) and len(emoji.emoji_list(value)) == 1


def is_emoji_text(value: str) -> bool:
    """True when `value` is made only of emoji (older values may hold more than one)."""
    return bool(value) and emoji.purely_emoji(value)


def normalise_name(value: str) -> str:
    """`value` written as the set writes names: lower case, words joined by '-'."""
    return "-".join(value.strip().lower().replace("_", " ").split())


def search_icons(query: str, limit: int | None = None) -> list[str]:
    """Icon names matching `query`: the exact name first, then names that start with it, then
    names containing it; for an empty query every name, the featured ones first."""
    wanted = normalise_name(query)
    names = icon_names()
    if not wanted:
        found = list(FEATURED_ICONS) + [n for n in names if n not in FEATURED_ICONS]
    else:
        exact = [wanted] if is_icon_name(wanted) else []
        starts = [n for n in names if n.startswith(wanted) and n != wanted]
        contains = [n for n in names if wanted in n and not n.startswith(wanted)]
        found = exact + starts + contains
    return found if limit is None else found[:limit]


def close_icon_names(value: str) -> list[str]:
    """A few icon names close to `value`, for a "did you mean" message."""
    wanted = normalise_name(value)
    if not wanted:
        return []
    close = difflib.get_close_matches(wanted, icon_names(), n=_MAX_SUGGESTIONS, cutoff=0.6)
    for name in search_icons(wanted, limit=_MAX_SUGGESTIONS):
        if len(close) >= _MAX_SUGGESTIONS:
            break
        if name not in close:
            close.append(name)
    return close


def icon_problem(value: str) -> str | None:
    """Why `value` cannot be an achievement's icon, or None when it can."""
    if is_icon_name(normalise_name(value)) or is_emoji(value):
        return None
    if is_emoji_text(value):
        return "must be one emoji, not several"
    message = f"{value!r} is neither an icon name of the icon set nor an emoji"
    close = close_icon_names(value)
    if close:
        message += "; did you mean " + ", ".join(close) + "?"
    return message


def checked_icon(value: str) -> str:
    """`value` as stored: an icon name written as the set writes it ("Thumbs up" becomes
    "thumbs-up") or the emoji as typed; ValueError saying why it is neither (for pydantic)."""
    problem = icon_problem(value)
    if problem is not None:
        raise ValueError(problem)
    name = normalise_name(value)
    return name if is_icon_name(name) else value
