"""The group, member and team pages on both databases: create, edit and delete groups
(static and ad hoc, with their live preview), create, edit, deactivate and reactivate
members, edit team attributes, and the audiences re-evaluated as the API does when a member
changes team or a team's attributes change. Messages name people and groups, never ids or
validator wording."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.clock import FixedClock
from plaudit.models import Award, Group, Member, Team
from tests.app_cache import app_for
from tests.conftest import _truncate_all
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in, web_settings
from tests.web.helpers import Site, csrf_of, seed
from tests.web.screens_data import (
    NOW,
    Teams,
    make_audience_achievement,
    make_group,
    make_teams,
)

VALIDATOR_WORDS = re.compile(r"String should|Input should|Value error|Field required|\bid \d")


@dataclass
class Admin:
    client: TestClient
    engine: Engine
    site: Site
    teams: Teams
    token: str

    def post(self, path: str, data: dict[str, object]) -> object:
        return self.client.post(path, data={"csrf_token": self.token, **data})


@pytest.fixture
def admin(engine: Engine, database_url: str) -> Iterator[Admin]:
    _truncate_all(engine)
    site = seed(engine)
    teams = make_teams(engine)
    app = app_for(web_settings(database_url, timezone="UTC", period_closer=False), FixedClock(NOW))
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "admin")
        token = csrf_of(client.get("/admin/groups/new").text)
        yield Admin(client, engine, site, teams, token)


def summary(html: str) -> str:
    """The error summary's text (empty when there is none)."""
    match = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", match.group(0))) if match else ""


def awarded(engine: Engine, member_id: int) -> bool:
    with Session(engine) as session:
        return (
            session.scalars(select(Award).where(Award.member_id == member_id)).first() is not None
        )


# ---- groups -------------------------------------------------------------------------


