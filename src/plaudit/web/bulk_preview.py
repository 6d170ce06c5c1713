"""The bulk give page's preview: an uploaded list of members read, run through the bulk
service as a dry run, and told in words with the members' names; plus a fingerprint of the
outcome, so that the confirmation can check it gives exactly what was previewed.

The category limits, audience, window and duplicate checks are the service's
(`plaudit.bulk.service.give_in_bulk`, which gives through `give_award`); this module only
names the people and says each refusal in words.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.bulk.parsing import BulkFile, BulkRow, MemberKey, parse_member_list
from plaudit.bulk.schemas import BulkRefused, BulkResult, BulkUnmatched
from plaudit.bulk.service import resolve_names
from plaudit.models import Achievement, Award, Group, Member, Team
from plaudit.periods import Period, period_containing
from plaudit.web.words import day, key_words, last_day

COLUMN_WORDS = {
    MemberKey.member_id: "member id",
    MemberKey.external_id: "external id",
    MemberKey.email: "email",
    None: "name",
}


@dataclass(frozen=True)
class Upload:
    """A list read from a file: the rows the service gets (names already resolved to ids), the
    rows that name nobody, and each row's cell as written."""

    column: str
    file: BulkFile
    unmatched: list[BulkUnmatched]
    written: dict[int, str]
    rows: int


@dataclass(frozen=True)
class Line:
    row: int
    value: str
    name: str
    team: str
    period: str
    reason: str
    code: str


@dataclass(frozen=True)
class Preview:
    column: str
    rows: int
    given: list[Line]
    refused: list[Line]
    fingerprint: str


def read_upload(session: Session, data: bytes, *, zone: ZoneInfo, max_rows: int) -> Upload:
    """Parse the file (raises the parser's errors) and resolve a name column to members."""
    key, rows = parse_member_list(data, zone=zone, max_rows=max_rows)
    written = {r.row: r.value for r in rows}
    unmatched: list[BulkUnmatched] = []
    if key is None:
        file, unmatched = resolve_names(session, rows)
    else:
        file = BulkFile(identified_by=key, rows=rows)
    return Upload(COLUMN_WORDS[key], file, unmatched, written, len(rows))


def fingerprint(result: BulkResult, upload: Upload) -> str:
    """What a run gives and refuses, row by row: equal for two runs that do the same."""
    outcome = {
        "given": sorted((g.row, g.member_id, g.period) for g in result.given),
        "refused": sorted((r.row, r.member_id, r.code) for r in result.refused),
        "unmatched": sorted(u.row for u in [*result.unmatched, *upload.unmatched]),
    }
    return hashlib.sha256(json.dumps(outcome).encode()).hexdigest()


class _Namer:
    """Members' names and teams, read once per preview."""

    def __init__(self, session: Session, member_ids: set[int]) -> None:
        self.session = session
        rows = session.execute(
            select(Member.id, Member.name, Team.name)
            .outerjoin(Team, Member.team_id == Team.id)
            .where(Member.id.in_(sorted(member_ids)))
        ).all()
        self.names = {m: n for m, n, _ in rows}
        self.teams = {m: t or "" for m, _, t in rows}

    def name(self, member_id: int) -> str:
        if member_id not in self.names:  # a holder who is not in the file
            found = self.session.scalar(select(Member.name).where(Member.id == member_id))
            self.names[member_id] = found or "A member who no longer exists"
        return self.names[member_id]


def _period_of(row: BulkRow | None, at: datetime, achievement: Achievement, zone: ZoneInfo) -> str:
    instant = row.at if row is not None and row.at is not None else at
    return period_containing(instant, Period(achievement.period), zone).key


def _window_text(achievement: Achievement, zone: ZoneInfo) -> str:
    start, end = achievement.effective_from, achievement.effective_until
    return (
        f"from {day(start, zone) if start else 'the beginning'} to "
        f"{last_day(end, zone) if end else 'no end date'}"
    )


