"""The channel messages, pure: a summary names the first three and counts the rest (against a
from-scratch oracle), Slack's mrkdwn control characters are escaped, and links appear only
with a public URL."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from plaudit.notification.channels import render
from tests.hypothesis_profiles import examples

NAMES = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
)


def payload(names: list[str], channel: str = "slack", **extra: Any) -> dict[str, Any]:
    return {
        "channel": channel,
        "notification": {"id": 4, "name": "Closer"},
        "summary": len(names) > 1,
        "summary_path": "/admin/notifications/4",
        "mentions": [
            {"member_id": i, "name": n, "detail": "why", "path": f"/admin/members/{i}"}
            for i, n in enumerate(names, 1)
        ],
        **extra,
    }


def expected_headline(names: list[str]) -> str:
    """The oracle: written out case by case."""
    if len(names) == 1:
        return f"{names[0]} reached Closer"
    if len(names) == 2:
        listed = f"{names[0]} and {names[1]}"
    elif len(names) == 3:
        listed = f"{names[0]}, {names[1]} and {names[2]}"
    else:
        listed = f"{names[0]}, {names[1]}, {names[2]} and {len(names) - 3} more"
    return f"{len(names)} people reached Closer: {listed}"


@settings(max_examples=examples(100), deadline=None)
@given(names=st.lists(NAMES, min_size=1, max_size=40))
def test_the_headline_names_three_and_counts_the_rest(names: list[str]) -> None:
    slack = render(payload(names), "https://plaudit.example.com")
    assert slack["text"] == expected_headline(names)
    teams = render(payload(names, "teams"), "https://plaudit.example.com")
    assert teams["attachments"][0]["content"]["body"][0]["text"] == expected_headline(names)
    mail = render(payload(names, "email", to=["a@example.com"]), "")
    assert mail["subject"] == (
        expected_headline(names) if len(names) == 1 else f"{len(names)} people reached Closer"
    )
    assert all(name in mail["text"] for name in names)


def test_slack_control_characters_are_escaped() -> None:
    slack = render(payload(["<@channel> & Co"]), "")
    section = slack["blocks"][0]["text"]["text"]
    assert section == "*&lt;@channel&gt; &amp; Co* reached *Closer*"
    assert slack["text"] == "<@channel> & Co reached Closer"


def test_links_only_with_a_public_url() -> None:
    assert [b["type"] for b in render(payload(["Ann"]), "")["blocks"]] == ["section", "context"]
    linked = render(payload(["Ann"]), "https://plaudit.example.com/")
    assert linked["blocks"][-1]["elements"][0]["url"] == (
        "https://plaudit.example.com/admin/members/1"
    )
    assert "actions" not in render(payload(["Ann"], "teams"), "")["attachments"][0]["content"]
    mail = render(payload(["A<b>"], "email", to=["a@example.com"]), "")
    assert "https://" not in mail["text"] and "href" not in mail["html"]
    assert "A&lt;b&gt;" in mail["html"]
