"""Which partition a record belongs to: a stable hash of its member reference.

All of a member's records that name the member the same way (by `member_id`, or by
`member_external_id`) land in one partition, so one consumer applies them in stream order.
"""

from __future__ import annotations

import zlib
from typing import Any


def member_reference(record: Any) -> str | None:
    """The member reference of a raw record as text, or None when it has none usable."""
    if not isinstance(record, dict):
        return None
    member_id, external = record.get("member_id"), record.get("member_external_id")
    if isinstance(member_id, int) and not isinstance(member_id, bool) and external is None:
        return str(member_id)
    if isinstance(external, str) and member_id is None:
        return external.strip()
    return None


def partition_of(reference: str | None, partitions: int) -> int:
    """Partition 0..partitions-1 (zlib.crc32: the same in every process and on every
    machine, unlike Python's salted `hash`). Records without a reference go to 0."""
    if reference is None:
        return 0
    return zlib.crc32(reference.encode()) % partitions
