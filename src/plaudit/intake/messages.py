"""Decoding a record message: the subject names the source, the body is what
`POST /sources/{key}/records` takes (one record, or `{"records": [...]}`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from plaudit.intake.partitions import member_reference, partition_of
from plaudit.kit.schemas import error_message, unstorable
from plaudit.record.schemas import RecordIn

SUBJECT_PREFIX = "plaudit.records."
DEAD_PREFIX = "plaudit.dead."


class Undecodable(Exception):
    """The message as a whole cannot apply (not JSON, not a record or batch, no source)."""


@dataclass
class Slice:
    """One partition's records of a message, in message order; `problems` names the
    records that are not valid records (then the slice cannot apply)."""

    raw: list[Any] = field(default_factory=list)
    records: list[RecordIn] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def payload(self) -> str:
        """The slice as a message body, for the dead letter (and its retry)."""
        return json.dumps({"records": self.raw}, separators=(",", ":"), ensure_ascii=False)


def source_key_of(subject: str) -> str:
    if not subject.startswith(SUBJECT_PREFIX) or len(subject) == len(SUBJECT_PREFIX):
        raise Undecodable(f"the subject {subject!r} is not plaudit.records.<source key>")
    return subject[len(SUBJECT_PREFIX) :]


def raw_records(data: bytes | str) -> list[Any]:
    """The raw records of a body; Undecodable with the problem in words when it has none."""
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Undecodable(f"the message is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise Undecodable('the message must be a record object or {"records": [...]}')
    items = body.get("records") if set(body) == {"records"} else [body]
    if not isinstance(items, list) or not items:
        raise Undecodable("'records' must be a non-empty list")
    return items


def slices(items: list[Any], partitions: int) -> dict[int, Slice]:
    """The records by partition, each validated as `RecordIn` (problems kept in words)."""
    out: dict[int, Slice] = {}
    for index, raw in enumerate(items):
        part = out.setdefault(partition_of(member_reference(raw), partitions), Slice())
        part.raw.append(raw)
        bad = unstorable(raw)
        if bad is not None:
            part.problems.append(f"record {index}: {bad}")
            continue
        try:
            part.records.append(RecordIn.model_validate(raw))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "record"
                part.problems.append(f"record {index}: {where}: {error_message(err)}")
    return out
