"""The pure parts of Open Badges 3.0: did:web names, status list bits (against a plain set of
indexes), the credential's shape."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plaudit.openbadges import did, status_list, v3


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://badges.example.com", "did:web:badges.example.com"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000"),
        ("https://example.com/plaudit", "did:web:example.com:plaudit"),
    ],
)
def test_did_web_from_the_public_url(url: str, expected: str) -> None:
    assert did.did_web(url) == expected


def test_did_document_lists_every_key_as_an_assertion_method() -> None:
    keys = [did.PublicKey(1, "z6MkA"), did.PublicKey(2, "z6MkB")]
    document = did.did_document("did:web:x.test", keys)
    assert [m["id"] for m in document["verificationMethod"]] == [
        "did:web:x.test#key-1",
        "did:web:x.test#key-2",
    ]
    assert {m["type"] for m in document["verificationMethod"]} == {"Multikey"}
    assert document["assertionMethod"] == ["did:web:x.test#key-1", "did:web:x.test#key-2"]


@settings(max_examples=40)
@given(st.sets(st.integers(min_value=0, max_value=status_list.LIST_SIZE - 1), max_size=50))
def test_status_list_sets_exactly_the_given_bits(revoked: set[int]) -> None:
    bits = status_list.decode_list(status_list.encode_list(revoked))
    assert len(bits) * 8 == status_list.LIST_SIZE  # 16 KiB: the specification's minimum
    for index in [*revoked, 0, 1, 7, 8, status_list.LIST_SIZE - 1]:
        assert status_list.bit(bits, index) == (index in revoked)
    assert sum(bin(byte).count("1") for byte in bits) == len(revoked)


def test_status_list_bit_order_is_the_specifications() -> None:
    # index 0 is the most significant bit of the first byte
    assert status_list.decode_list(status_list.encode_list([0]))[0] == 0x80
    assert status_list.decode_list(status_list.encode_list([9]))[1] == 0x40
    with pytest.raises(ValueError, match="outside"):
        status_list.encode_list([status_list.LIST_SIZE])


def test_positions_fill_one_list_then_the_next() -> None:
    assert status_list.position(0) == (1, 0)
    assert status_list.position(status_list.LIST_SIZE - 1) == (1, status_list.LIST_SIZE - 1)
    assert status_list.position(status_list.LIST_SIZE) == (2, 0)


def test_credential_hashes_the_email_with_the_salt() -> None:
    credential = v3.open_badge_credential(
        issuer=v3.IssuerFacts("did:web:x.test", "Acme", "https://x.test", "b@x.test"),
        achievement=v3.AchievementFacts("https://x.test/a/1", "Closer", "Ten deals", "Close 10"),
        award=v3.AwardFacts(
            "https://x.test/ob/v3/credentials/p1",
            datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC),
            None,
            "Ann@Example.com",
            "pepper",
        ),
        status=None,
    )
    identifier = credential["credentialSubject"]["identifier"][0]
    # sha256("ann@example.com" + "pepper")
    assert identifier["identityHash"] == (
        "sha256$" + hashlib.sha256(b"ann@example.compepper").hexdigest()
    )
    assert identifier["salt"] == "pepper"
    assert credential["validFrom"] == "2026-01-02T03:04:05Z"
    assert "validUntil" not in credential
    assert "credentialStatus" not in credential
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
