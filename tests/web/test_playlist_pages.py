"""TV playlists on the pages (issue 19, item 4): admins and managers build a playlist (add,
move, remove boards; seconds each) without JavaScript, make and revoke its TV link; screens
watch it signed in (members: published boards only) or with the link (every board the
playlist names, and nothing else)."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.leaderboard.playlist.schemas import PlaylistCreate
from plaudit.leaderboard.playlist.service import create_playlist, get_playlist
from tests.one_hop_client import TestClient
from tests.web.helpers import Site, csrf_of
from tests.web.portal_data import NOW
from tests.web.test_board_pages import approved_value, saved, switch_to


def playlist(engine: Engine, name: str, items: list[tuple[int, int]]) -> int:
    body = {"name": name, "items": [{"board_id": b, "seconds": s} for b, s in items]}
    with unit_of_work(build_sessionmaker(engine)) as session:
        return create_playlist(
            session, PlaylistCreate.model_validate(body), actor=SYSTEM, now=NOW
        ).id


def stored(engine: Engine, playlist_id: int) -> tuple[str, list[tuple[int, int]]]:
    with unit_of_work(build_sessionmaker(engine)) as session:
        found = get_playlist(session, playlist_id)
        return found.name, [(i.board_id, i.seconds) for i in found.items]


def form_rows(html: str) -> list[tuple[str, str]]:
    """(chosen board, seconds) of each row of the playlist form."""
    boards = re.findall(
        r'<select id="board-\d+" name="board".*?<option value="(\d+)" selected', html, re.S
    )
    seconds = re.findall(r'<input id="seconds-\d+" name="seconds"[^>]*value="(\d*)"', html)
    return list(zip(boards, seconds, strict=True))


def test_build_a_playlist_with_the_form(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    points = saved(web_engine, "Points this month", published=True)
    value = approved_value(web_engine, name="Approved deals")
    page = admin_web.get("/admin/playlists")
    assert page.status_code == 200 and "No playlists yet" in page.text
    token = csrf_of(page.text)
    made = admin_web.post("/admin/playlists", data={"name": "Sales floor", "csrf_token": token})
    assert made.status_code == 303
    edit_url = made.headers["location"]
    form = {"csrf_token": token, "name": "Sales floor"}

    # Add two boards: each press shows the form again with the row added, nothing saved yet.
    added = admin_web.post(
        edit_url, data={**form, "action": "add", "add_board": str(points), "add_seconds": "15"}
    )
    assert added.status_code == 200 and "Board added" in added.text
    assert form_rows(added.text) == [(str(points), "15")]
    added = admin_web.post(
        edit_url,
        data={
            **form,
            "board": [str(points)],
            "seconds": ["15"],
            "action": "add",
            "add_board": str(value),
            "add_seconds": "40",
        },
    )
    assert form_rows(added.text) == [(str(points), "15"), (str(value), "40")]
    playlist_id = int(edit_url.rsplit("/", 1)[1])
    assert stored(web_engine, playlist_id) == ("Sales floor", [])

    # Move the second one up, then save: the order is kept.
    moved = admin_web.post(
        edit_url,
        data={
            **form,
            "board": [str(points), str(value)],
            "seconds": ["15", "40"],
            "action": "up:1",
        },
    )
    assert form_rows(moved.text) == [(str(value), "40"), (str(points), "15")]
    assert "moved to place 1" in moved.text
    done = admin_web.post(
        edit_url,
        data={
            **form,
            "board": [str(value), str(points)],
            "seconds": ["40", "15"],
            "action": "save",
        },
    )
    assert done.status_code == 303
    assert stored(web_engine, playlist_id) == ("Sales floor", [(value, 40), (points, 15)])

    # Remove the first, save again.
    removed = admin_web.post(
        edit_url,
        data={
            **form,
            "board": [str(value), str(points)],
            "seconds": ["40", "15"],
            "action": "remove:0",
        },
    )
    assert form_rows(removed.text) == [(str(points), "15")]
    admin_web.post(
        edit_url, data={**form, "board": [str(points)], "seconds": ["15"], "action": "save"}
    )
    assert stored(web_engine, playlist_id) == ("Sales floor", [(points, 15)])
    listing = admin_web.get("/admin/playlists").text
    assert "Sales floor" in listing and "Points this month" in listing and "15 s" in listing


def test_bad_rows_are_shown_next_to_the_row_and_nothing_is_saved(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    points = saved(web_engine, "Points", published=True)
    playlist_id = playlist(web_engine, "Wall", [(points, 20)])
    token = csrf_of(admin_web.get(f"/admin/playlists/{playlist_id}").text)
    answer = admin_web.post(
        f"/admin/playlists/{playlist_id}",
        data={
            "csrf_token": token,
            "name": "Wall",
            "board": [str(points), str(points)],
            "seconds": ["3", "ten"],
            "action": "save",
        },
    )
    assert answer.status_code == 400
    assert 'id="seconds-0-error"' in answer.text and "Enter 5 or more." in answer.text
    assert 'id="seconds-1-error"' in answer.text and "whole number" in answer.text
    assert stored(web_engine, playlist_id) == ("Wall", [(points, 20)])
    taken = playlist(web_engine, "Hall", [])
    answer = admin_web.post(
        f"/admin/playlists/{taken}", data={"csrf_token": token, "name": "Wall", "action": "save"}
    )
    assert answer.status_code == 400 and "exists already" in answer.text


def test_unpublished_boards_are_marked_on_the_form(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    quiet = saved(web_engine, "Quiet board", published=False)
    playlist_id = playlist(web_engine, "Wall", [(quiet, 20)])
    page = admin_web.get(f"/admin/playlists/{playlist_id}").text
    assert "Quiet board (not published)" in page
    assert "Screens opened with the TV link show it" in page and "members signed in skip it" in page


def test_who_sees_which_boards(web: TestClient, site: Site, web_engine: Engine) -> None:
    shown = saved(web_engine, "Shown board", published=True)
    quiet = saved(web_engine, "Quiet board", published=False)
    playlist_id = playlist(web_engine, "Wall", [(quiet, 30), (shown, 12)])
    tv = f"/tv/playlists/{playlist_id}"

    anonymous = web.get(tv)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")

    switch_to(web, "admin")
    page = web.get(tv)
    assert page.status_code == 200
    assert '<h1 class="tv-title" id="tv-title">Quiet board · This month</h1>' in page.text
    assert 'data-count="2"' in page.text and 'data-seconds="30"' in page.text
    assert 'Next: <span id="tv-next-name">Shown board</span>' in page.text
    second = web.get(f"{tv}/board?position=1")
    assert "Shown board · This month" in second.text
    assert (
        'data-position="1" data-count="2" data-seconds="12" data-next="Quiet board"' in second.text
    )
    assert "Quiet board" in web.get(f"{tv}/board?position=2").text, "positions wrap round"

    switch_to(web, "member")
    member = web.get(tv)
    assert member.status_code == 200
    assert "Shown board · This month" in member.text and 'data-count="1"' in member.text
    for n in range(3):
        assert "Quiet board" not in web.get(f"{tv}/board?position={n}").text
    assert web.get("/tv/playlists/999999").status_code == 404


def test_the_tv_link_works_signed_out_until_replaced_or_revoked(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    quiet = saved(web_engine, "Quiet board", published=False)
    playlist_id = playlist(web_engine, "Wall", [(quiet, 20)])
    page = admin_web.get(f"/admin/playlists/{playlist_id}")
    assert "Only signed-in people can watch" in page.text
    token = csrf_of(page.text)
    made = admin_web.post(f"/admin/playlists/{playlist_id}/link", data={"csrf_token": token})
    assert made.status_code == 200
    found = re.search(
        r'id="new-link"[^>]*value="http://testserver(/tv/playlists/\d+\?key=[\w-]+)"', made.text
    )
    assert found, made.text
    link = found.group(1)
    assert "shown only this once" in made.text
    assert "key=" not in admin_web.get(f"/admin/playlists/{playlist_id}").text

    admin_web.cookies.clear()  # a screen that never signed in
    screen = admin_web.get(link)
    assert screen.status_code == 200 and "Quiet board · This month" in screen.text
    assert "Leave TV mode" not in screen.text
    assert f'data-playlist="/tv/playlists/{playlist_id}/board?key=' in screen.text
    fragment = admin_web.get(link.replace("?key=", "/board?position=0&key="))
    assert fragment.status_code == 200 and "Quiet board" in fragment.text
    wrong = admin_web.get(f"/tv/playlists/{playlist_id}?key=not-the-key")
    assert wrong.status_code == 404 and "revoked" in wrong.text
    other = playlist(web_engine, "Other", [(quiet, 20)])
    key = link.split("key=")[1]
    assert admin_web.get(f"/tv/playlists/{other}?key={key}").status_code == 404, (
        "one playlist's key"
    )

    switch_to(admin_web, "admin")
    token = csrf_of(admin_web.get(f"/admin/playlists/{playlist_id}").text)
    revoked = admin_web.post(
        f"/admin/playlists/{playlist_id}/link/revoke", data={"csrf_token": token}
    )
    assert revoked.status_code == 303
    admin_web.cookies.clear()
    assert admin_web.get(link).status_code == 404


def test_delete_with_confirmation(admin_web: TestClient, site: Site, web_engine: Engine) -> None:
    playlist_id = playlist(web_engine, "Wall", [])
    confirm = admin_web.get(f"/admin/playlists/{playlist_id}/delete")
    assert confirm.status_code == 200 and "Delete Wall?" in confirm.text
    done = admin_web.post(
        f"/admin/playlists/{playlist_id}/delete", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert done.status_code == 303
    assert admin_web.get(f"/admin/playlists/{playlist_id}").status_code == 404
