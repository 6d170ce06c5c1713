"""The dry run of award and level triggers: it says they fire on events, not on current data,
and shows what each member's latest matching award or level reached sends; what already fired
is `already_fired`; a record fires them only through its award (`no_change`)."""

from __future__ import annotations

from tests.conftest import Api
from tests.engine.helpers import seed_sources
from tests.notifications.helpers import firings, notify
from tests.notifications.receiver import Receiver
from tests.notifications.test_event_triggers import give_to, hook, kudos, member


def test_an_award_trigger_dry_run(admin: Api, receiver: Receiver) -> None:
    ann, bob, cid = member(admin, "Ann"), member(admin, "Bob"), member(admin, "Cid")
    shiny, dull = kudos(admin, "shiny", points=4), kudos(admin, "dull")
    old = give_to(admin, bob, shiny)  # before the notification: it never fires for it
    watcher = notify(admin, {"type": "award", "achievement_ids": [shiny]}, hook(receiver))
    fired = give_to(admin, ann, shiny)
    give_to(admin, cid, dull)
    assert [f["event_award_id"] for f in firings(admin, watcher["id"])] == [fired["id"]]

    tried = admin.ok("POST", f"/notifications/{watcher['id']}/test", json={})
    assert tried["trigger"] == "award"
    assert tried["summary"].startswith(
        f"It fires once for every award of achievement {shiny} given from now on"
    )
    by_member = {r["member_id"]: r for r in tried["results"]}
    assert sorted(by_member) == [ann, bob]
    assert by_member[ann]["outcome"] == "already_fired"
    assert by_member[bob]["outcome"] == "would_fire"
    assert f"award {old['id']} (Shiny" in by_member[bob]["explanation"]
    payload = by_member[bob]["action"]["payload"]
    assert payload["trigger"]["event"] == "award.given"
    assert (payload["award"]["id"], payload["award"]["points"]) == (old["id"], 4)
    assert tried["counts"] == {"already_fired": 1, "not_matching": 1, "would_fire": 1}
    assert len(firings(admin, watcher["id"])) == 1  # the dry run wrote nothing

    seed_sources(admin)
    record = {"source": "deals", "member_id": ann, "data": {}}
    unsaved = {"trigger": {"type": "level"}, "action": hook(receiver), "record": record}
    predicted = admin.ok("POST", "/notifications/test", json=unsaved)
    [result] = predicted["results"]
    assert result["outcome"] == "no_change"
    assert "only through the award it makes" in result["explanation"]


def test_a_level_trigger_dry_run_shows_the_message(admin: Api) -> None:
    ann = member(admin, "Ann")
    admin.ok("POST", "/levels", 201, json={"name": "Gold", "points": 3})
    give_to(admin, ann, kudos(admin))
    body = {
        "trigger": {"type": "level"},
        "action": {"type": "slack", "url": "https://hooks.slack.example.com/x"},
        "name": "Level up",
    }
    tried = admin.ok("POST", "/notifications/test", json=body)
    [result] = tried["results"]
    assert (result["member_id"], result["outcome"]) == (ann, "would_fire")
    [mention] = result["action"]["payload"]["mentions"]
    assert mention["detail"] == "Reached the level Gold (3 points)."
    assert "reaching level Gold" in result["explanation"]
