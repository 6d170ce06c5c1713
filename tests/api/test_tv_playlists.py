"""TV playlists (issue 19, item 4): saved boards shown one after another, each for its own
number of seconds, and the TV link that opens a playlist without signing in."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plaudit.kit.security import hash_token
from tests.api.test_errors import bad_fields, problem
from tests.conftest import Api


def make_board(admin: Api, name: str, *, published: bool = True) -> int:
    body = {"name": name, "published": published}
    made: dict[str, Any] = admin.ok("POST", "/leaderboard/boards", 201, json=body)
    return int(made["id"])


@pytest.fixture
def boards(admin: Api) -> dict[str, int]:
    return {
        "points": make_board(admin, "Points this month"),
        "secret": make_board(admin, "Quiet board", published=False),
    }


def test_create_read_update_delete(admin: Api, boards: dict[str, int]) -> None:
    items = [
        {"board_id": boards["points"], "seconds": 30},
        {"board_id": boards["secret"]},
    ]
    made = admin.ok("POST", "/tv/playlists", 201, json={"name": "Sales floor", "items": items})
    assert made["name"] == "Sales floor"
    assert made["tv_path"] == f"/tv/playlists/{made['id']}"
    assert made["has_link"] is False
    assert [(i["board_name"], i["seconds"], i["published"]) for i in made["items"]] == [
        ("Points this month", 30, True),
        ("Quiet board", 20, False),
    ]
    assert admin.ok("GET", f"/tv/playlists/{made['id']}") == made
    assert [p["id"] for p in admin.ok("GET", "/tv/playlists")] == [made["id"]]

    # Reorder, repeat a board, rename: items are replaced as a whole, in the order sent.
    reordered = [
        {"board_id": boards["secret"], "seconds": 5},
        {"board_id": boards["points"], "seconds": 3600},
        {"board_id": boards["secret"], "seconds": 10},
    ]
    saved = admin.ok(
        "PATCH", f"/tv/playlists/{made['id']}", json={"items": reordered, "name": "Lobby"}
    )
    assert saved["name"] == "Lobby"
    assert [(i["board_id"], i["seconds"]) for i in saved["items"]] == [
        (boards["secret"], 5),
        (boards["points"], 3600),
        (boards["secret"], 10),
    ]
    renamed = admin.ok("PATCH", f"/tv/playlists/{made['id']}", json={"name": "Lobby 2"})
    assert renamed["items"] == saved["items"], "leaving items out keeps them"

    admin.ok("DELETE", f"/tv/playlists/{made['id']}", 204)
    problem(admin.get(f"/tv/playlists/{made['id']}"), 404)
    assert admin.ok("GET", "/tv/playlists") == []


def test_deleting_a_board_takes_it_off_playlists(admin: Api, boards: dict[str, int]) -> None:
    items = [{"board_id": boards["points"]}, {"board_id": boards["secret"]}]
    made = admin.ok("POST", "/tv/playlists", 201, json={"name": "Wall", "items": items})
    admin.ok("DELETE", f"/leaderboard/boards/{boards['secret']}", 204)
    left = admin.ok("GET", f"/tv/playlists/{made['id']}")["items"]
    assert [i["board_id"] for i in left] == [boards["points"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": []}, "body.name"),
        ({"name": ""}, "body.name"),
        ({"name": "x", "items": [{"seconds": 20}]}, "body.items.0.board_id"),
        ({"name": "x", "items": [{"board_id": "1"}]}, "body.items.0.board_id"),
        ({"name": "x", "items": [{"board_id": 1, "seconds": 4}]}, "body.items.0.seconds"),
        ({"name": "x", "items": [{"board_id": 1, "seconds": 3601}]}, "body.items.0.seconds"),
        ({"name": "x", "items": [{"board_id": 1, "seconds": 2.5}]}, "body.items.0.seconds"),
        ({"name": "x", "items": [{"board_id": 1, "extra": 1}]}, "body.items.0.extra"),
        ({"name": "x", "items": [{"board_id": 1}] * 51}, "body.items"),
        ({"name": "x", "colour": "red"}, "body.colour"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(
    admin: Api, boards: dict[str, int], body: dict[str, Any], field: str
) -> None:
    answer = problem(admin.post("/tv/playlists", json=body), 422, body)
    assert field in bad_fields(answer), answer
    assert admin.ok("GET", "/tv/playlists") == [], "nothing half-written"


def test_unknown_board_is_422_and_nothing_is_saved(admin: Api, boards: dict[str, int]) -> None:
    items = [{"board_id": boards["points"]}, {"board_id": 999_999}]
    answer = problem(admin.post("/tv/playlists", json={"name": "x", "items": items}), 422)
    assert "body.items.1.board_id" in bad_fields(answer)
    assert "999999" in answer["detail"]
    assert admin.ok("GET", "/tv/playlists") == []
    made = admin.ok("POST", "/tv/playlists", 201, json={"name": "y", "items": items[:1]})
    answer = problem(admin.patch(f"/tv/playlists/{made['id']}", json={"items": items[::-1]}), 422)
    assert "body.items.0.board_id" in bad_fields(answer)
    kept = admin.ok("GET", f"/tv/playlists/{made['id']}")["items"]
    assert [i["board_id"] for i in kept] == [boards["points"]], "the old items stay"


def test_names_are_unique_and_null_is_refused(admin: Api, boards: dict[str, int]) -> None:
    admin.ok("POST", "/tv/playlists", 201, json={"name": "Wall"})
    other = admin.ok("POST", "/tv/playlists", 201, json={"name": "Hall"})
    assert problem(admin.post("/tv/playlists", json={"name": "Wall"}), 409)["code"] == (
        "playlist_name_taken"
    )
    assert problem(admin.patch(f"/tv/playlists/{other['id']}", json={"name": "Wall"}), 409)
    for field in ("name", "items"):
        answer = problem(admin.patch(f"/tv/playlists/{other['id']}", json={field: None}), 422)
        assert f"body.{field}" in bad_fields(answer)
    problem(admin.patch("/tv/playlists/999999", json={"name": "z"}), 404)
    problem(admin.delete("/tv/playlists/999999"), 404)


def test_link_is_shown_once_stored_hashed_replaced_and_revoked(
    admin: Api, boards: dict[str, int], engine: Any
) -> None:
    from sqlalchemy import text

    made = admin.ok("POST", "/tv/playlists", 201, json={"name": "Wall"})
    link = admin.ok("POST", f"/tv/playlists/{made['id']}/link", 201)
    assert link["tv_path"] == f"/tv/playlists/{made['id']}?key={link['key']}"
    assert len(link["key"]) >= 40
    assert admin.ok("GET", f"/tv/playlists/{made['id']}")["has_link"] is True
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT link_hash FROM tv_playlists")).scalar_one()
    assert stored == hash_token(link["key"]) and link["key"] not in stored
    again = admin.ok("POST", f"/tv/playlists/{made['id']}/link", 201)
    assert again["key"] != link["key"]
    admin.ok("DELETE", f"/tv/playlists/{made['id']}/link", 204)
    assert admin.ok("GET", f"/tv/playlists/{made['id']}")["has_link"] is False
    problem(admin.post("/tv/playlists/999999/link"), 404)


def test_members_managers_ingest(
    admin: Api, tokens: dict[str, str], boards: dict[str, int]
) -> None:
    manager = admin.as_token(tokens["manager"])
    made = manager.ok("POST", "/tv/playlists", 201, json={"name": "By a manager"})
    assert made["created_by"] == "token:manager-token"
    for role in ("member", "ingest"):
        other = admin.as_token(tokens[role])
        problem(other.get("/tv/playlists"), 403, role)
        problem(other.get(f"/tv/playlists/{made['id']}"), 403, role)
        problem(other.post(f"/tv/playlists/{made['id']}/link"), 403, role)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.lists(
        st.tuples(st.sampled_from(["points", "secret"]), st.integers(5, 3600)), max_size=8
    )
)
def test_items_come_back_in_the_order_sent(
    admin: Api, boards: dict[str, int], order: list[tuple[str, int]]
) -> None:
    playlists = admin.ok("GET", "/tv/playlists")
    if not playlists:
        playlists = [admin.ok("POST", "/tv/playlists", 201, json={"name": "Prop"})]
    items = [{"board_id": boards[name], "seconds": seconds} for name, seconds in order]
    saved = admin.ok("PATCH", f"/tv/playlists/{playlists[0]['id']}", json={"items": items})
    assert [{"board_id": i["board_id"], "seconds": i["seconds"]} for i in saved["items"]] == items
