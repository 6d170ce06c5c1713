"""Give one achievement to the members listed in a CSV file, in one transaction.

Members are looked up set-based (one query per 500 values); every give then goes through
give_award, exactly like a manual give: category limits, audience, effective window, the
decision lock, origin 'manual' and an audit entry per award. Rows naming nobody and rows the
achievement forbids are reported and skipped, unless `strict` asks for all or nothing; a dry run
does all of it inside a savepoint and rolls it back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from plaudit.achievement.service import get_achievement
from plaudit.audit.service import record_event
from plaudit.award.presenter import present_award
from plaudit.award.service import give_award
from plaudit.bulk.parsing import BulkFile, BulkRow, MemberKey
from plaudit.bulk.schemas import BulkGiven, BulkRefused, BulkResult, BulkUnmatched
from plaudit.engine.events import name_batch
from plaudit.errors import Conflict, FieldError, InvalidInput, PlauditError, not_found
from plaudit.kit.roles import Principal
from plaudit.kit.schemas import MAX_ID
from plaudit.models import Achievement, Member
from plaudit.periods import Period, period_containing

_CHUNK = 500
_DIGITS = re.compile(r"^[0-9]+$")


def _lookup_key(key: MemberKey, value: str) -> str:
    return value.lower() if key == MemberKey.email else value


def match_members(session: Session, key: MemberKey, values: Iterable[str]) -> dict[str, list[int]]:
    """Lookup key of each value (emails without regard to case) -> ids of the members it names."""
    given = sorted({v for v in values if v})
    found: dict[str, list[int]] = {}
    if key == MemberKey.member_id:
        spellings: dict[int, list[str]] = {}
        for v in given:
            if _DIGITS.match(v) and 0 < int(v) <= MAX_ID:
                spellings.setdefault(int(v), []).append(v)
        numbers = sorted(spellings)
        for start in range(0, len(numbers), _CHUNK):
            id_chunk = numbers[start : start + _CHUNK]
            for member_id in session.scalars(select(Member.id).where(Member.id.in_(id_chunk))):
                found.update({v: [member_id] for v in spellings[member_id]})
        return found
    for start in range(0, len(given), _CHUNK):
        chunk = given[start : start + _CHUNK]
        if key == MemberKey.external_id:
            query = select(Member.external_id, Member.id).where(Member.external_id.in_(chunk))
        else:
            # SQLite's lower() folds ASCII only: also match the address exactly as written.
            lowered = sorted({v.lower() for v in chunk})
            query = select(Member.email, Member.id).where(
                or_(Member.email.in_(chunk), func.lower(Member.email).in_(lowered))
            )
        for value, member_id in session.execute(query.order_by(Member.id)):
            if value is None:
                continue
            ids = found.setdefault(_lookup_key(key, value), [])
            if member_id not in ids:
                ids.append(member_id)
    return found


def _name_key(value: str) -> str:
    return " ".join(value.split()).casefold()


def resolve_names(session: Session, rows: list[BulkRow]) -> tuple[BulkFile, list[BulkUnmatched]]:
    """Rows naming members by name (without regard to case or repeated spaces) as a
    `member_id` file, and the rows that name nobody or several members. Names are not unique,
    so only the pages accept them, for lists people type."""
    wanted = sorted({_name_key(r.value) for r in rows if r.value})
    found: dict[str, list[int]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        # SQLite's lower() folds ASCII only: compare again in Python, with casefold.
        query = select(Member.name, Member.id).where(
            or_(func.lower(Member.name).in_(chunk), Member.name.in_(chunk))
        )
        for name, member_id in session.execute(query.order_by(Member.id)):
            ids = found.setdefault(_name_key(name), [])
            if member_id not in ids:
                ids.append(member_id)
    rest = {n for n in wanted if n not in found and not n.isascii()}
    if rest:  # lower() may not have folded non-ASCII capitals: one pass over the members
        for name, member_id in session.execute(select(Member.name, Member.id).order_by(Member.id)):
            if (key := _name_key(name)) in rest:
                found.setdefault(key, []).append(member_id)
    kept: list[BulkRow] = []
    unmatched: list[BulkUnmatched] = []
    for row in rows:
        matched = found.get(_name_key(row.value)) if row.value else None
        if not row.value:
            reason = "the name cell is empty"
        elif matched is None:
            reason = f"no member is called {row.value!r}"
        elif len(matched) > 1:
            reason = (
                f"{len(matched)} members are called {row.value!r}: use their external id or email"
            )
        else:
            kept.append(BulkRow(row=row.row, value=str(matched[0]), at=row.at))
            continue
        unmatched.append(BulkUnmatched(row=row.row, value=row.value, reason=reason))
    return BulkFile(identified_by=MemberKey.member_id, rows=kept), unmatched


def find_achievement(session: Session, ident: str) -> Achievement:
    """An achievement by id or by key, for the command line."""
    if _DIGITS.match(ident) and int(ident) <= MAX_ID:
        return get_achievement(session, int(ident))
    achievement = session.scalars(
        select(Achievement).where(Achievement.key == ident, Achievement.deleted_at.is_(None))
    ).first()
    if achievement is None:
        raise not_found("achievement", ident)
    return achievement


@dataclass(frozen=True)
class BulkOptions:
    at: datetime | None = None
    dry_run: bool = False
    strict: bool = False
    reason: str | None = None


def _unmatched_reason(key: MemberKey, value: str, ids: list[int] | None) -> str | None:
    if not value:
        return f"the {key.value} cell is empty"
    if ids is None:
        return f"no member has {key.value} {value!r}"
    if len(ids) > 1:
        return f"{len(ids)} members have {key.value} {value!r} (ids {ids}); use member_id"
    return None


def _strict_failure(result: BulkResult) -> PlauditError:
    column = result.identified_by.value
    errors = [
        FieldError(("file", u.row, column), f"row {u.row}: {u.reason}", "unmatched")
        for u in result.unmatched
    ] + [
        FieldError(("file", r.row, column), f"row {r.row}: {r.detail}", r.code)
        for r in result.refused
    ]
    detail = (
        f"{len(result.unmatched)} row(s) name no member and {len(result.refused)} row(s) are "
        "refused; with strict, nothing was given."
    )
    if result.unmatched:
        return InvalidInput(detail=detail, errors=errors, code="bulk_unmatched")
    return Conflict(detail=detail, errors=errors, code="bulk_refused")


def give_in_bulk(
    session: Session,
    achievement_id: int,
    file: BulkFile,
    options: BulkOptions,
    *,
    actor: Principal,
    now: datetime,
    zone: ZoneInfo,
) -> BulkResult:
    achievement = get_achievement(session, achievement_id)
    key = file.identified_by
    matches = match_members(session, key, (r.value for r in file.rows))
    result = BulkResult(
        achievement_id=achievement.id,
        identified_by=key,
        dry_run=options.dry_run,
        rows=len(file.rows),
        given=[],
        unmatched=[],
        refused=[],
    )
    first_row: dict[tuple[int, str], int] = {}
    name_batch(session, f"A bulk give of {achievement.name}.")
    savepoint = session.begin_nested()
    try:
        for row in file.rows:
            ids = matches.get(_lookup_key(key, row.value)) if row.value else None
            reason = _unmatched_reason(key, row.value, ids)
            if reason is not None or ids is None:
                result.unmatched.append(
                    BulkUnmatched(row=row.row, value=row.value, reason=reason or "")
                )
                continue
            member_id = ids[0]
            instant = row.at or options.at or now
            period = period_containing(instant, Period(achievement.period), zone).key
            if (earlier := first_row.get((member_id, period))) is not None:
                result.refused.append(
                    BulkRefused(
                        row=row.row,
                        value=row.value,
                        member_id=member_id,
                        code="duplicate_row",
                        detail=f"Row {earlier} already names member {member_id} for period "
                        f"{period}.",
                    )
                )
                continue
            first_row[(member_id, period)] = row.row
            try:
                award = give_award(
                    session,
                    member_id,
                    achievement.id,
                    at=instant,
                    actor=actor,
                    now=now,
                    zone=zone,
                    reason=options.reason,
                )
            except PlauditError as exc:
                result.refused.append(
                    BulkRefused(
                        row=row.row,
                        value=row.value,
                        member_id=member_id,
                        code=exc.code,
                        detail=exc.detail,
                    )
                )
                continue
            result.given.append(
                BulkGiven(
                    row=row.row,
                    value=row.value,
                    member_id=member_id,
                    period=award.period_key,
                    award=None if options.dry_run else present_award(award, now),
                )
            )
        if options.strict and (result.unmatched or result.refused):
            raise _strict_failure(result)
    except BaseException:
        savepoint.rollback()
        raise
    if options.dry_run:
        savepoint.rollback()
        return result
    savepoint.commit()
    record_event(
        session,
        actor,
        "award.bulk",
        "achievement",
        achievement.id,
        at=now,
        reason=options.reason,
        details={
            "identified_by": key.value,
            "rows": result.rows,
            "given": len(result.given),
            "unmatched": len(result.unmatched),
            "refused": len(result.refused),
        },
    )
    return result
