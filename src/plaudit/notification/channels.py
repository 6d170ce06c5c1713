"""The messages chat and email channels get when a notification fires: Slack's incoming-webhook
JSON (`text` and Block Kit `blocks`), a Teams message with an Adaptive Card, and an email
(subject, text and HTML from Jinja2 templates).

One announcement names one member, or, when one batch of records fired the notification for
many members at once, all of them in one summary ("12 people reached Deal ratio: Ann, Bob,
Cleo and 9 more"): channels are read by people, who want one message, not thirty. Pure: no
database, no network; the outbox stores what these functions return and the worker sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

NAMES_SHOWN = 3
"""How many members a summary names before "and N more"."""

ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ADAPTIVE_CARD_VERSION = "1.4"
ADAPTIVE_CARD_TYPE = "application/vnd.microsoft.card.adaptive"

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Mention:
    """One member the notification fired for, and why, in words."""

    member_id: int
    name: str
    detail: str
    link: str | None = None


@dataclass(frozen=True)
class Announcement:
    """What one message says: one mention, or a summary of many (`summary_link` then)."""

    notification: str
    mentions: tuple[Mention, ...]
    summary_link: str | None = None
    summary_context: str | None = None
    """What made it fire for all of them at once; default: one batch of records."""

    @property
    def is_summary(self) -> bool:
        return len(self.mentions) > 1

    @property
    def link(self) -> str | None:
        return self.summary_link if self.is_summary else self.mentions[0].link

    @property
    def link_title(self) -> str:
        if self.is_summary:
            return "Open the notification"
        return f"Open {self.mentions[0].name}'s page"

    def names(self) -> str:
        """`Ann`, `Ann and Bob`, `Ann, Bob and Cleo`, `Ann, Bob, Cleo and 9 more`."""
        names = [m.name for m in self.mentions]
        if len(names) <= NAMES_SHOWN:
            return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return ", ".join(names[:NAMES_SHOWN]) + f" and {len(names) - NAMES_SHOWN} more"

    def headline(self) -> str:
        if self.is_summary:
            return f"{len(self.mentions)} people reached {self.notification}: {self.names()}"
        return f"{self.mentions[0].name} reached {self.notification}"

    def subject(self) -> str:
        if self.is_summary:
            return f"{len(self.mentions)} people reached {self.notification}"
        return self.headline()

    def context(self) -> str:
        if self.is_summary:
            return (
                self.summary_context or "One batch of records made it fire for all of them at once."
            )
        return self.mentions[0].detail


def _mrkdwn(text: str) -> str:
    """Slack's three control characters escaped (https://api.slack.com/reference/surfaces/formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(announcement: Announcement) -> dict[str, Any]:
    """An incoming-webhook message: `text` (the notification fallback) and Block Kit blocks:
    a mrkdwn section, a context line, and a button to the member's (or notification's) page."""
    a = announcement
    if a.is_summary:
        names = _mrkdwn(a.names())
        lead = f"*{len(a.mentions)} people* reached *{_mrkdwn(a.notification)}*: {names}"
    else:
        lead = f"*{_mrkdwn(a.mentions[0].name)}* reached *{_mrkdwn(a.notification)}*"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": lead}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _mrkdwn(a.context())}]},
    ]
    if a.link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": a.link_title[:75]},
                        "url": a.link,
                        "action_id": "open",
                    }
                ],
            }
        )
    return {"text": a.headline(), "blocks": blocks}


def teams_message(announcement: Announcement) -> dict[str, Any]:
    """A message with one Adaptive Card (1.4) attachment, as Teams incoming webhooks and
    Workflows take it."""
    a = announcement
    card: dict[str, Any] = {
        "$schema": ADAPTIVE_CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": ADAPTIVE_CARD_VERSION,
        "body": [
            {
                "type": "TextBlock",
                "text": a.headline(),
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {"type": "TextBlock", "text": a.context(), "isSubtle": True, "wrap": True},
        ],
    }
    if a.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": a.link_title, "url": a.link}]
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD_TYPE, "contentUrl": None, "content": card}],
    }


def email_message(announcement: Announcement, recipients: list[str]) -> dict[str, Any]:
    """What the worker sends by SMTP: recipients, subject, and the text and HTML parts."""
    context = {"a": announcement}
    return {
        "to": recipients,
        "subject": announcement.subject(),
        "text": _templates.get_template("email.txt").render(context),
        "html": _templates.get_template("email.html").render(context),
    }


def announcement(payload: dict[str, Any], public_url: str) -> Announcement:
    """The announcement an outbox payload (`announce.channel_payload`) stands for, its page
    paths made links under `public_url` (none when it is empty)."""
    base = public_url.rstrip("/")

    def link(path: str | None) -> str | None:
        return base + path if base and path else None

    mentions = tuple(
        Mention(int(m["member_id"]), str(m["name"]), str(m["detail"]), link(m.get("path")))
        for m in payload["mentions"]
    )
    return Announcement(
        str(payload["notification"]["name"]),
        mentions,
        link(payload.get("summary_path")) if payload.get("summary") else None,
        str(payload["context"]) if payload.get("context") else None,
    )


def render(payload: dict[str, Any], public_url: str) -> dict[str, Any]:
    """The message an outbox payload becomes for its channel: Slack's or Teams' JSON body, or
    the email (`to`, `subject`, `text`, `html`)."""
    said = announcement(payload, public_url)
    channel = payload["channel"]
    if channel == "slack":
        return slack_message(said)
    if channel == "teams":
        return teams_message(said)
    return email_message(said, list(payload.get("to") or []))
