"""eddsa-rdfc-2022 against the specification's own test vectors, and RDFC-1.0 against a sample
of the W3C canonicalisation test suite (fixtures under vectors/, sources in their SOURCE.md)."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from plaudit.openbadges import data_integrity as di
from plaudit.openbadges.multikey import (
    private_key_from_multibase,
    public_key_from_multibase,
    public_multibase,
)

VECTORS = Path(__file__).parent / "vectors"
EDDSA = VECTORS / "eddsa-rdfc-2022"
CANON = VECTORS / "rdf-canon"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def _json(name: str) -> Any:
    return json.loads((EDDSA / name).read_text())


def _text(name: str) -> str:
    return (EDDSA / name).read_text()


@pytest.fixture
def loader() -> di.Loader:
    return di.document_loader({EXAMPLES_V2: _json("examples-v2.json")})


def test_the_vector_key_pair_decodes_and_matches() -> None:
    pair = _json("keyPair.json")
    secret = private_key_from_multibase(pair["privateKeyMultibase"])
    assert public_multibase(secret.public_key()) == pair["publicKeyMultibase"]


def test_canonical_document_and_proof_options_match_the_vectors(loader: di.Loader) -> None:
    assert di.canonical_nquads(_json("unsigned.json"), loader) == _text("canonDocDataInt.txt")
    config = _json("proofConfigDataInt.json")
    assert di.canonical_nquads(config, loader) == _text("proofCanonDataInt.txt")


def test_hashes_match_the_vectors(loader: di.Loader) -> None:
    document, config = _json("unsigned.json"), _json("proofConfigDataInt.json")
    combined = di.hash_data(document, config, loader)
    assert combined[:32].hex() == _text("proofHashDataInt.txt").strip()
    assert combined[32:].hex() == _text("docHashDataInt.txt").strip()
    assert combined.hex() == _text("combinedHashDataInt.txt").strip()
    canonical = _text("canonDocDataInt.txt").encode()
    assert hashlib.sha256(canonical).hexdigest() == _text("docHashDataInt.txt").strip()


def test_signing_reproduces_the_vector_proof_value_and_signed_document(
    loader: di.Loader,
) -> None:
    secret = private_key_from_multibase(_json("keyPair.json")["privateKeyMultibase"])
    config = _json("proofConfigDataInt.json")
    signed = di.sign(
        _json("unsigned.json"),
        secret,
        verification_method=config["verificationMethod"],
        created=config["created"],
        loader=loader,
    )
    assert signed["proof"]["proofValue"] == _text("sigBTC58DataInt.txt").strip()
    assert signed == _json("signedDataInt.json")


def test_the_vector_verifies_and_any_change_breaks_it(loader: di.Loader) -> None:
    public = public_key_from_multibase(_json("keyPair.json")["publicKeyMultibase"])
    signed = _json("signedDataInt.json")
    assert di.verify(signed, lambda _method: public, loader=loader)

    renamed = copy.deepcopy(signed)
    renamed["name"] = "Alumni Credentiak"
    assert not di.verify(renamed, lambda _method: public, loader=loader)

    later = copy.deepcopy(signed)
    later["proof"]["created"] = "2023-02-24T23:36:39Z"
    assert not di.verify(later, lambda _method: public, loader=loader)

    other = Ed25519PrivateKey.generate().public_key()
    assert not di.verify(signed, lambda _method: other, loader=loader)
    assert not di.verify(signed, lambda _method: None, loader=loader)


def test_literals_are_escaped_as_canonical_n_quads() -> None:
    """As rdf-canon test060 expects (ECHAR for the named controls, upper-case UCHAR for the
    others), which pyld alone does not do."""
    document = {
        "@context": {"name": "https://schema.org/name"},
        "@id": "urn:ex:s",
        "name": "\t\b\n\r\f\"'\\ \x00\x1f\x7f é",
    }
    expected = (
        '<urn:ex:s> <https://schema.org/name> "\\t\\b\\n\\r\\f\\"\'\\\\ '
        '\\u0000\\u001F\\u007F é" .\n'
    )
    assert di.canonical_nquads(document, di.document_loader()) == expected
    assert "\\t\\b\\n\\r\\f\\\"'\\\\" in (CANON / "test060-rdfc10.nq").read_text()


def test_an_unknown_context_is_an_error_not_a_fetch() -> None:
    document = {"@context": ["https://example.invalid/ctx"], "name": "x"}
    with pytest.raises(jsonld.JsonLdError):
        di.canonical_nquads(document, di.document_loader())


CANON_CASES = sorted(p.name.removesuffix("-in.nq") for p in CANON.glob("*-in.nq"))


def test_the_canonicalisation_sample_is_there() -> None:
    assert len(CANON_CASES) >= 60


@pytest.mark.parametrize("case", CANON_CASES)
def test_rdfc10_test_suite_case(case: str) -> None:
    canonical = jsonld.normalize(
        (CANON / f"{case}-in.nq").read_text(),
        {
            "algorithm": "URDNA2015",
            "inputFormat": "application/n-quads",
            "format": "application/n-quads",
        },
    )
    assert canonical == (CANON / f"{case}-rdfc10.nq").read_text()