def test_create_a_static_group_from_teams_and_members(admin: Admin) -> None:
    response = admin.post(
        "/admin/groups/new",
        {
            "name": "Gold and Ada",
            "team_ids": [str(admin.teams.gold)],
            "member_ids": [str(admin.site.member_id)],
        },
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    with Session(admin.engine) as session:
        group = session.scalars(select(Group)).one()
    assert response.headers["location"] == f"/admin/groups/{group.id}"  # type: ignore[attr-defined]
    page = admin.client.get(f"/admin/groups/{group.id}").text
    assert "Created group “Gold and Ada”" in page
    # The preview beside the form lists who it admits by name: Ken and Lena by team, Ada.
    matched = page.split("data-preview-list")[1].split("</ul>")[0]
    assert [n for n in ("Ada Lovelace", "Ken Adams", "Lena Berg", "Mo Chen") if n in matched] == [
        "Ada Lovelace",
        "Ken Adams",
        "Lena Berg",
    ]
    listing = admin.client.get("/admin/groups").text
    assert "Gold and Ada" in listing and "Teams: Gold partners" in listing
    assert "1 member picked" in listing


def test_an_ad_hoc_group_keeps_typed_conditions_and_previews_them(admin: Admin) -> None:
    group_id = make_group(admin.engine, name="Reps")
    conditions = {
        "cond-0-attribute": "team.attributes",
        "cond-0-key": "tier",
        "cond-0-op": "in",
        "cond-0-value": "1, 2",
        "cond-1-attribute": "member.role",
        "cond-1-op": "eq",
        "cond-1-value": "REP",
        "cond-2-attribute": "team.name",
        "cond-2-op": "eq",
        "cond-2-value": "",  # blank row
    }
    preview = admin.post("/admin/groups/preview", conditions).json()  # type: ignore[attr-defined]
    assert preview["errors"] == {}
    assert [m["name"] for m in preview["members"]] == ["Ken Adams", "Mo Chen"]
    assert preview["count"] == 2

    response = admin.post(f"/admin/groups/{group_id}", {"name": "Reps", **conditions})
    assert response.status_code == 303  # type: ignore[attr-defined]
    with Session(admin.engine) as session:
        saved = session.get(Group, group_id)
        assert saved is not None
        # Tier is a number on the teams, so "1, 2" is kept as numbers; role as text.
        assert saved.conditions == [
            {"attribute": "team.attributes.tier", "op": "in", "value": [1, 2]},
            {"attribute": "member.role", "op": "eq", "value": "REP"},
        ]
    page = admin.client.get(f"/admin/groups/{group_id}").text
    assert 'value="1, 2"' in page and 'value="REP"' in page
    assert "2 members now" in page
    listing = admin.client.get("/admin/groups").text
    assert "Team tier is one of 1, 2" in listing and "Member role is REP" in listing

    # Narrowing it: the preview and the save agree.
    narrower = {**conditions, "cond-0-value": "2"}
    preview = admin.post("/admin/groups/preview", narrower).json()  # type: ignore[attr-defined]
    assert [m["name"] for m in preview["members"]] == ["Mo Chen"]


def test_group_errors_are_in_words(admin: Admin) -> None:
    response = admin.post(
        "/admin/groups/new",
        {
            "name": "",
            "cond-0-attribute": "team.attributes",
            "cond-0-key": "",
            "cond-0-op": "eq",
            "cond-0-value": "gold",
            "cond-1-attribute": "team.name",
            "cond-1-op": "in",
            "cond-1-value": " , ",
        },
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = summary(response.text)  # type: ignore[attr-defined]
    assert "Name: Give the group a name" in text
    assert "Condition 1: attribute name: Name the team attribute" in text
    assert "Condition 2: value: Type one value or more" in text
    assert not VALIDATOR_WORDS.search(response.text)  # type: ignore[attr-defined]
    with Session(admin.engine) as session:
        assert session.scalars(select(Group)).first() is None
    preview = admin.post(
        "/admin/groups/preview",
        {"cond-0-attribute": "team.attributes", "cond-0-op": "eq", "cond-0-value": "x"},
    ).json()  # type: ignore[attr-defined]
    assert preview["count"] == 0
    assert list(preview["errors"].values()) == [
        "Name the team attribute, for example tier or region."
    ]


def test_delete_a_group_after_confirming(admin: Admin) -> None:
    group_id = make_group(admin.engine, name="Old list", member_ids=[admin.site.member_id])
    confirm = admin.client.get(f"/admin/groups/{group_id}/delete")
    assert confirm.status_code == 200 and "Delete group" in confirm.text
    response = admin.post(f"/admin/groups/{group_id}/delete", {})
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert "Deleted group “Old list”" in admin.client.get("/admin/groups").text
    with Session(admin.engine) as session:
        assert session.get(Group, group_id) is None


def test_deleting_a_group_an_achievement_uses_is_refused_by_name(admin: Admin) -> None:
    group_id = make_group(admin.engine, name="Gold", team_ids=[admin.teams.gold])
    make_audience_achievement(admin.engine, group_id, name="Gold star")
    confirm = admin.client.get(f"/admin/groups/{group_id}/delete").text
    assert "“Gold” cannot be deleted" in confirm and "Gold star" in confirm
    assert "Delete group</button>" not in confirm
    response = admin.post(f"/admin/groups/{group_id}/delete", {})
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = admin.client.get(response.headers["location"]).text  # type: ignore[attr-defined]
    assert "“Gold” was not deleted: it is the audience of “Gold star”" in page
    assert not VALIDATOR_WORDS.search(page)
    with Session(admin.engine) as session:
        assert session.get(Group, group_id) is not None


def test_saving_a_group_awards_members_it_now_admits(admin: Admin) -> None:
    """As PATCH /groups/{id}: Ada already updated her profile; once the group takes her in,
    the achievement aimed at it is hers."""
    group_id = make_group(admin.engine, name="Gold", team_ids=[admin.teams.gold])
    make_audience_achievement(admin.engine, group_id)
    assert not awarded(admin.engine, admin.site.member_id)
    admin.post(
        f"/admin/groups/{group_id}",
        {
            "name": "Gold",
            "team_ids": [str(admin.teams.gold)],
            "member_ids": [str(admin.site.member_id)],
        },
    )
    assert awarded(admin.engine, admin.site.member_id)


# ---- members ------------------------------------------------------------------------


def test_create_and_edit_a_member(admin: Admin) -> None:
    response = admin.post(
        "/admin/members/new",
        {
            "name": "Nia Okoro",
            "email": "nia@example.com",
            "external_id": "crm-7",
            "team_id": str(admin.teams.silver),
            "role": "partner",
        },
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    with Session(admin.engine) as session:
        nia = session.scalars(select(Member).where(Member.name == "Nia Okoro")).one()
        assert (nia.email, nia.external_id, nia.team_id, nia.role, nia.active) == (
            "nia@example.com",
            "crm-7",
            admin.teams.silver,
            "partner",
            True,
        )
    page = admin.client.get(f"/admin/members/{nia.id}").text
    assert "Added Nia Okoro." in page and "Silver partners" in page

    response = admin.post(
        f"/admin/members/{nia.id}/edit",
        {
            "name": "Nia Okoro-Smith",
            "email": "",
            "external_id": "crm-7",
            "team_id": "",
            "role": "",
            "active": "on",
        },
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    with Session(admin.engine) as session:
        again = session.get(Member, nia.id)
        assert again is not None
        assert (again.name, again.email, again.team_id, again.role) == (
            "Nia Okoro-Smith",
            None,
            None,
            None,
        )


def test_member_errors_name_people_not_ids(admin: Admin) -> None:
    admin.post("/admin/members/new", {"name": "Nia", "email": "nia@example.com"})
    response = admin.post("/admin/members/new", {"name": "Other", "email": "nia@example.com"})
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "Nia already has this email" in summary(response.text)  # type: ignore[attr-defined]
    response = admin.post(
        "/admin/members/new", {"name": "", "email": "not an email", "role": "x" * 101}
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = summary(response.text)  # type: ignore[attr-defined]
    assert "Type the member's name." in text
    assert "Type an email address such as ada@example.com" in text
    assert "The role is too long: at most 100 characters." in text
    assert not VALIDATOR_WORDS.search(response.text)  # type: ignore[attr-defined]


def test_deactivate_and_reactivate_a_member(admin: Admin) -> None:
    ken = admin.teams.ken
    page = admin.client.get(f"/admin/members/{ken}").text
    assert ">Deactivate</button>" in page
    admin.post(f"/admin/members/{ken}/active", {"active": "false"})
    page = admin.client.get(f"/admin/members/{ken}").text
    assert "Ken Adams is deactivated" in page and ">Reactivate</button>" in page
    with Session(admin.engine) as session:
        assert session.get(Member, ken).active is False  # type: ignore[union-attr]
    admin.post(f"/admin/members/{ken}/active", {"active": "true"})
    with Session(admin.engine) as session:
        assert session.get(Member, ken).active is True  # type: ignore[union-attr]


def test_only_admins_change_members_and_teams(admin: Admin) -> None:
    admin.client.post("/logout", data={"csrf_token": admin.token})
    sign_in(admin.client, "manager")
    for path in (
        "/admin/members/new",
        f"/admin/members/{admin.teams.ken}/edit",
        "/admin/teams/new",
        f"/admin/teams/{admin.teams.gold}/edit",
    ):
        assert admin.client.get(path).status_code == 403, path
    assert "Edit member" not in admin.client.get(f"/admin/members/{admin.teams.ken}").text
    assert admin.client.get("/admin/groups/new").status_code == 200  # as the API: staff


def test_moving_a_member_to_another_team_awards_the_audience_achievement(admin: Admin) -> None:
    """As PATCH /members/{id}: Ada already updated her profile; moving her into the gold tier
    puts her in the ad hoc group the achievement is aimed at."""
    group_id = make_group(
        admin.engine,
        name="Tier 1",
        conditions=[{"attribute": "team.attributes.tier", "op": "eq", "value": 1}],
    )
    make_audience_achievement(admin.engine, group_id)
    ada = admin.site.member_id
    assert not awarded(admin.engine, ada)
    admin.post(
        f"/admin/members/{ada}/edit",
        {"name": "Ada Lovelace", "team_id": str(admin.teams.silver), "active": "on"},
    )
    assert not awarded(admin.engine, ada)  # silver is tier 2
    admin.post(
        f"/admin/members/{ada}/edit",
        {"name": "Ada Lovelace", "team_id": str(admin.teams.gold), "active": "on"},
    )
    assert awarded(admin.engine, ada)


# ---- teams --------------------------------------------------------------------------


def test_create_a_team_and_edit_its_attributes(admin: Admin) -> None:
    response = admin.post(
        "/admin/teams/new",
        {
            "name": "Bronze",
            "attr-0-key": "tier",
            "attr-0-value": "3",
            "attr-1-key": "region",
            "attr-1-value": "nordics",
        },
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    with Session(admin.engine) as session:
        team = session.scalars(select(Team).where(Team.name == "Bronze")).one()
        assert team.attributes == {"tier": 3, "region": "nordics"}
    page = admin.client.get(f"/admin/teams/{team.id}").text
    assert "<dt>region</dt><dd>nordics</dd>" in page and "<dt>tier</dt><dd>3</dd>" in page
    assert "tier: 3" in admin.client.get("/admin/teams").text

    edit = admin.client.get(f"/admin/teams/{team.id}/edit").text
    assert 'value="tier"' in edit and 'value="3"' in edit
    response = admin.post(
        f"/admin/teams/{team.id}/edit",
        {
            "name": "Bronze",
            "attr-0-key": "tier",
            "attr-0-value": "4",
            "attr-1-key": "",
            "attr-1-value": "",
            "attr-2-key": "partner",
            "attr-2-value": "true",
            "attr-3-key": "zip",
            "attr-3-value": "0123",
        },
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    with Session(admin.engine) as session:
        again = session.get(Team, team.id)
        assert again is not None
        assert again.attributes == {"tier": 4, "partner": True, "zip": "0123"}


def test_team_attribute_errors_are_in_words(admin: Admin) -> None:
    response = admin.post(
        f"/admin/teams/{admin.teams.gold}/edit",
        {
            "name": "",
            "attr-0-key": "tier",
            "attr-0-value": "",
            "attr-1-key": "has space",
            "attr-1-value": "x",
            "attr-2-key": "tier",
            "attr-2-value": "2",
            "attr-3-key": "",
            "attr-3-value": "v",
        },
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = summary(response.text)  # type: ignore[attr-defined]
    assert "Type the team's name." in text
    assert "Attribute 1: value: Give “tier” a value" in text
    assert "Attribute 2: name: “has space”: use letters, digits" in text
    assert "Attribute 3: name: “tier” is there twice" in text
    assert "Attribute 4: name: Name the attribute that holds “v”" in text
    assert not VALIDATOR_WORDS.search(response.text)  # type: ignore[attr-defined]
    with Session(admin.engine) as session:
        assert session.get(Team, admin.teams.gold).attributes == {  # type: ignore[union-attr]
            "tier": 1,
            "region": "emea",
        }


def test_changing_team_attributes_awards_the_audience_achievement(admin: Admin) -> None:
    """As PATCH /teams/{id}: silver becomes tier 1, so its members join the ad hoc group."""
    group_id = make_group(
        admin.engine,
        name="Tier 1",
        conditions=[{"attribute": "team.attributes.tier", "op": "eq", "value": 1}],
    )
    ada = admin.site.member_id
    admin.post(
        f"/admin/members/{ada}/edit",
        {"name": "Ada Lovelace", "team_id": str(admin.teams.silver), "active": "on"},
    )
    make_audience_achievement(admin.engine, group_id)
    assert not awarded(admin.engine, ada)
    admin.post(
        f"/admin/teams/{admin.teams.silver}/edit",
        {
            "name": "Silver partners",
            "attr-0-key": "tier",
            "attr-0-value": "1",
            "attr-1-key": "region",
            "attr-1-value": "apac",
        },
    )
    assert awarded(admin.engine, ada)
