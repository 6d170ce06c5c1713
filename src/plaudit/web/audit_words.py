"""Audit events in words for the audit log page: "Gave “Top seller” to Ada Lovelace", with
links to the member and achievement pages, instead of the stored JSON details.

Names are read in one query per kind for a whole page of events; an entity deleted since
shows by what the event kept (an achievement's key) or as "a deleted member".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.models import (
    Achievement,
    AuditEvent,
    Board,
    Member,
    Notification,
    Source,
    TvPlaylist,
    User,
)

Part = tuple[str, str | None]
"""A piece of a sentence: its text and, when it names something with a page, that page."""

KINDS: dict[str, tuple[type[Any], str, str | None]] = {
    # entity type: (model, attribute holding the name, page prefix or None)
    "member": (Member, "name", "/admin/members"),
    "achievement": (Achievement, "name", "/admin/achievements"),
    "user": (User, "username", "/admin/users"),
    "notification": (Notification, "name", "/admin/notifications"),
    "board": (Board, "name", "/admin/boards"),
    "playlist": (TvPlaylist, "name", "/admin/playlists"),
}

FIELD_WORDS = {
    "member_id": "linked member",
    "default_where": "default filters",
    "requirements": "rules",
    "background_color": "background colour",
    "text_color": "text colour",
    "show_next_to_name": "shown next to the name",
    "publish_automatically": "published automatically",
}


@dataclass(frozen=True)
class EventView:
    event: AuditEvent
    what: list[Part]
    notes: list[str] = field(default_factory=list)


@dataclass
class Names:
    """The names of the entities a page of events mentions, by kind and id."""

    known: dict[str, dict[int, str]]
    sources: dict[str, str] = field(default_factory=dict)
    """Source names by key (record events keep the key)."""

    def part(self, kind: str, entity_id: Any, fallback: str = "") -> Part:
        _, _, prefix = KINDS[kind]
        if not isinstance(entity_id, int):
            return (fallback or f"a {kind}", None)
        name = self.known.get(kind, {}).get(entity_id)
        if name is None:
            return (fallback or f"a deleted {kind}", None)
        shown = (
            f"“{name}”" if kind in ("achievement", "notification", "board", "playlist") else name
        )
        return (shown, f"{prefix}/{entity_id}" if prefix else None)


def _ids(events: Iterable[AuditEvent]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {kind: set() for kind in KINDS}
    for event in events:
        if event.entity_type in wanted and event.entity_id is not None:
            wanted[event.entity_type].add(event.entity_id)
        for kind in ("member", "achievement"):
            value = event.details.get(f"{kind}_id")
            if isinstance(value, int):
                wanted[kind].add(value)
    return wanted


def load_names(session: Session, events: Sequence[AuditEvent]) -> Names:
    known: dict[str, dict[int, str]] = {}
    for kind, ids in _ids(events).items():
        if not ids:
            continue
        model, attribute, _ = KINDS[kind]
        rows = session.execute(
            select(model.id, getattr(model, attribute)).where(model.id.in_(sorted(ids)))
        )
        known[kind] = {row[0]: str(row[1]) for row in rows}
    keys = {str(e.details["source"]) for e in events if e.details.get("source")}
    found = session.execute(select(Source.key, Source.name).where(Source.key.in_(sorted(keys))))
    return Names(known, {str(row[0]): str(row[1]) for row in found})


def _listing(names: Iterable[Any]) -> str:
    words = [FIELD_WORDS.get(str(n), str(n).replace("_", " ")) for n in names]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _count(n: Any, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _achievement_event(event: AuditEvent, names: Names, verb: str) -> list[Part]:
    key = event.details.get("key")
    gone = "" if event.action == "achievement.delete" else " (deleted since)"
    fallback = f"“{key}”{gone}" if key else ""
    target = names.part("achievement", event.entity_id, fallback)
    return [(f"{verb} ", None), target]


def _record_delete(event: AuditEvent, names: Names) -> list[Part]:
    d = event.details
    ext = d.get("external_id")
    what = f"record “{ext}”" if ext else "a record without an external id"
    parts: list[Part] = [(f"Deleted {what} of ", None)]
    source = d.get("source")
    if source in names.sources:
        parts.append((names.sources[source], f"/admin/sources/{source}"))
    else:
        parts.append((f"the source “{source}”" if source else "a source", None))
    parts += [(" for ", None), names.part("member", d.get("member_id"))]
    if d.get("occurred_at"):
        parts.append((f", which occurred {str(d['occurred_at'])[:16].replace('T', ' ')} UTC", None))
    return parts


def describe(event: AuditEvent, names: Names) -> EventView:
    """The event as a sentence (with links) and notes on its details."""
    d = event.details
    action = event.action
    notes: list[str] = []
    what: list[Part]
    if action == "award.give":
        what = [
            ("Gave ", None),
            names.part("achievement", d.get("achievement_id")),
            (" to ", None),
            names.part("member", d.get("member_id")),
        ]
        if d.get("period") and d.get("period") != "all":
            notes.append(f"For the period {d['period']}.")
        if d.get("source") and d.get("source") != "manual":
            notes.append(f"Given by a {d['source']}.")
    elif action == "award.revoke":
        what = [
            ("Revoked ", None),
            names.part("achievement", d.get("achievement_id")),
            (" from ", None),
            names.part("member", d.get("member_id")),
        ]
    elif action in ("award.publish", "award.unpublish"):
        what = [
            ("Published " if action == "award.publish" else "Unpublished ", None),
            names.part("member", d.get("member_id")),
            ("'s award of ", None),
            names.part("achievement", d.get("achievement_id")),
            (" as an Open Badge", None),
        ]
    elif action == "award.bulk":
        what = [("Gave ", None), names.part("achievement", event.entity_id), (" in bulk", None)]
        notes.append(
            f"{_count(d.get('rows', 0), 'row', 'rows')} read, {d.get('given', 0)} given, "
            f"{d.get('unmatched', 0)} not matched, {d.get('refused', 0)} refused"
            + (f" (members identified by {d['identified_by']})." if d.get("identified_by") else ".")
        )
    elif action == "achievement.create":
        what = _achievement_event(event, names, "Created the achievement")
    elif action == "achievement.edit":
        what = _achievement_event(event, names, "Edited the achievement")
        if d.get("changed"):
            notes.append(f"Changed: {_listing(d['changed'])}.")
        if d.get("version"):
            notes.append(f"Now version {d['version']}.")
    elif action == "achievement.activate":
        what = _achievement_event(event, names, "Activated the achievement")
        if "backfill_awards" in d:
            notes.append(
                f"{_count(d['backfill_awards'], 'award', 'awards')} given for earlier records."
            )
    elif action == "achievement.deactivate":
        what = _achievement_event(event, names, "Deactivated the achievement")
    elif action == "achievement.delete":
        what = _achievement_event(event, names, "Deleted the achievement")
    elif action == "record.delete":
        what = _record_delete(event, names)
    elif action == "user.update":
        what = [("Changed the user ", None), names.part("user", event.entity_id)]
        if d.get("changed"):
            notes.append(f"Changed: {_listing(d['changed'])}.")
        if d.get("role"):
            notes.append(f"Role now {d['role']}; {'active' if d.get('active') else 'inactive'}.")
    else:
        what = _generic(event, names)
        for key in ("name", "active", "published"):
            if key in d and not isinstance(d[key], dict | list):
                notes.append(f"{key.capitalize()}: {_plain(d[key])}.")
        if d.get("changed"):
            notes.append(f"Changed: {_listing(d['changed'])}.")
    return EventView(event=event, what=what, notes=notes)


VERBS = {
    "create": "Created",
    "update": "Changed",
    "edit": "Edited",
    "delete": "Deleted",
    "activate": "Activated",
    "deactivate": "Deactivated",
    "link": "Made a TV link for",
    "link_revoke": "Revoked the TV link of",
}


def _generic(event: AuditEvent, names: Names) -> list[Part]:
    verb = event.action.rsplit(".", 1)[-1]
    words = VERBS.get(verb, verb.replace("_", " ").capitalize())
    kind = event.entity_type
    if kind in KINDS:
        fallback = f"“{event.details['name']}”" if event.details.get("name") else ""
        return [(f"{words} the {kind} ", None), names.part(kind, event.entity_id, fallback)]
    suffix = f" {event.entity_id}" if event.entity_id is not None else ""
    return [(f"{words} the {kind.replace('_', ' ')}{suffix}", None)]


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


ACTION_LABELS = {
    "award.give": "Award given",
    "award.revoke": "Award revoked",
    "award.bulk": "Awards given in bulk",
    "award.publish": "Award published",
    "award.unpublish": "Award unpublished",
    "issuer.update": "Open Badges issuer saved",
    "achievement.create": "Achievement created",
    "achievement.edit": "Achievement edited",
    "achievement.activate": "Achievement activated",
    "achievement.deactivate": "Achievement deactivated",
    "achievement.delete": "Achievement deleted",
    "record.delete": "Record deleted",
    "user.update": "User changed",
    "playlist.link": "TV link made",
    "playlist.link_revoke": "TV link revoked",
    "intake.retry": "Dead letter retried",
    "issuer_key.rotate": "Issuer signing key rotated",
}


def action_label(action: str) -> str:
    """`notification.delete` -> "Notification deleted" unless named in ACTION_LABELS."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    kind, _, verb = action.partition(".")
    past = VERBS.get(verb, verb.replace("_", " ")).lower()
    return f"{kind.replace('_', ' ').capitalize()} {past}".strip()


def actor_words(actor: str) -> str:
    """Who acted, as people say it: `user:ada` -> "ada", `token:CRM sync` -> "API token
    “CRM sync”", `cli:root` -> "root (command line)", `notification:4` -> "notification 4"."""
    kind, _, name = actor.partition(":")
    if not name:
        return {"system": "Plaudit itself", "admin-token": "the admin token"}.get(actor, actor)
    if kind == "user":
        return name
    if kind == "token":
        return f"API token “{name}”"
    if kind == "cli":
        return f"{name} (command line)"
    if kind == "notification":
        return f"notification {name}"
    return actor
