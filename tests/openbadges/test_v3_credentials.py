"""Open Badges 3.0 end to end, on SQLite and PostgreSQL: keys made once and kept encrypted,
credentials of awards published over the API, served by a real server, and verified by an
independent verifier (npm @digitalbazaar/vc, tools/vc-verify) offline."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from defusedxml.ElementTree import fromstring
from sqlalchemy import Engine, select

from plaudit.app import create_app
from plaudit.config import Settings
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.encryption import generate_key, keyring
from plaudit.models import IssuedCredential, IssuerKey
from plaudit.openbadges import baking, keys, status_list
from tests.conftest import ADMIN_TOKEN, Api
from tests.live_server import live_server
from tests.loopback_http import loopback_client
from tests.one_hop_client import TestClient
from tests.openbadges.verifier import verify

PUBLIC_URL = "https://badges.example.test"
NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)


@pytest.fixture
def ob_settings(database_url: str, clean_db: Engine) -> Settings:
    return Settings(
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        timezone="UTC",
        period_closer=False,
        public_url=PUBLIC_URL,
        encryption_keys=generate_key(),
    )


@pytest.fixture
def api(ob_settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(ob_settings)) as client:
        yield Api(client, ADMIN_TOKEN)


def _award(api: Api, name: str, email: str) -> int:
    member = api.ok("POST", "/members", 201, json={"name": name, "email": email})
    achievement = api.ok(
        "POST",
        "/achievements",
        201,
        json={"key": f"k{member['id']}", "name": f"Closer {name}", "category": "award"},
    )
    award = api.ok(
        "POST", f"/members/{member['id']}/awards", 201, json={"achievement_id": achievement["id"]}
    )
    return int(award["id"])


def _publish(api: Api, award_id: int) -> str:
    """Publish the award over the API; the path of its OB 3.0 credential."""
    award = api.ok("POST", f"/awards/{award_id}/publish")
    url = award["openbadges_v3_url"]
    assert url.startswith(f"{PUBLIC_URL}/ob/v3/credentials/")
    return str(url).removeprefix(PUBLIC_URL)


def _documents(http: httpx.Client, credential: dict[str, Any]) -> dict[str, Any]:
    """The verifier's offline map: the DID (did:web names a public host this test does not
    serve) and the status list URL, to what the test server answers at their paths."""
    did_document = http.get("/.well-known/did.json").json()
    assert did_document["id"] == credential["issuer"]["id"]
    list_url = credential["credentialStatus"]["statusListCredential"]
    status = http.get(list_url.removeprefix(PUBLIC_URL))
    assert status.status_code == 200
    return {did_document["id"]: did_document, list_url: status.json()}


def test_issuer_key_is_made_once_and_stored_encrypted(
    engine: Engine, ob_settings: Settings
) -> None:
    ring = ob_settings.keyring()
    factory = build_sessionmaker(engine)
    with unit_of_work(factory) as session:
        first = keys.active_key(session, ring, NOW)
    with unit_of_work(factory) as session:
        again = keys.active_key(session, ring, NOW)
        row = session.get(IssuerKey, first.id)
        assert row is not None
        secret_hex = first.private_key.private_bytes_raw().hex()
        assert secret_hex not in row.private_key_encrypted
        assert ring.decrypt(row.private_key_encrypted) == secret_hex
    assert again.id == first.id
    assert again.public_key_multibase == first.public_key_multibase
    other = keyring(generate_key(), "unused.key")
    with unit_of_work(factory) as session, pytest.raises(Exception, match="cannot be decrypted"):
        keys.active_key(session, other, NOW)


def test_processes_at_first_use_make_one_active_key(engine: Engine, ob_settings: Settings) -> None:
    ring = ob_settings.keyring()
    factory = build_sessionmaker(engine)
    barrier = threading.Barrier(4)
    made: list[int] = []
    errors: list[BaseException] = []

    def first_use() -> None:
        try:
            barrier.wait()
            with unit_of_work(factory) as session:
                made.append(keys.active_key(session, ring, NOW).id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(made)) == 1
    with unit_of_work(factory) as session:
        assert len(session.scalars(select(IssuerKey)).all()) == 1


def test_status_places_are_unique_and_kept_across_republishing(
    engine: Engine, ob_settings: Settings, api: Api
) -> None:
    awards = [_award(api, f"M{i}", f"m{i}@example.test") for i in range(3)]
    paths = [_publish(api, award_id) for award_id in awards]
    indexes = [api.client.get(path).json()["credentialStatus"]["statusListIndex"] for path in paths]
    assert sorted(indexes) == ["0", "1", "2"]
    # asked again: the kept credential, not a new signature
    assert api.client.get(paths[1]).json() == api.client.get(paths[1]).json()

    api.ok("DELETE", f"/awards/{awards[0]}/publish")
    assert api.client.get(paths[0]).status_code == 404
    again = _publish(api, awards[0])
    assert again != paths[0]
    credential = api.client.get(again).json()
    assert credential["id"] == PUBLIC_URL + again
    assert credential["credentialStatus"]["statusListIndex"] == indexes[0]
    with unit_of_work(build_sessionmaker(engine)) as session:
        rows = session.scalars(select(IssuedCredential)).all()
        assert sorted(r.sequence for r in rows) == [0, 1, 2]


def test_a_served_credential_verifies_independently_until_revoked(
    engine: Engine, ob_settings: Settings, api: Api
) -> None:
    first = _award(api, "Ann", "ann@example.test")
    first_path = _publish(api, first)
    with live_server(ob_settings) as base, loopback_client(base_url=base) as http:
        answer = http.get(first_path)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/vc+ld+json")
        credential = answer.json()
        assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert credential["issuer"]["id"] == "did:web:badges.example.test"
        assert credential["credentialSubject"]["achievement"]["name"] == "Closer Ann"
        documents = _documents(http, credential)

        result = verify(credential, documents)
        assert result == {"verified": True, "error": None, "status": [False]}

        tampered = copy.deepcopy(credential)
        tampered["name"] = "Closes"
        assert not verify(tampered, documents)["verified"]

        # the key is rotated: the next credential is signed by the new key, the old one
        # (signed by the retired key) still verifies against the DID document
        rotated = api.ok("POST", "/issuer/keys/rotate")
        assert rotated["verification_method"].startswith("did:web:badges.example.test#key-")
        second = _award(api, "Bob", "bob@example.test")
        second_path = _publish(api, second)
        newer = http.get(second_path).json()
        assert newer["proof"]["verificationMethod"] == rotated["verification_method"]
        assert credential["proof"]["verificationMethod"] != rotated["verification_method"]
        assert http.get(first_path).json() == credential
        documents = _documents(http, credential)
        assert len(documents["did:web:badges.example.test"]["verificationMethod"]) == 2
        assert verify(credential, documents)["verified"]
        assert verify(newer, _documents(http, newer))["verified"]

        # revoking the award sets its bit; the credential itself does not change
        api.ok("DELETE", f"/awards/{first}")
        index = int(credential["credentialStatus"]["statusListIndex"])
        status = http.get("/ob/v3/status/1").json()
        bits = status_list.decode_list(status["credentialSubject"]["encodedList"])
        assert status_list.bit(bits, index)
        assert not status_list.bit(bits, int(newer["credentialStatus"]["statusListIndex"]))
        assert verify(credential, _documents(http, credential))["status"] == [True]
        assert verify(newer, _documents(http, newer))["status"] == [False]

        # unpublished, unknown and out-of-range answers are 404 problems
        api.ok("DELETE", f"/awards/{second}/publish")
        assert http.get(second_path).status_code == 404
        assert http.get("/ob/v3/credentials/nothing-here").status_code == 404
        assert http.get("/ob/v3/status/2").status_code == 404
        assert http.get("/ob/v3/status/0").status_code == 422


def test_baked_png_and_svg_carry_the_signed_credential_which_verifies(
    ob_settings: Settings, api: Api
) -> None:
    """OB 3.0 baking: the PNG's iTXt chunk "openbadgecredential" and the SVG's
    <openbadges:credential> (namespace .../ob/v3p0) hold the credential the server serves,
    which the independent verifier accepts as read back from the image."""
    award = _award(api, "Cai", "cai@example.test")
    path = _publish(api, award)
    served = api.client.get(path).json()
    documents = _documents(api.client, served)

    png = api.client.get(f"{path}/badge.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    carried = baking.read_png_assertion(png.content, baking.V3_KEYWORD)
    assert carried == served
    assert baking.read_png_assertion(png.content) is None  # not a 2.0 assertion

    svg = api.client.get(f"{path}/badge.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    element = fromstring(svg.content).find("{https://purl.imsglobal.org/ob/v3p0}credential")
    assert element is not None
    from_svg = json.loads(element.text or "")
    assert from_svg == served

    assert verify(carried, documents)["verified"]
    assert verify(from_svg, documents)["verified"]

    # a revoked award's images are gone (its credential stays, marked in the status list)
    api.ok("DELETE", f"/awards/{award}")
    assert api.client.get(f"{path}/badge.png").status_code == 404
    assert api.client.get(f"{path}/badge.svg").status_code == 404
    assert api.client.get(path).status_code == 200
