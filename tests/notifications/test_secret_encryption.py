"""Webhook secrets are encrypted at rest: the database holds no plain text (read with raw SQL),
`plaudit keys rotate` lets an old key be retired while deliveries still verify, a wrong key is
a clear error, and migration 0008 encrypts the secrets saved before it (and can go back)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner, Result

from plaudit.app import create_app
from plaudit.cli.main import app as cli_app
from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.db.engine import build_engine
from plaudit.db.migrate import downgrade, upgrade
from plaudit.kit.encryption import Keyring, KeyUnavailable, generate_key
from plaudit.notification import webhook
from plaudit.notification.worker import NO_SECRET
from tests.conftest import ADMIN_TOKEN, BACKENDS, Api, postgres_url, private_postgres_database
from tests.notifications.conftest import fast_settings
from tests.notifications.helpers import send, setup, wait_for_deliveries
from tests.notifications.receiver import Receiver
from tests.one_hop_client import TestClient

SECRET = "plain-secret-0123456789"
OLD = generate_key()
NEW = generate_key()
APPROVED = {"type": "record", "source": "deals"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return fast_settings(database_url, encryption_keys=OLD)


def hook(url: str, secret: str | None = SECRET) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "webhook", "url": url}
    if secret is not None:
        action["secret"] = secret
    return action


def raw_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(text("SELECT * FROM notifications"))]


def cli(database_url: str, keys: str, *args: str) -> Result:
    env = {"PLAUDIT_DATABASE_URL": database_url, "PLAUDIT_ENCRYPTION_KEYS": keys}
    return CliRunner().invoke(cli_app, ["keys", *args], env=env)


def test_the_database_holds_no_plain_secret(admin: Api, engine: Engine) -> None:
    setup(admin)
    given = admin.ok(
        "POST",
        "/notifications",
        201,
        json={"name": "a", "trigger": APPROVED, "action": hook("https://hooks.invalid/a")},
    )
    generated = admin.ok(
        "POST",
        "/notifications",
        201,
        json={"name": "b", "trigger": APPROVED, "action": hook("https://hooks.invalid/b", None)},
    )
    renewed = admin.ok(
        "PATCH",
        f"/notifications/{given['id']}",
        json={"action": hook("https://hooks.invalid/a", "renewed-secret-0123456789")},
    )
    shown = [given["webhook_secret"], generated["webhook_secret"], renewed["webhook_secret"]]
    assert shown[0] == SECRET and shown[1].startswith("whsec_")
    rows = {row["id"]: row for row in raw_rows(engine)}
    assert "webhook_secret" not in rows[given["id"]]  # the plain-text column is gone
    everything = json.dumps(list(rows.values()), default=str)
    for secret in shown:
        assert secret not in everything
    keys = Keyring([OLD], origin="test")
    assert keys.decrypt(rows[given["id"]]["webhook_secret_encrypted"]) == shown[2]
    assert keys.decrypt(rows[generated["id"]]["webhook_secret_encrypted"]) == shown[1]


def test_rotate_then_drop_the_old_key_and_deliveries_still_verify(
    clean_db: Engine, database_url: str, clock: FixedClock, receiver: Receiver
) -> None:
    with TestClient(create_app(fast_settings(database_url, encryption_keys=OLD), clock=clock)) as c:
        admin = Api(c, ADMIN_TOKEN)
        ids = setup(admin)
        created = admin.ok(
            "POST",
            "/notifications",
            201,
            json={"name": "n", "trigger": APPROVED, "action": hook(receiver.url)},
        )
    rotated = cli(database_url, f"{NEW},{OLD}", "rotate")
    assert rotated.exit_code == 0, rotated.output
    assert "Re-encrypted 1 webhook secret(s)" in rotated.output
    [row] = raw_rows(clean_db)
    assert Keyring([NEW], origin="test").decrypt(row["webhook_secret_encrypted"]) == SECRET
    with pytest.raises(KeyUnavailable):
        Keyring([OLD], origin="test").decrypt(row["webhook_secret_encrypted"])
    with TestClient(create_app(fast_settings(database_url, encryption_keys=NEW), clock=clock)) as c:
        admin = Api(c, ADMIN_TOKEN)
        send(admin, "deals", ids["ann"], status="approved", value=1)
        [request] = receiver.wait_for(1)
        wait_for_deliveries(admin, created["id"], "delivered")
    assert webhook.verify(SECRET, request.body, request.headers["X-Plaudit-Signature"])


def test_a_wrong_key_is_a_clear_error_and_sends_nothing(
    clean_db: Engine, database_url: str, clock: FixedClock, receiver: Receiver
) -> None:
    with TestClient(create_app(fast_settings(database_url, encryption_keys=OLD), clock=clock)) as c:
        admin = Api(c, ADMIN_TOKEN)
        ids = setup(admin)
        created = admin.ok(
            "POST",
            "/notifications",
            201,
            json={"name": "n", "trigger": APPROVED, "action": hook(receiver.url)},
        )
    before = raw_rows(clean_db)
    refused = cli(database_url, NEW, "rotate")
    assert refused.exit_code == 1
    assert "cannot be decrypted with the keys in PLAUDIT_ENCRYPTION_KEYS" in refused.output
    assert "Traceback" not in refused.output
    assert raw_rows(clean_db) == before  # all or nothing
    with TestClient(create_app(fast_settings(database_url, encryption_keys=NEW), clock=clock)) as c:
        admin = Api(c, ADMIN_TOKEN)
        send(admin, "deals", ids["ann"], status="approved", value=1)
        [failed] = wait_for_deliveries(admin, created["id"], "failed")
    assert {a["error"] for a in failed["attempt_log"]} == {NO_SECRET}
    assert receiver.requests == []


def test_an_unusable_key_file_answers_a_clear_503(
    clean_db: Engine, database_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    settings = fast_settings(database_url, encryption_key_file=str(tmp_path / "no" / "k.key"))
    with TestClient(create_app(settings, clock=clock)) as c:
        admin = Api(c, ADMIN_TOKEN)
        setup(admin)
        answer = admin.post(
            "/notifications",
            json={"name": "n", "trigger": APPROVED, "action": hook("https://hooks.invalid/")},
        )
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "encryption_key_unavailable"
        assert "PLAUDIT_ENCRYPTION_KEY_FILE" in answer.json()["detail"]
        assert admin.ok("GET", "/notifications") == []


def test_keys_generate_prints_a_usable_key() -> None:
    result = CliRunner().invoke(cli_app, ["keys", "generate"])
    assert result.exit_code == 0
    key = result.output.strip()
    assert Keyring([key], origin="test").decrypt(Keyring([key], origin="t").encrypt("x")) == "x"


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with private_postgres_database(postgres_url()) as url:
        yield url


def test_migration_0008_encrypts_existing_secrets_and_goes_back(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLAUDIT_ENCRYPTION_KEYS", OLD)
    upgrade(fresh_url, "0006")
    engine = build_engine(fresh_url)
    try:
        with engine.begin() as conn:
            for number, secret in enumerate([SECRET, None, "another-plain-secret-42"]):
                conn.execute(
                    text(
                        'INSERT INTO notifications (name, "trigger", action, webhook_secret, '
                        "active, created_by, created_at, updated_at) VALUES (:name, :t, :a, "
                        ":secret, true, 'test', :at, :at)"
                    ),
                    {
                        "name": f"n{number}",
                        "t": json.dumps(APPROVED),
                        "a": json.dumps(hook("https://hooks.invalid/", None)),
                        "secret": secret,
                        "at": "2026-11-18 13:00:00+00:00",
                    },
                )
        upgrade(fresh_url, "0008")
        rows = sorted(raw_rows(engine), key=lambda r: r["name"])
        assert "webhook_secret" not in rows[0]
        everything = json.dumps(rows, default=str)
        assert SECRET not in everything and "another-plain-secret-42" not in everything
        keys = Settings().keyring()
        assert [
            None
            if r["webhook_secret_encrypted"] is None
            else keys.decrypt(r["webhook_secret_encrypted"])
            for r in rows
        ] == [SECRET, None, "another-plain-secret-42"]
        downgrade(fresh_url, "0006")
        back = sorted(raw_rows(engine), key=lambda r: r["name"])
        assert [r["webhook_secret"] for r in back] == [SECRET, None, "another-plain-secret-42"]
        assert "webhook_secret_encrypted" not in back[0]
    finally:
        engine.dispose()
