"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (pure).

https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022: the document (without its proof) and the
proof options (the proof without its value, with the document's @context) are each put in
canonical N-Quads by RDFC-1.0 (pyld calls it URDNA2015: the same algorithm), hashed with
SHA-256; the signature is Ed25519 over proof hash + document hash, as multibase base58btc.

JSON-LD needs the contexts a document names: they are read from copies shipped with Plaudit
(`contexts/`), never fetched; an unknown context is an error.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld, nquads

from plaudit.openbadges.multikey import decode_base58btc, encode_base58btc

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

_SHIPPED = {
    CREDENTIALS_V2: "credentials-v2.json",
    OB_V3_CONTEXT: "ob-v3p0-context-3.0.3.json",
    MULTIKEY_V1: "multikey-v1.json",
}

# Canonical N-Quads (RDFC-1.0, which follows RDF 1.1 N-Quads canonical form) writes a literal's
# `"` `\\` and the controls \b \t \n \f \r as ECHAR and every other control character
# (U+0000-U+001F, U+007F) as \uXXXX in upper-case hex. pyld 3.3 escapes only \t \n \r `"` `\\`
# and writes the rest raw, so a name holding, say, U+001F hashed differently from every other
# implementation and its credential failed to verify elsewhere. Its serializer looks up
# `escape` in its module at each call: it is replaced here by the conformant one (the
# independent verifier checks the result, tests/openbadges/test_v3_interop.py).
_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_LITERAL_ESCAPES = {
    code: _ECHAR.get(chr(code), f"\\u{code:04X}") for code in [*range(0x20), 0x7F, 0x22, 0x5C]
}


def _canonical_escape(value: str) -> str:
    return value.translate(_LITERAL_ESCAPES)


nquads.escape = _canonical_escape

Document = dict[str, Any]
Loader = Callable[[str, Any], dict[str, Any]]


@cache
def shipped_context(url: str) -> Document:
    """The shipped copy of the context at `url` (KeyError for any other URL)."""
    name = _SHIPPED[url]
    text = resources.files("plaudit.openbadges").joinpath("contexts", name).read_text("utf-8")
    loaded: Document = json.loads(text)
    return loaded


def document_loader(extra: Mapping[str, Document] | None = None) -> Loader:
    """A pyld document loader over the shipped contexts (and `extra` ones, for tests)."""
    known = dict(extra or {})

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url in known:
            document = known[url]
        elif url in _SHIPPED:
            document = shipped_context(url)
        else:
            raise jsonld.JsonLdError(
                f"Context {url} is not shipped with Plaudit (nothing is fetched).",
                "jsonld.LoadDocumentError",
                code="loading document failed",
            )
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(document)}

    return load


def canonical_nquads(document: Document, loader: Loader) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    result: str = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": loader,
            "safe": True,
        },
    )
    return result


def hash_data(document: Document, proof_config: Document, loader: Loader) -> bytes:
    """SHA-256 of the canonical proof options followed by SHA-256 of the canonical document."""
    proof_hash = hashlib.sha256(canonical_nquads(proof_config, loader).encode()).digest()
    document_hash = hashlib.sha256(canonical_nquads(document, loader).encode()).digest()
    return proof_hash + document_hash


def proof_config(document: Document, *, verification_method: str, created: str) -> Document:
    """The proof options (no value yet), in the document's @context, as the suite hashes them."""
    return {
        "@context": document["@context"],
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }


def sign(
    document: Document,
    key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: str,
    loader: Loader | None = None,
) -> Document:
    """`document` with an eddsa-rdfc-2022 proof added (the input is left unchanged).

    Ed25519 signatures are deterministic: the same document, key and `created` give the same
    proof, so a credential can be signed again on request and come out identical."""
    loader = loader or document_loader()
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    config = proof_config(unsigned, verification_method=verification_method, created=created)
    signature = key.sign(hash_data(unsigned, config, loader))
    proof = {k: v for k, v in config.items() if k != "@context"}
    proof["proofValue"] = encode_base58btc(signature)
    return {**unsigned, "proof": proof}


def verify(
    signed: Document,
    public_key: Callable[[str], Ed25519PublicKey | None],
    *,
    loader: Loader | None = None,
) -> bool:
    """True when the document's eddsa-rdfc-2022 proof holds under the key that
    `public_key(verificationMethod)` gives (None: an unknown key, so False)."""
    proof = signed.get("proof")
    if not isinstance(proof, dict):
        return False
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    method = proof.get("verificationMethod")
    value = proof.get("proofValue")
    created = proof.get("created")
    if not isinstance(method, str) or not isinstance(value, str) or not isinstance(created, str):
        return False
    key = public_key(method)
    if key is None:
        return False
    loader = loader or document_loader()
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = unsigned["@context"]
    try:
        signature = decode_base58btc(value)
        key.verify(signature, hash_data(unsigned, config, loader))
    except (InvalidSignature, ValueError):
        return False
    return True
