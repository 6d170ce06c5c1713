"""The playlist form: its name and its rows (a board and seconds each), read in order, and the
buttons that change the rows before saving (move up, move down, remove, add), so that the
whole form works without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData

from plaudit.leaderboard.playlist.schemas import DEFAULT_SECONDS
from plaudit.models import TvPlaylist
from plaudit.web.forms.common import FieldErrors, text

SAVE = "save"


@dataclass
class Row:
    board: str = ""
    seconds: str = str(DEFAULT_SECONDS)


@dataclass
class PlaylistValues:
    name: str = ""
    rows: list[Row] = field(default_factory=list)


def values_of(playlist: TvPlaylist) -> PlaylistValues:
    return PlaylistValues(
        name=playlist.name,
        rows=[Row(str(i.board_id), str(i.seconds)) for i in playlist.items],
    )


def read_form(form: FormData) -> PlaylistValues:
    boards = [v if isinstance(v, str) else "" for v in form.getlist("board")]
    seconds = [v if isinstance(v, str) else "" for v in form.getlist("seconds")]
    seconds += [""] * (len(boards) - len(seconds))
    rows = [Row(b.strip(), s.strip()) for b, s in zip(boards, seconds, strict=False)]
    return PlaylistValues(name=text(form, "name"), rows=rows)


def apply_action(values: PlaylistValues, action: str, form: FormData) -> str:
    """Change the rows as `action` asks (`up:N`, `down:N`, `remove:N`, `add`); the message
    to announce, or "" for an unknown action."""
    if action == "add":
        board = text(form, "add_board")
        if not board:
            return ""
        values.rows.append(Row(board, text(form, "add_seconds") or str(DEFAULT_SECONDS)))
        return "Board added; save the playlist to keep it."
    verb, _, number = action.partition(":")
    if not number.isdigit() or int(number) >= len(values.rows):
        return ""
    index = int(number)
    rows = values.rows
    if verb == "remove":
        rows.pop(index)
        return "Board removed; save the playlist to keep the change."
    target = index - 1 if verb == "up" else index + 1 if verb == "down" else -1
    if not 0 <= target < len(rows):
        return ""
    rows[index], rows[target] = rows[target], rows[index]
    return f"Board moved to place {target + 1}; save the playlist to keep the order."


def playlist_body(values: PlaylistValues) -> tuple[dict[str, object], FieldErrors]:
    """The body of PlaylistUpdate; a board or seconds that is not a whole number is an error
    of its row (`items.N.board_id`, `items.N.seconds`)."""
    errors: FieldErrors = {}
    items: list[dict[str, object]] = []
    for index, row in enumerate(values.rows):
        item: dict[str, object] = {}
        if row.board.isdigit():
            item["board_id"] = int(row.board)
        else:
            errors[f"items.{index}.board_id"] = "Choose a board."
        if row.seconds.isdigit() and len(row.seconds) < 7:
            item["seconds"] = int(row.seconds)
        else:
            errors[f"items.{index}.seconds"] = "Seconds must be a whole number, e.g. 20."
        items.append(item)
    return {"name": values.name, "items": items}, errors
