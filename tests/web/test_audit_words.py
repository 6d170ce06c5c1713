"""Audit events in words: who acted, action labels, and events whose subject is gone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from plaudit.models import AuditEvent
from plaudit.web.audit_words import Names, action_label, actor_words, describe


@pytest.mark.parametrize(
    ("actor", "words"),
    [
        ("user:ada", "ada"),
        ("token:CRM sync", "API token “CRM sync”"),
        ("cli:root", "root (command line)"),
        ("notification:4", "notification 4"),
        ("system", "Plaudit itself"),
        ("admin-token", "the admin token"),
        ("TV link", "TV link"),
    ],
)
def test_actor_words(actor: str, words: str) -> None:
    assert actor_words(actor) == words


def test_action_labels() -> None:
    assert action_label("award.revoke") == "Award revoked"
    assert action_label("notification.delete") == "Notification deleted"
    assert action_label("board.update") == "Board changed"
    assert action_label("playlist.link_revoke") == "TV link revoked"


def event(action: str, entity_type: str, entity_id: int | None, **details: Any) -> AuditEvent:
    return AuditEvent(
        occurred_at=datetime(2026, 11, 18, tzinfo=UTC),
        actor="user:ada",
        actor_role="admin",
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        details=details,
    )


def sentence(view: Any) -> str:
    return "".join(text for text, _ in view.what)


def test_subjects_that_are_gone_or_named() -> None:
    names = Names({"member": {1: "Ada Lovelace"}, "achievement": {2: "Closer"}})
    gone = describe(event("achievement.delete", "achievement", 9, key="old-one"), names)
    assert sentence(gone) == "Deleted the achievement “old-one”"
    made = describe(event("achievement.create", "achievement", 9, key="old-one"), names)
    assert sentence(made) == "Created the achievement “old-one” (deleted since)"
    give = describe(event("award.give", "award", 5, member_id=1, achievement_id=2), names)
    assert sentence(give) == "Gave “Closer” to Ada Lovelace"
    assert give.what[1] == ("“Closer”", "/admin/achievements/2")
    assert give.what[3] == ("Ada Lovelace", "/admin/members/1")
    revoked = describe(event("award.revoke", "award", 5, member_id=3, achievement_id=2), names)
    assert sentence(revoked) == "Revoked “Closer” from a deleted member"
    board = describe(event("board.delete", "board", 4, name="Q4 deals"), names)
    assert sentence(board) == "Deleted the board “Q4 deals”"
    assert board.notes == ["Name: Q4 deals."]
    edit = describe(event("achievement.edit", "achievement", 2, changed=["name", "points"]), names)
    assert edit.notes == ["Changed: name and points."]


def test_publishing_in_words() -> None:
    names = Names({"member": {1: "Ada Lovelace"}, "achievement": {2: "Closer"}})
    published = describe(event("award.publish", "award", 5, member_id=1, achievement_id=2), names)
    assert sentence(published) == "Published Ada Lovelace's award of “Closer” as an Open Badge"
    assert published.what[1] == ("Ada Lovelace", "/admin/members/1")
    gone = describe(event("award.unpublish", "award", 5, member_id=1, achievement_id=2), names)
    assert sentence(gone).startswith("Unpublished Ada Lovelace's award")
    assert action_label("award.publish") == "Award published"
    assert action_label("issuer.update") == "Open Badges issuer saved"
