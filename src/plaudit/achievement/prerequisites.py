"""Prerequisites: the achievements a member must hold before a rule awards another. They are
checked when an achievement is saved (they exist, and no chain of them leads back to it);
the engine applies them when it awards (``engine.evaluate.eligible_members``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.errors import FieldError, invalid_fields
from plaudit.models import Achievement


def check_prerequisites(session: Session, own_id: int | None, prerequisites: Sequence[int]) -> None:
    """Raise a 422 naming `prerequisites` for an unknown id, the achievement itself, or a
    cycle (the names along it, e.g. “Gold” → “Silver” → “Gold”)."""
    if not prerequisites:
        return
    live = {
        a.id: a
        for a in session.scalars(select(Achievement).where(Achievement.deleted_at.is_(None)))
    }
    problems: list[FieldError] = []
    for index, wanted in enumerate(prerequisites):
        if wanted == own_id:
            problems.append(
                FieldError(("prerequisites", index), "an achievement cannot require itself")
            )
        elif wanted not in live:
            problems.append(
                FieldError(("prerequisites", index), f"achievement {wanted} does not exist")
            )
    if problems:
        raise invalid_fields(problems)
    if own_id is None:
        return  # a new achievement: nothing requires it yet, so no cycle can pass through it
    graph = {a.id: list(a.prerequisites or []) for a in live.values()}
    graph[own_id] = list(prerequisites)
    path = _cycle_through(graph, own_id)
    if path is not None:
        names = " → ".join(f"“{live[i].name}”" for i in path)
        raise invalid_fields(
            [FieldError(("prerequisites",), f"the prerequisites form a cycle: {names}")]
        )


def _cycle_through(graph: dict[int, list[int]], start: int) -> list[int] | None:
    """A path start → … → start along `graph`'s edges, if there is one (depth first)."""
    stack: list[tuple[int, list[int]]] = [(start, [start])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        for nxt in graph.get(node, []):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None
