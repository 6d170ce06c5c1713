"""The achievement form's prerequisites (ticked from the other achievements) and tier group:
read into the service as the API takes them, shown again on the edit page, and refused with
the service's own words next to the field (a cycle names its chain), nothing saved."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from tests.one_hop_client import TestClient
from tests.web.test_achievement_pages import create, fields, post_form, stored


def ticked(page: str) -> set[int]:
    return {
        int(m)
        for m in re.findall(r'<input type="checkbox" id="prerequisite-(\d+)"[^>]*\bchecked\b', page)
    }


def offered(page: str) -> set[int]:
    return {int(m) for m in re.findall(r'id="prerequisite-(\d+)"', page)}


def test_prerequisites_and_tier_group_are_saved_and_shown_again(
    admin_web: TestClient, web_engine: Engine
) -> None:
    bronze = create(admin_web, name="Bronze", tier_group="deals")
    silver = create(admin_web, name="Silver", tier_group="deals", prerequisites=str(bronze))
    row = stored(web_engine, silver)
    assert (row.prerequisites, row.tier_group) == ([bronze], "deals")
    page = admin_web.get(f"/admin/achievements/{silver}").text
    assert ticked(page) == {bronze}
    assert bronze in offered(page) and silver not in offered(page)  # never itself
    assert 'name="tier_group" type="text" value="deals"' in page
    # The other achievements' groups are offered to type less.
    new = admin_web.get("/admin/achievements/new").text
    assert '<datalist id="tier-groups"><option value="deals"></option></datalist>' in new
    assert offered(new) == {bronze, silver} and ticked(new) == set()
    # Unticking and emptying clear both.
    cleared = post_form(
        admin_web,
        f"/admin/achievements/{silver}",
        fields(name="Silver", key="silver", tier_group=""),
    )
    assert cleared.status_code == 303, cleared.text
    row = stored(web_engine, silver)
    assert (row.prerequisites, row.tier_group) == ([], None)


def test_a_cycle_is_refused_naming_the_chain_and_nothing_is_saved(
    admin_web: TestClient, web_engine: Engine
) -> None:
    bronze = create(admin_web, name="Bronze")
    silver = create(admin_web, name="Silver", prerequisites=str(bronze))
    gold = create(admin_web, name="Gold", prerequisites=str(silver))
    response = post_form(
        admin_web,
        f"/admin/achievements/{bronze}",
        fields(name="Bronze renamed", key="bronze", prerequisites=str(gold), tier_group="deals"),
    )
    assert response.status_code == 422
    page = response.text
    chain = "The prerequisites form a cycle: “Bronze” → “Gold” → “Silver” → “Bronze”"
    error = re.search(r'<p class="field-error" id="f-prerequisites-error">(.*?)</p>', page, re.S)
    assert error is not None and chain in error.group(1)
    assert '<a href="#f-prerequisites">Prerequisites</a>: ' + chain in page
    assert ticked(page) == {gold}  # what was ticked is kept to correct it
    row = stored(web_engine, bronze)
    assert (row.name, row.prerequisites, row.tier_group, row.version) == ("Bronze", [], None, 1)


def test_a_bad_tier_group_and_an_unknown_prerequisite_are_field_errors(
    admin_web: TestClient, web_engine: Engine
) -> None:
    response = post_form(
        admin_web, "/admin/achievements/new", fields(name="Odd", tier_group="Big deals")
    )
    assert response.status_code == 422
    assert 'id="f-tier_group-error"' in response.text
    assert "Use lower-case letters, digits" in response.text
    assert 'value="Big deals"' in response.text
    # An id no achievement has (a stale page): the service's words, under the field.
    response = post_form(admin_web, "/admin/achievements/new", fields(prerequisites="999"))
    assert response.status_code == 422
    assert 'id="f-prerequisites-error"' in response.text
    assert "Achievement 999 does not exist" in response.text
