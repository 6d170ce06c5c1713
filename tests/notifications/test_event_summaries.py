"""An activation's backfill that gives many awards: a chat channel gets ONE summary message and
an email recipient one summary email (real HTTP receiver, real SMTP server), for the award
trigger and for the level trigger alike; a webhook still gets one delivery per firing."""

from __future__ import annotations

import json

import pytest

from plaudit.config import Settings
from tests.conftest import Api
from tests.engine.helpers import achievement, seed_sources
from tests.notifications.conftest import fast_settings
from tests.notifications.helpers import firings, notify, send, wait_for_deliveries
from tests.notifications.receiver import Receiver
from tests.notifications.smtp import SmtpServer, smtp_settings, worker_smtp
from tests.notifications.test_channels import check_slack
from tests.notifications.test_event_triggers import ONE_CALL

PUBLIC = "https://plaudit.example.com"
BACKFILLED = 8


@pytest.fixture
def smtp() -> SmtpServer:
    return worker_smtp()


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return fast_settings(database_url, public_url=PUBLIC, **smtp_settings(smtp))


def test_a_backfill_posts_one_summary_per_channel(
    admin: Api, receiver: Receiver, smtp: SmtpServer
) -> None:
    seed_sources(admin)
    reps = [admin.ok("POST", "/members", 201, json={"name": f"Rep {i}"})["id"] for i in range(8)]
    for rep in reps:
        send(admin, "calls", rep, minutes=2, outcome="ok")
    caller = achievement(admin, "caller", [[ONE_CALL]], activate=False)["id"]
    admin.ok("POST", "/levels", 201, json={"name": "Ten", "points": 10})
    award_trigger = {"type": "award", "achievement_ids": [caller]}
    on_slack = notify(admin, award_trigger, {"type": "slack", "url": receiver.url + "/slack"})
    by_mail = notify(
        admin, award_trigger, {"type": "email", "to": "addresses", "addresses": ["a@example.com"]}
    )
    hooked = notify(admin, award_trigger, {"type": "webhook", "url": receiver.url})
    levels = notify(admin, {"type": "level"}, {"type": "slack", "url": receiver.url + "/levels"})

    admin.ok("POST", f"/achievements/{caller}/activate")

    requests = receiver.wait_for(BACKFILLED + 2)
    [mail] = smtp.wait_for(1)
    chat = {r.path: json.loads(r.body) for r in requests if r.path != "/hook"}
    assert sorted(chat) == ["/hook/levels", "/hook/slack"]
    assert sum(r.path == "/hook" for r in requests) == BACKFILLED
    for message in chat.values():
        check_slack(message)
    assert chat["/hook/slack"]["text"].startswith(f"{BACKFILLED} people reached ")
    assert chat["/hook/levels"]["text"].startswith(f"{BACKFILLED} people reached ")
    backfill = "The activation of Caller gave it to all who had earned it."
    assert chat["/hook/slack"]["blocks"][1]["elements"][0]["text"] == backfill
    assert backfill in mail.part("plain")
    # The summary names the members; each firing's words stay in the delivery's payload.
    [summary] = wait_for_deliveries(admin, levels["id"], "delivered")
    assert {m["detail"] for m in summary["payload"]["mentions"]} == {
        "Reached the level Ten (10 points)."
    }
    assert mail.message["Subject"].startswith(f"{BACKFILLED} people reached")
    assert mail.recipients == ["a@example.com"]
    for created in (on_slack, by_mail, levels):
        [delivery] = wait_for_deliveries(admin, created["id"], "delivered")
        assert delivery["summary_of"] == BACKFILLED
        assert len(firings(admin, created["id"])) == BACKFILLED
    assert len(wait_for_deliveries(admin, hooked["id"], "delivered", BACKFILLED)) == BACKFILLED
