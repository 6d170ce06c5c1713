"""The icon set and what an `icon` value may be (plaudit.kit.icons)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plaudit.kit.icons import (
    DEFAULT_ICON,
    FEATURED_ICONS,
    checked_icon,
    close_icon_names,
    icon_names,
    icon_problem,
    is_emoji,
    is_icon_name,
    search_icons,
)


def test_the_set_is_the_packages_and_has_what_the_demo_uses() -> None:
    names = icon_names()
    assert len(names) > 1000 and list(names) == sorted(set(names))
    for name in ("trophy", "crown", "megaphone", "star", "medal", "phone", DEFAULT_ICON):
        assert is_icon_name(name)
    assert all(is_icon_name(name) for name in FEATURED_ICONS)
    assert not is_icon_name("trophy.svg") and not is_icon_name("")


@given(st.sampled_from(icon_names()))
def test_every_name_of_the_set_is_accepted_as_it_is(name: str) -> None:
    assert icon_problem(name) is None
    assert checked_icon(name) == name
    assert checked_icon(name.upper().replace("-", " ")) == name


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12))
def test_a_word_is_accepted_exactly_when_it_names_an_icon(word: str) -> None:
    if is_icon_name(word):
        assert checked_icon(word) == word
    else:
        with pytest.raises(ValueError, match="neither an icon name"):
            checked_icon(word)


@pytest.mark.parametrize("value", ["🏆", "⭐", "👍🏽", "🇩🇰", "👨‍👩‍👧"])
def test_one_emoji_is_kept_as_typed(value: str) -> None:
    assert is_emoji(value) and checked_icon(value) == value


@pytest.mark.parametrize("value", ["🏆🎉", "🏆 trophy", "★", "$"])
def test_several_emoji_or_other_symbols_are_not_an_emoji(value: str) -> None:
    assert not is_emoji(value)
    assert icon_problem(value) is not None


def test_close_names_suggest_the_meant_icon() -> None:
    assert close_icon_names("trohpy")[0] == "trophy"
    assert "megaphone" in close_icon_names("megafone")
    assert "did you mean trophy" in (icon_problem("trohpy") or "")


def test_search_ranks_exact_then_prefix_then_substring() -> None:
    found = search_icons("star")
    assert found[0] == "star"
    first_other = next(i for i, n in enumerate(found) if not n.startswith("star"))
    assert all(n.startswith("star") for n in found[:first_other])
    assert all("star" in n for n in found)
    assert search_icons("")[: len(FEATURED_ICONS)] == list(FEATURED_ICONS)
    assert len(search_icons("")) == len(icon_names())
    assert search_icons("no such icon at all") == []
