"""Dead letters as the API shows them."""

from __future__ import annotations

from plaudit.kit.schemas import OutputSchema, Timestamp


class DeadLetterRead(OutputSchema):
    id: int
    stream: str
    partitions: int
    partition: int
    sequence: int
    subject: str
    source_key: str | None
    payload: str
    problem: str
    created_at: Timestamp
    retried_at: Timestamp | None
    resolved: bool


class RetryResult(OutputSchema):
    id: int
    resolved: bool
    created: int
    updated: int
    unchanged: int
    award_ids: list[int]
