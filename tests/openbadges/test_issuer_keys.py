"""Rotating the issuer key from the command line and over the API, on SQLite and PostgreSQL:
one active key at any time, the old ones kept in the DID document, every secret half
re-encrypted by `plaudit keys rotate`."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from plaudit.app import create_app
from plaudit.cli.main import app as cli_app
from plaudit.config import Settings
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.encryption import Keyring, generate_key
from plaudit.models import IssuerKey
from plaudit.openbadges import keys
from tests.conftest import ADMIN_TOKEN
from tests.one_hop_client import TestClient

NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
PUBLIC_URL = "https://badges.example.test:8443"


def _settings(database_url: str, encryption_keys: str) -> Settings:
    return Settings(
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        timezone="UTC",
        period_closer=False,
        public_url=PUBLIC_URL,
        encryption_keys=encryption_keys,
    )


def _rows(engine: Engine) -> list[IssuerKey]:
    with unit_of_work(build_sessionmaker(engine)) as session:
        rows = list(session.scalars(select(IssuerKey).order_by(IssuerKey.id)))
        session.expunge_all()
    return rows


def test_cli_rotation_keeps_old_keys_in_the_did_document(
    database_url: str, clean_db: Engine
) -> None:
    key = generate_key()
    env = {"PLAUDIT_DATABASE_URL": database_url, "PLAUDIT_ENCRYPTION_KEYS": key}
    env["PLAUDIT_PUBLIC_URL"] = PUBLIC_URL
    runner = CliRunner()
    for expected in (1, 2):
        result = runner.invoke(cli_app, ["issuer", "rotate-key"], env=env)
        assert result.exit_code == 0, result.output
        rows = _rows(clean_db)
        assert f"did:web:badges.example.test%3A8443#key-{rows[-1].id}" in result.output
        assert len(rows) == expected
    assert [r.active for r in rows] == [None, True]
    assert rows[0].retired_at is not None
    assert rows[1].retired_at is None

    with TestClient(create_app(_settings(database_url, key))) as client:
        document = client.get("/.well-known/did.json")
    assert document.status_code == 200
    assert document.headers["content-type"].startswith("application/did+ld+json")
    body = document.json()
    assert body["id"] == "did:web:badges.example.test%3A8443"
    assert [m["publicKeyMultibase"] for m in body["verificationMethod"]] == [
        r.public_key_multibase for r in rows
    ]
    assert body["assertionMethod"] == [m["id"] for m in body["verificationMethod"]]


def test_keys_rotate_reencrypts_the_issuer_keys(database_url: str, clean_db: Engine) -> None:
    old, new = generate_key(), generate_key()
    with unit_of_work(build_sessionmaker(clean_db)) as session:
        signing = keys.active_key(session, Keyring([old], origin="test"), NOW)
    env = {"PLAUDIT_DATABASE_URL": database_url, "PLAUDIT_ENCRYPTION_KEYS": f"{new},{old}"}
    result = CliRunner().invoke(cli_app, ["keys", "rotate"], env=env)
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 issuer signing key(s)." in result.output
    with unit_of_work(build_sessionmaker(clean_db)) as session:
        again = keys.active_key(session, Keyring([new], origin="test"), NOW)
    assert again.id == signing.id
    assert again.private_key.private_bytes_raw() == signing.private_key.private_bytes_raw()


def test_concurrent_rotations_leave_one_active_key(database_url: str, clean_db: Engine) -> None:
    ring = Keyring([generate_key()], origin="test")
    factory = build_sessionmaker(clean_db)
    with unit_of_work(factory) as session:
        keys.active_key(session, ring, NOW)
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def rotate() -> None:
        try:
            barrier.wait()
            with unit_of_work(factory) as session:
                keys.rotate_key(session, ring, NOW)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=rotate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    rows = _rows(clean_db)
    assert len(rows) == 4
    assert [r.active for r in rows].count(True) == 1
    assert rows[-1].active is True


def test_rotation_over_the_api_is_for_admins(database_url: str, clean_db: Engine) -> None:
    settings = _settings(database_url, generate_key())
    with TestClient(create_app(settings)) as client:
        answer = client.post(
            "/api/v1/issuer/keys/rotate", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["verification_method"] == (
            f"did:web:badges.example.test%3A8443#key-{body['id']}"
        )
        events = client.get(
            "/api/v1/audit", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        ).json()
        assert client.post("/api/v1/issuer/keys/rotate").status_code == 401
    assert any(e["action"] == "issuer_key.rotate" for e in events)