def _refusal(
    session: Session,
    refused: BulkRefused,
    name: str,
    period_key: str,
    earlier: tuple[int, str] | None,
    achievement: Achievement,
    namer: _Namer,
    zone: ZoneInfo,
) -> str:
    """Why the service refused a row, in words and with names (its `detail` names ids).
    `earlier`: the first row before it for the same member and period (duplicates) or, for a
    record, the row that takes the period's record first; (row, member's name)."""
    code = refused.code
    period = key_words(period_key, Period(achievement.period), zone)
    if code == "duplicate_row" and earlier is not None:
        return f"Row {earlier[0]} already names {name} for {period}: a member counts once."
    if code == "member_inactive":
        return f"{name} is inactive: inactive members receive no awards."
    if code == "not_in_audience":
        groups = session.scalars(
            select(Group.name).where(Group.id.in_(achievement.audience or [])).order_by(Group.name)
        ).all()
        return f"{name} is not in its audience (groups: {', '.join(groups) or 'none'})."
    if code == "outside_effective_window":
        return f"It can only be earned {_window_text(achievement, zone)}: not in {period}."
    if code == "membership_limit":
        return f"{name} already holds this membership for {period}."
    if code == "record_limit":
        holder = session.scalars(
            select(Award.member_id).where(
                Award.achievement_id == achievement.id,
                Award.period_key == period_key,
                Award.holder_slot == "record",
                Award.revoked.is_(False),
            )
        ).first()
        if holder is not None:
            who = namer.name(holder)
            return f"A record has one holder per period: {who} already holds it for {period}."
        if earlier is not None:
            return (
                f"A record has one holder per period: row {earlier[0]} gives it to {earlier[1]} "
                f"for {period} first."
            )
    return refused.detail


def build_preview(
    session: Session,
    achievement: Achievement,
    upload: Upload,
    result: BulkResult,
    *,
    at: datetime,
    zone: ZoneInfo,
) -> Preview:
    """The service's report in words, rows in file order."""
    by_row = {r.row: r for r in upload.file.rows}
    members = {g.row: g.member_id for g in result.given}
    members.update({r.row: r.member_id for r in result.refused})
    namer = _Namer(session, set(members.values()))
    kind = Period(achievement.period)

    def line(row: int, value: str, member_id: int, key: str, reason: str, code: str) -> Line:
        return Line(
            row=row,
            value=upload.written.get(row, value),
            name=namer.name(member_id),
            team=namer.teams.get(member_id, ""),
            period=key_words(key, kind, zone),
            reason=reason,
            code=code,
        )

    given = [line(g.row, g.value, g.member_id, g.period, "", "given") for g in result.given]
    periods = {row: _period_of(by_row.get(row), at, achievement, zone) for row in members}
    given_rows = {g.row for g in result.given}
    refused: list[Line] = []
    for r in result.refused:
        key = periods[r.row]
        candidates = [
            row
            for row in members
            if row < r.row
            and periods[row] == key
            and (members[row] == r.member_id if r.code == "duplicate_row" else row in given_rows)
        ]
        first = min(candidates, default=None)
        earlier = (first, namer.name(members[first])) if first is not None else None
        reason = _refusal(
            session, r, namer.name(r.member_id), key, earlier, achievement, namer, zone
        )
        refused.append(line(r.row, r.value, r.member_id, key, reason, r.code))
    for u in [*result.unmatched, *upload.unmatched]:
        refused.append(
            Line(
                row=u.row,
                value=upload.written.get(u.row, u.value),
                name="",
                team="",
                period="",
                reason=_unmatched(u, upload.column),
                code="unmatched",
            )
        )
    return Preview(
        column=upload.column,
        rows=upload.rows,
        given=sorted(given, key=lambda x: x.row),
        refused=sorted(refused, key=lambda x: x.row),
        fingerprint=fingerprint(result, upload),
    )


def _unmatched(u: BulkUnmatched, column: str) -> str:
    if not u.value:
        return f"The {column} cell is empty."
    if column == "name":
        return u.reason[:1].upper() + u.reason[1:] + "."
    if u.reason.startswith("no member"):
        return f"No member has {column} “{u.value}”."
    return f"Several members have {column} “{u.value}”: use their member id."
